// The WebAssembly SIMD kernels (assembly/train/index.ts) behind the Kernels
// interface. This module owns its own growable memory: each call copies the
// operands in at 16-byte-aligned offsets, runs, and copies the result out.
// Copies are linear in the data; the kernels they feed are not.
import { existsSync, readFileSync } from 'node:fs';
import { buildPath } from '../../runtime/locate.js';
import { BIAS_ACT_CODE, isPointwise, type BiasActivation, type Kernels, type Window } from './types.js';

interface Exports {
  heapBase(): number;
  gemm(M: number, N: number, K: number, a: number, ta: number, b: number, tb: number, c: number, acc: number, scratch: number): void;
  setGeometry(n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number): void;
  im2col(x: number, col: number): void;
  col2im(dcol: number, dx: number): void;
  depthwise(x: number, w: number, out: number): void;
  depthwiseBackInput(dout: number, w: number, dx: number): void;
  depthwiseBackFilter(x: number, dout: number, dw: number): void;
  maxPool(x: number, out: number): void;
  maxPoolBack(x: number, y: number, dout: number, dx: number): void;
  avgPool(x: number, out: number): void;
  avgPoolBack(dout: number, dx: number, scratch: number): void;
  biasAct(x: number, b: number, y: number, rows: number, C: number, act: number): void;
  biasActBack(y: number, g: number, dx: number, db: number, rows: number, C: number, act: number): void;
}

const KC = 256; // K block of the GEMM, as in assembly/train/index.ts

/** Floats of scratch the GEMM needs for an N-column output. */
function gemmScratch(N: number): number {
  return KC * 4 + 32 + KC * Math.ceil(N / 8) * 8;
}

/** Loads build/train.wasm; returns null if it is missing or the engine lacks SIMD. */
export function loadWasmKernels(file = buildPath('train.wasm')): Kernels | null {
  if (!existsSync(file)) return null;
  const bytes = readFileSync(file);
  if (!WebAssembly.validate(bytes)) return null;
  const memory = new WebAssembly.Memory({ initial: 64 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return new WasmKernels(instance.exports as unknown as Exports, memory);
}

class WasmKernels implements Kernels {
  readonly name = 'wasm-simd' as const;
  private f32: Float32Array;
  private readonly base: number;
  private top = 0;

  constructor(
    private readonly x: Exports,
    private readonly memory: WebAssembly.Memory,
  ) {
    this.base = (x.heapBase() + 15) & ~15;
    this.f32 = new Float32Array(memory.buffer);
  }

  /** Starts a call: every region is laid out afresh from the heap base. */
  private begin(): void {
    this.top = this.base;
  }

  /** Reserves `floats` floats; returns the byte offset. May grow memory. */
  private alloc(floats: number): number {
    const at = this.top;
    this.top = (at + floats * 4 + 15) & ~15;
    if (this.top > this.memory.buffer.byteLength) {
      const pages = Math.ceil((this.top - this.memory.buffer.byteLength) / 65536);
      this.memory.grow(pages);
      this.f32 = new Float32Array(this.memory.buffer);
    }
    return at;
  }

  private put(data: Float32Array, floats = data.length): number {
    const at = this.alloc(floats);
    this.f32.set(data.subarray(0, floats), at >> 2);
    return at;
  }

  private get(at: number, out: Float32Array): void {
    out.set(this.f32.subarray(at >> 2, (at >> 2) + out.length));
  }

  private geometry(g: Window): void {
    this.x.setGeometry(g.n, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.padTop, g.padLeft, g.oh, g.ow);
  }

  gemm(M: number, N: number, K: number, a: Float32Array, transA: boolean, b: Float32Array, transB: boolean, c: Float32Array, accumulate: boolean): void {
    this.begin();
    const pa = this.put(a, M * K);
    const pb = this.put(b, K * N);
    const pc = accumulate ? this.put(c, M * N) : this.alloc(M * N);
    const scratch = this.alloc(gemmScratch(N));
    this.x.gemm(M, N, K, pa, transA ? 1 : 0, pb, transB ? 1 : 0, pc, accumulate ? 1 : 0, scratch);
    this.get(pc, c.subarray(0, M * N));
  }

  conv2d(g: Window, x: Float32Array, w: Float32Array, co: number, out: Float32Array): void {
    const K = g.kh * g.kw * g.c;
    const M = g.n * g.oh * g.ow;
    this.begin();
    this.geometry(g);
    const px = this.put(x);
    const pw = this.put(w);
    let col = px;
    if (!isPointwise(g)) this.x.im2col(px, (col = this.alloc(M * K)));
    const po = this.alloc(M * co);
    this.x.gemm(M, co, K, col, 0, pw, 0, po, 0, this.alloc(gemmScratch(co)));
    this.get(po, out);
  }

  conv2dBackInput(g: Window, dout: Float32Array, w: Float32Array, co: number, dx: Float32Array): void {
    const K = g.kh * g.kw * g.c;
    const M = g.n * g.oh * g.ow;
    this.begin();
    this.geometry(g);
    const pg = this.put(dout);
    const pw = this.put(w);
    const pcol = this.alloc(M * K);
    this.x.gemm(M, K, co, pg, 0, pw, 1, pcol, 0, this.alloc(gemmScratch(K)));
    if (isPointwise(g)) return this.get(pcol, dx);
    const pdx = this.alloc(dx.length);
    this.f32.fill(0, pdx >> 2, (pdx >> 2) + dx.length);
    this.x.col2im(pcol, pdx);
    this.get(pdx, dx);
  }

  conv2dBackFilter(g: Window, x: Float32Array, dout: Float32Array, co: number, dw: Float32Array): void {
    const K = g.kh * g.kw * g.c;
    const M = g.n * g.oh * g.ow;
    this.begin();
    this.geometry(g);
    const px = this.put(x);
    const pg = this.put(dout);
    let col = px;
    if (!isPointwise(g)) this.x.im2col(px, (col = this.alloc(M * K)));
    const pdw = this.alloc(K * co);
    this.x.gemm(K, co, M, col, 1, pg, 0, pdw, 0, this.alloc(gemmScratch(co)));
    this.get(pdw, dw);
  }

  private windowed(g: Window, inputs: Float32Array[], out: Float32Array, run: (ptrs: number[], po: number) => void, zeroOut: boolean): void {
    this.begin();
    this.geometry(g);
    const ptrs = inputs.map((a) => this.put(a));
    const po = this.alloc(out.length);
    if (zeroOut) this.f32.fill(0, po >> 2, (po >> 2) + out.length);
    run(ptrs, po);
    this.get(po, out);
  }

  depthwise(g: Window, x: Float32Array, w: Float32Array, out: Float32Array): void {
    this.windowed(g, [x, w], out, ([a, b], o) => this.x.depthwise(a!, b!, o), false);
  }
  depthwiseBackInput(g: Window, dout: Float32Array, w: Float32Array, dx: Float32Array): void {
    this.windowed(g, [dout, w], dx, ([a, b], o) => this.x.depthwiseBackInput(a!, b!, o), true);
  }
  depthwiseBackFilter(g: Window, x: Float32Array, dout: Float32Array, dw: Float32Array): void {
    this.windowed(g, [x, dout], dw, ([a, b], o) => this.x.depthwiseBackFilter(a!, b!, o), true);
  }
  maxPool(g: Window, x: Float32Array, out: Float32Array): void {
    this.windowed(g, [x], out, ([a], o) => this.x.maxPool(a!, o), false);
  }
  maxPoolBack(g: Window, x: Float32Array, y: Float32Array, dout: Float32Array, dx: Float32Array): void {
    this.windowed(g, [x, y, dout], dx, ([a, b, c], o) => this.x.maxPoolBack(a!, b!, c!, o), true);
  }
  avgPool(g: Window, x: Float32Array, out: Float32Array): void {
    this.windowed(g, [x], out, ([a], o) => this.x.avgPool(a!, o), false);
  }
  avgPoolBack(g: Window, dout: Float32Array, dx: Float32Array): void {
    this.windowed(g, [dout], dx, ([a], o) => this.x.avgPoolBack(a!, o, this.alloc(g.c)), true);
  }

  biasAct(x: Float32Array, b: Float32Array, act: BiasActivation, y: Float32Array): void {
    this.begin();
    const px = this.put(x);
    const pb = this.put(b);
    this.x.biasAct(px, pb, px, x.length / b.length, b.length, BIAS_ACT_CODE[act]);
    this.get(px, y);
  }
  biasActBack(y: Float32Array, dy: Float32Array, act: BiasActivation, dx: Float32Array, db: Float32Array): void {
    this.begin();
    const py = this.put(y);
    const pg = this.put(dy);
    const pdb = this.alloc(db.length);
    this.x.biasActBack(py, pg, pg, pdb, y.length / db.length, db.length, BIAS_ACT_CODE[act]);
    this.get(pg, dx);
    this.get(pdb, db);
  }
}
