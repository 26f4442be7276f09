// TF.js layers models: models built with the training library, written as
// TF.js layers models (model.json + a weight shard), imported back and
// compared with the training library's float forward pass.
import { mkdirSync, writeFileSync } from 'node:fs';
import { writeTfjs } from './helpers.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel as loadFloat } from '../../src/train/io.js';
import { Tensor } from '../../src/train/tensor.js';
import { ImportError, importModel } from '../../quantize/import/index.js';
import { runFloat } from '../../quantize/ir/execute.js';
import { randomData, saveSmall, tempDir } from '../quantize/helpers.js';

describe('TF.js layers models', () => {
  const root = tempDir();
  for (const kind of ['dense', 'conv', 'separable', 'residual', 'tables']) {
    it(`${kind}: imports and matches the float outputs`, () => {
      const { dir, inputShape } = saveSmall(kind, root);
      const json = writeTfjs(dir, join(root, `${kind}-tfjs`));
      const m = importModel(json);
      expect(m.format).toBe('tfjs');
      if (m.kind !== 'float') return;
      const n = 3;
      const x = randomData(n * inputShape.reduce((a, b) => a * b, 1), 5, -1, 1);
      const want = loadFloat(dir).predict(new Tensor(x, [n, ...inputShape])).data;
      const got = runFloat(m.graph, [x], n).get(m.graph.outputs[0]!)!;
      expect(got.length).toBe(want.length);
      let d = 0;
      for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i]! - want[i]!));
      expect(d).toBeLessThanOrEqual(1e-5);
    });
  }

  it('a hand-written Sequential model with quantized uint8 weights', () => {
    const dir = join(root, 'hand');
    mkdirSync(dir, { recursive: true });
    const json = {
      format: 'layers-model',
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 'seq', layers: [
          { class_name: 'Dense', config: { name: 'd1', units: 2, activation: 'relu', use_bias: true, batch_input_shape: [null, 3] } },
          { class_name: 'Dense', config: { name: 'd2', units: 1, activation: 'sigmoid', use_bias: false } },
        ] },
      },
      weightsManifest: [{ paths: ['w.bin'], weights: [
        { name: 'd1/kernel', shape: [3, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.01, min: -1 } },
        { name: 'd1/bias', shape: [2], dtype: 'float32' },
        { name: 'd2/kernel', shape: [2, 1], dtype: 'float32' },
      ] }],
    };
    const bin = new Uint8Array(6 + 8 + 8);
    bin.set([0, 50, 100, 150, 200, 250]);
    new DataView(bin.buffer).setFloat32(6, 0.5, true);
    new DataView(bin.buffer).setFloat32(10, -0.25, true);
    new DataView(bin.buffer).setFloat32(14, 1, true);
    new DataView(bin.buffer).setFloat32(18, 2, true);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'w.bin'), bin);
    const m = importModel(join(dir, 'model.json'));
    if (m.kind !== 'float') throw new Error('float model expected');
    const x = Float32Array.of(1, 2, 3);
    const k = [-1, -0.5, 0, 0.5, 1, 1.5]; // q * 0.01 * ... : 0→-1, 50→-0.5, ...
    const h = [0, 1].map((j) => Math.max(0, x[0]! * k[j]! + x[1]! * k[2 + j]! + x[2]! * k[4 + j]! + [0.5, -0.25][j]!));
    const want = 1 / (1 + Math.exp(-(h[0]! * 1 + h[1]! * 2)));
    expect(runFloat(m.graph, [x], 1).get(m.graph.outputs[0]!)![0]).toBeCloseTo(want, 5);
  });

  it('reports every unsupported layer at once', () => {
    const dir = join(root, 'bad');
    mkdirSync(dir, { recursive: true });
    const json = {
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [
        { class_name: 'LSTM', config: { name: 'lstm', units: 4, batch_input_shape: [null, 5, 3] } },
        { class_name: 'Dense', config: { name: 'd', units: 2, activation: 'swish' } },
      ] } },
      weightsManifest: [{ paths: [], weights: [] }],
    };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    let err: ImportError | undefined;
    try {
      importModel(join(dir, 'model.json'));
    } catch (e) {
      err = e as ImportError;
    }
    expect(err).toBeInstanceOf(ImportError);
    expect(err!.issues.map((i) => `${i.name} ${i.op}`)).toEqual(['lstm LSTM', 'd Dense']);
    expect(err!.message).toMatch(/"lstm" \(LSTM\): no minnow equivalent for the LSTM layer — replace/);
    expect(err!.message).toMatch(/"d" \(Dense\): activation "swish"/);
  });
});
