// One kernel tester for every op: random single-op (or small) graphs packed
// through the packer, run by the reference interpreter and by every wasm build,
// compared exactly. A mismatch reports the op, operand shapes, parameters, the
// output index (with coordinates), expected and actual values and the
// reference accumulator.
import { DType, DTYPE_NAMES, type AnyTypedArray } from '../../src/format/dtypes.js';
import { Location } from '../../src/format/layout.js';
import type { MnwFile } from '../../src/format/model.js';
import { OP_BY_ID } from '../../src/format/ops.js';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS, type BuildName } from '../../src/runtime/wasm.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';

/** A small, fast, seedable PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** Log-uniform positive number in [lo, hi]. */
  logUniform(lo: number, hi: number): number {
    return Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo)));
  }
  int8Array(n: number, lo = -128, hi = 127): Int8Array {
    const a = new Int8Array(n);
    for (let i = 0; i < n; i++) a[i] = this.int(lo, hi);
    return a;
  }
  int16Array(n: number, lo = -32768, hi = 32767): Int16Array {
    const a = new Int16Array(n);
    for (let i = 0; i < n; i++) a[i] = this.int(lo, hi);
    return a;
  }
  int32Array(n: number, lo: number, hi: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.int(lo, hi);
    return a;
  }
  float32Array(n: number, lo: number, hi: number): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + this.next() * (hi - lo);
    return a;
  }
}

/** Channel counts that hit vector-tile edges: below, at and above 16 (and 8, 32). */
export const EDGE_CHANNELS = [1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33] as const;

/** Random input data covering the type's whole range. */
export function randomInput(file: MnwFile, k: number, rng: Rng): AnyTypedArray {
  const t = file.tensors[file.inputs[k]!]!;
  const n = t.shape.reduce((a, b) => a * b, 1);
  switch (t.dtype) {
    case DType.INT8: return rng.int8Array(n);
    case DType.INT16: return rng.int16Array(n);
    case DType.FLOAT32: return rng.float32Array(n, -4, 4);
    default: throw new Error(`randomInput: unsupported input type ${DTYPE_NAMES[t.dtype]}`);
  }
}

export interface KernelCheckOptions {
  /** How many random graphs to try. */
  cases?: number;
  seed?: number;
  /** Builds to check (default: all three). */
  builds?: readonly BuildName[];
  /** Custom input data instead of uniform random values. */
  inputs?: (file: MnwFile, rng: Rng) => AnyTypedArray[];
}

export interface KernelCheckResult {
  cases: number;
  /** Output elements compared per build. */
  compared: number;
}

function coords(shape: readonly number[], index: number): number[] {
  const c: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    c.unshift(index % shape[d]!);
    index = Math.floor(index / shape[d]!);
  }
  return c;
}

function describeGraph(file: MnwFile): string {
  const names = file.metadata.tensorNames;
  return file.ops
    .map((o) => {
      const def = OP_BY_ID.get(o.opcode)!;
      const operand = (i: number) => {
        if (i === 0xffff) return '-';
        const t = file.tensors[i]!;
        return `${names[i]}[${t.shape}] ${DTYPE_NAMES[t.dtype]} s=${t.scale} zp=${t.zeroPoint}`;
      };
      const params = def.params.map((p, k) => `${p}=${o.params[k]}`).join(' ');
      return `${def.name}\n    in:  ${o.inputs.map(operand).join('\n         ')}\n    out: ${o.outputs.map(operand).join(', ')}\n    params: ${params}`;
    })
    .join('\n  ');
}

/** The arena bytes a run may write: the model's inputs, each op's outputs and scratch tensors. */
function writableBytes(file: MnwFile): Uint8Array {
  const w = new Uint8Array(file.arenaBytes);
  const mark = (t: number) => {
    const r = file.tensors[t];
    if (r && r.location === Location.ARENA) w.fill(1, r.offset, r.offset + r.bytes);
  };
  file.inputs.forEach(mark);
  for (const op of file.ops) [...op.outputs, ...op.temps].forEach(mark);
  return w;
}

/** Fills a byte range with the generator's noise. */
function fillNoise(bytes: Uint8Array, rng: Rng): void {
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(0, 255);
}

/**
 * Builds `cases` random graphs with `make`, runs each through the reference
 * interpreter and every wasm build, and throws on the first inexact element.
 */
export async function checkKernel(make: (rng: Rng, caseIndex: number) => GraphBuilder, options: KernelCheckOptions = {}): Promise<KernelCheckResult> {
  const cases = options.cases ?? 20;
  const builds = options.builds ?? BUILDS;
  let compared = 0;
  for (let c = 0; c < cases; c++) {
    const rng = new Rng((options.seed ?? 1234) * 7919 + c);
    const g = make(rng, c);
    const { bytes } = g.pack();
    const file = readMnw(bytes);
    const inputs = options.inputs ? options.inputs(file, rng) : file.inputs.map((_, k) => randomInput(file, k, rng));
    const refAccs: (Int32Array | undefined)[] = [];
    const ref = runReference(file, inputs, { accumulators: true, afterOp: (i, op) => (refAccs[i] = op.accumulators) });
    for (const build of builds) {
      const m = await loadModel(bytes, { build });
      if (m.build !== build) throw new Error(`asked for the ${build} build, got ${m.build}`);
      // Kernels may not count on a clean arena (scratch and outputs start as
      // noise), and write nothing but their outputs and scratch.
      const memory = (m as unknown as { memory: WebAssembly.Memory }).memory;
      const arena = new Uint8Array(memory.buffer, m.arenaAt, m.arenaBytes);
      fillNoise(arena, rng);
      const before = arena.slice();
      const outs = m.run(inputs as (Int8Array | Int16Array | Float32Array)[]);
      const written = writableBytes(file);
      for (let i = 0; i < arena.length; i++) {
        if (!written[i] && arena[i] !== before[i])
          throw new Error(`case ${c}, ${build} build: arena byte ${i} changed, outside every output and scratch tensor\n  ${describeGraph(file)}`);
      }
      outs.forEach((o, k) => {
        const want = ref.outputs[k]!;
        const got = o.raw;
        if (want.length !== got.length) throw new Error(`case ${c}, ${build}: output ${k} has ${got.length} values, reference ${want.length}`);
        for (let i = 0; i < want.length; i++) {
          const a = want[i]!;
          const b = got[i]!;
          if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) {
            const t = file.tensors[file.outputs[k]!]!;
            const producer = file.ops.findIndex((op) => op.outputs.includes(file.outputs[k]!));
            const acc = refAccs[producer]?.[i];
            throw new Error(
              `kernel mismatch (case ${c}, seed ${options.seed ?? 1234}, ${build} build)\n` +
                `  output ${k} "${file.metadata.outputs[k]}" [${t.shape}] index ${i} at [${coords(t.shape, i)}]: ` +
                `reference ${a}, wasm ${b}${acc !== undefined ? `, accumulator ${acc}` : ''}\n  ${describeGraph(file)}`,
            );
          }
        }
        compared += want.length;
      });
      m.dispose();
    }
  }
  return { cases, compared };
}
