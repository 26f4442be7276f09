// Shared by the quantize tests: small float models made with the training
// library, data as .npy files, and the bit-exactness check (reference
// interpreter against every wasm build).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { saveModel } from '../../src/train/io.js';
import { layers as L } from '../../src/train/layers.js';
import { apply, input, model, sequential, type Model } from '../../src/train/model.js';
import { encodeNpy } from '../../src/io/npy.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'minnow-q-'));
}

/** Deterministic uniform data in [lo, hi). */
export function randomData(n: number, seed: number, lo = 0, hi = 1): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  return a;
}

/** Writes samples [N, ...shape] as a float32 .npy file. */
export function writeNpy(dir: string, name: string, data: Float32Array, shape: number[]): string {
  const f = join(dir, name);
  writeFileSync(f, encodeNpy(data, shape));
  return f;
}

/** Gives BatchNorm layers non-trivial statistics so folding is really tested. */
function perturbBatchNorm(m: Model): void {
  for (const w of m.namedWeights()) {
    const d = w.weight.tensor.data;
    if (w.name.endsWith('moving_mean')) d.forEach((_, i) => (d[i] = 0.1 * Math.sin(i + 1)));
    if (w.name.endsWith('moving_variance')) d.forEach((_, i) => (d[i] = 0.5 + 0.4 * Math.cos(i)));
    if (w.name.endsWith('gamma')) d.forEach((_, i) => (d[i] = 1 + 0.3 * Math.sin(2 * i)));
    if (w.name.endsWith('beta')) d.forEach((_, i) => (d[i] = 0.05 * Math.cos(3 * i)));
    if (w.name.endsWith('/bias')) d.forEach((_, i) => (d[i] = 0.02 * Math.sin(5 * i)));
  }
}

export const SMALL_MODELS: Record<string, () => Model> = {
  dense: () =>
    sequential([L.flatten(), L.dense({ units: 24, activation: 'relu' }), L.dense({ units: 10 })], { inputShape: [6, 6, 2], seed: 3 }),
  conv: () =>
    sequential([
      L.conv2d({ filters: 12, kernelSize: 3, padding: 'same' }), L.batchNormalization(), L.relu(),
      L.maxPool2d({}), L.conv2d({ filters: 17, kernelSize: 3, strides: 2, activation: 'relu6' }),
      L.globalAveragePool(), L.dense({ units: 5, activation: 'softmax' }),
    ], { inputShape: [12, 12, 3], seed: 4 }),
  separable: () =>
    sequential([
      L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L.depthwiseConv2d({ kernelSize: 3, padding: 'same' }), L.batchNormalization(), L.relu6(),
      L.separableConv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      L.averagePool2d({}), L.flatten(), L.dense({ units: 4 }),
    ], { inputShape: [10, 10, 3], seed: 5 }),
  residual: () => {
    const x = input([8, 8, 4]);
    const a = apply(L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }), x);
    const b = apply(L.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }), a);
    const s = apply(L.add(), [a, b]);
    const r = apply(L.relu(), s);
    const p = apply(L.zeroPadding2d({ padding: 1 }), r);
    const c = apply(L.conv2d({ filters: 6, kernelSize: 3 }), p);
    const cat = apply(L.concatenate(), [c, a]);
    const g = apply(L.globalAveragePool(), cat);
    return model({ inputs: x, outputs: apply(L.dense({ units: 3 }), g), seed: 6 });
  },
  tables: () =>
    sequential([
      L.flatten(), L.dense({ units: 16, activation: 'sigmoid' }), L.dense({ units: 16, activation: 'tanh' }),
      L.dense({ units: 12, activation: 'gelu' }), L.leakyRelu({ alpha: 0.1 }), L.dense({ units: 8, activation: 'elu' }),
      L.dense({ units: 6, activation: 'hardSwish' }), L.dense({ units: 4 }),
    ], { inputShape: [4, 4, 1], seed: 7 }),
};

export function saveSmall(kind: string, dir: string): { dir: string; inputShape: number[] } {
  const m = SMALL_MODELS[kind]!();
  perturbBatchNorm(m);
  const d = join(dir, kind);
  saveModel(m, d);
  return { dir: d, inputShape: [...m.inputShapes[0]!] };
}

/** The reference interpreter and every wasm build agree bit for bit on these inputs. */
export async function expectBitExact(bytes: Uint8Array, inputs: Float32Array[]): Promise<number> {
  const file = readMnw(bytes);
  const want = inputs.map((x) => runReference(file, [x]).outputs.map((o) => Array.from(o as ArrayLike<number>)));
  let compared = 0;
  for (const build of BUILDS) {
    const m = await loadModel(bytes, { build });
    expect(m.build).toBe(build);
    inputs.forEach((x, i) => {
      const got = m.run(x).map((o) => Array.from(o.raw as ArrayLike<number>));
      expect(got, `${build} build, input ${i}`).toEqual(want[i]);
      compared += got.flat().length;
    });
    m.dispose();
  }
  return compared;
}
