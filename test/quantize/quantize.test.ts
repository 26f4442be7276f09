// quantizeModel end to end on small generated models and on the zoo's MNIST
// model: every wasm build matches the reference interpreter bit for bit, and
// the int8 model tracks the float one within stated bounds.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import { runFloat } from '../../quantize/ir/execute.js';
import { quantizeModel } from '../../quantize/quantize.js';
import { expectBitExact, randomData, saveSmall, tempDir, writeNpy } from './helpers.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, x = 0, y = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    x += a[i]! ** 2;
    y += b[i]! ** 2;
  }
  return d / Math.sqrt(x * y);
}

const tmp = tempDir();

/** kind → options and the bound on the worst output cosine against float. */
const CASES: [string, Parameters<typeof quantizeModel>[1], number][] = [
  ['dense', {}, 0.99],
  ['conv', {}, 0.99],
  ['separable', { method: 'mse' }, 0.99],
  ['residual', { method: 'percentile' }, 0.99],
  ['tables', { method: 'entropy' }, 0.95],
  ['tables', { int16: ['dense_1', 'dense_2', 'dense_3'] }, 0.95],
  ['dense', { int16: 'auto', method: 'auto', perTensor: true }, 0.99],
];

describe('quantizeModel on generated models', () => {
  for (const [kind, opts, bound] of CASES) {
    it(`${kind} ${JSON.stringify(opts)}: bit-exact in every build, float agreement`, async () => {
      const { dir, inputShape } = saveSmall(kind, tmp);
      const n = 96;
      const calib = writeNpy(tmp, `${kind}-calib.npy`, randomData(n * size(inputShape), 11), [n, ...inputShape]);
      const held = writeNpy(tmp, `${kind}-held.npy`, randomData(16 * size(inputShape), 12), [16, ...inputShape]);
      const r = await quantizeModel(dir, { calib, evalData: held, layerSamples: 4, ...opts });
      expect(r.build).toMatch(/^wasm-/);
      const xs = Array.from({ length: 6 }, (_, i) => randomData(size(inputShape), 100 + i, -0.2, 1.2));
      expect(await expectBitExact(r.bytes, xs)).toBeGreaterThan(0);
      // float vs int8 on held-out inputs
      const g = r.details.graph;
      const file = readMnw(r.bytes);
      const out = file.tensors[file.outputs[0]!]!;
      for (const x of xs) {
        const f = runFloat(g, [x], 1).get(g.outputs[0]!)!;
        const q = Array.from(runReference(file, [x]).outputs[0]! as ArrayLike<number>, (v) => (v - out.zeroPoint) * out.scale);
        expect(cosine(f, q)).toBeGreaterThan(bound);
      }
      expect(r.layers.length).toBeGreaterThan(0);
      for (const l of r.layers) expect(Number.isFinite(l.sqnrDb) && Number.isFinite(l.cosine)).toBe(true);
      if (Array.isArray(opts?.int16)) expect(file.tensors.some((t) => t.dtype === 2)).toBe(true);
    });
  }
});

const ZOO = process.env.MINNOW_MNIST_MODEL ?? join(import.meta.dirname, '../../models/mnist-cnn');

describe('zoo: mnist-cnn', () => {
  it.skipIf(!existsSync(join(ZOO, 'model.json')))('quantizes within 1 point of float, bit-exact in every build', async () => {
    const r = await quantizeModel(ZOO, { calib: 'mnist:train:300', evalData: 'mnist:test:500', layerSamples: 8 });
    expect(r.int8.metric).toBe('accuracy');
    expect(r.float.value - r.int8.value).toBeLessThan(0.01);
    expect(r.fileBytes / r.floatBytes).toBeLessThan(0.27);
    const xs = Array.from({ length: 8 }, (_, i) => randomData(784, 300 + i));
    await expectBitExact(r.bytes, xs);
  });
});
