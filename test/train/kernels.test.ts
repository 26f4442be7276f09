// One tester for every float kernel: random shapes that hit the SIMD edges
// (channels below, at and above 4; GEMM sizes off the 4x8 tile and the K block),
// wasm against the TypeScript reference, bit for bit.
import { describe, expect, it } from 'vitest';
import { jsKernels, loadWasmKernels, type Kernels, type Window } from '../../src/train/kernels/index.js';
import { windowOf } from '../../src/train/ops.js';
import { Rng } from '../../src/train/rng.js';

const wasm = loadWasmKernels();
const rng = new Rng(42);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

function same(a: Float32Array, b: Float32Array, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i])) throw new Error(`${what}: index ${i}: wasm ${a[i]} vs reference ${b[i]}`);
}

/** Runs f on both kernel sets with fresh output buffers; demands identical outputs. */
function check(what: string, sizes: number[], f: (k: Kernels, outs: Float32Array[]) => void): void {
  const a = sizes.map((n) => new Float32Array(n).fill(7));
  const b = sizes.map((n) => new Float32Array(n).fill(7));
  f(wasm!, a);
  f(jsKernels, b);
  a.forEach((o, i) => same(o, b[i]!, `${what} output ${i}`));
}

describe('float kernels: wasm SIMD matches the TypeScript reference bit for bit', () => {
  it('the wasm module loads (run "npm run build:wasm" if this fails)', () => {
    expect(wasm?.name).toBe('wasm-simd');
  });

  it('gemm over tile edges, K blocks, transposes and accumulation', () => {
    for (const [M, N, K] of [[1, 1, 1], [3, 7, 5], [4, 8, 256], [5, 9, 257], [13, 17, 300], [8, 16, 1], [33, 3, 600]] as const)
      for (const ta of [false, true])
        for (const tb of [false, true])
          for (const acc of [false, true]) {
            const a = rand(M * K), b = rand(K * N), c0 = rand(M * N);
            check(`gemm ${M}x${N}x${K} ta=${ta} tb=${tb} acc=${acc}`, [M * N], (k, [c]) => {
              c!.set(c0);
              k.gemm(M, N, K, a, ta, b, tb, c!, acc);
            });
          }
  });

  const windows: [string, Window][] = [];
  for (const c of [1, 3, 4, 5, 8, 13])
    for (const [kh, s, pad] of [[3, 1, 'same'], [3, 2, 'same'], [5, 1, 'valid'], [2, 2, 'valid'], [1, 1, 'valid'], [3, 2, 'valid']] as const)
      windows.push([`c=${c} k=${kh} s=${s} ${pad}`, windowOf([2, 7, 6, c], kh, kh, s, s, pad)]);

  it('conv2d forward and both backward passes', () => {
    for (const [name, g] of windows) {
      const co = 1 + rng.int(9);
      const x = rand(g.n * g.h * g.w * g.c), w = rand(g.kh * g.kw * g.c * co), dy = rand(g.n * g.oh * g.ow * co);
      check(`conv2d ${name}`, [g.n * g.oh * g.ow * co], (k, [o]) => k.conv2d(g, x, w, co, o!));
      check(`conv2dBackInput ${name}`, [x.length], (k, [o]) => k.conv2dBackInput(g, dy, w, co, o!));
      check(`conv2dBackFilter ${name}`, [w.length], (k, [o]) => k.conv2dBackFilter(g, x, dy, co, o!));
    }
  });

  it('depthwise forward and both backward passes', () => {
    for (const [name, g] of windows) {
      const x = rand(g.n * g.h * g.w * g.c), w = rand(g.kh * g.kw * g.c), dy = rand(g.n * g.oh * g.ow * g.c);
      check(`depthwise ${name}`, [dy.length], (k, [o]) => k.depthwise(g, x, w, o!));
      check(`depthwiseBackInput ${name}`, [x.length], (k, [o]) => k.depthwiseBackInput(g, dy, w, o!));
      check(`depthwiseBackFilter ${name}`, [w.length], (k, [o]) => k.depthwiseBackFilter(g, x, dy, o!));
    }
  });

  it('max and average pooling, forward and backward (with ties)', () => {
    for (const [name, g] of windows) {
      // Rounded values make ties common, so "first maximum takes the gradient" is exercised.
      const x = rand(g.n * g.h * g.w * g.c).map((v) => Math.round(v * 2) / 2);
      const dy = rand(g.n * g.oh * g.ow * g.c);
      const y = new Float32Array(dy.length);
      jsKernels.maxPool(g, x, y);
      check(`maxPool ${name}`, [dy.length], (k, [o]) => k.maxPool(g, x, o!));
      check(`maxPoolBack ${name}`, [x.length], (k, [o]) => k.maxPoolBack(g, x, y, dy, o!));
      check(`avgPool ${name}`, [dy.length], (k, [o]) => k.avgPool(g, x, o!));
      check(`avgPoolBack ${name}`, [x.length], (k, [o]) => k.avgPoolBack(g, dy, o!));
    }
  });

  it('bias + activation epilogue, forward and backward', () => {
    for (const C of [1, 3, 4, 6, 8, 17])
      for (const act of ['linear', 'relu', 'relu6'] as const) {
        const rows = 5;
        const x = rand(rows * C).map((v) => v * 8), b = rand(C), dy = rand(rows * C);
        const y = new Float32Array(rows * C);
        jsKernels.biasAct(x, b, act, y);
        check(`biasAct C=${C} ${act}`, [rows * C], (k, [o]) => k.biasAct(x, b, act, o!));
        check(`biasActBack C=${C} ${act}`, [rows * C, C], (k, [dx, db]) => k.biasActBack(y, dy, act, dx!, db!));
      }
  });
});
