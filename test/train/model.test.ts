// Models: learning, determinism, kernels agreement, save/load exactness, the
// functional API, BatchNorm, optimizers and callbacks, typed errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../src/train/callbacks.js';
import { randomShift } from '../../src/train/data/transform.js';
import { TrainError } from '../../src/train/errors.js';
import { deserialize, loadModel, saveModel, serialize } from '../../src/train/io.js';
import { jsKernels, kernels, useKernels } from '../../src/train/kernels/index.js';
import { createLayer, layers as L } from '../../src/train/layers.js';
import { apply, input, model, sequential, type Model } from '../../src/train/model.js';
import { createOptimizer, learningRateAt } from '../../src/train/optimizers.js';
import { Rng } from '../../src/train/rng.js';
import { Tensor } from '../../src/train/tensor.js';

afterEach(() => {
  useKernels('wasm-simd');
});

/** Two Gaussian blobs per class around 3 centres in 2-D: learnable by a small MLP. */
function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const centres = [[-2, 0], [2, 0], [0, 2.5]];
  const x = new Float32Array(n * 2), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x[2 * i] = centres[c]![0]! + rng.normal() * 0.6;
    x[2 * i + 1] = centres[c]![1]! + rng.normal() * 0.6;
    y[i] = c;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

/** Small images whose class is which quadrant is bright. */
function quadrants(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 8 * 8), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const q = rng.int(4);
    y[i] = q;
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++) {
        const inQ = (r < 4 ? 0 : 2) + (c < 4 ? 0 : 1) === q;
        x[i * 64 + r * 8 + c] = (inQ ? 0.8 : 0.1) + rng.uniform(-0.1, 0.1);
      }
  }
  return { x: new Tensor(x, [n, 8, 8, 1]), y: new Tensor(y, [n]) };
}

function smallCnn(seed: number): Model {
  return sequential([
    L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal' }),
    L.maxPool2d(),
    L.batchNormalization(),
    L.dropout({ rate: 0.1 }),
    L.flatten(),
    L.dense({ units: 4 }),
  ], { inputShape: [8, 8, 1], seed }).compile({
    optimizer: { type: 'adam', learningRate: 0.01 },
    loss: { type: 'sparseCategoricalCrossentropy', fromLogits: true },
    metrics: ['accuracy'],
  });
}

function weightBytes(m: Model): Buffer {
  return Buffer.concat(m.getWeights().map((w) => Buffer.from(w.buffer, w.byteOffset, w.byteLength)));
}

describe('training', () => {
  it('an MLP learns three blobs', () => {
    const { x, y } = blobs(600, 1);
    const m = sequential([L.dense({ units: 16, activation: 'tanh' }), L.dense({ units: 3 })], { inputShape: [2], seed: 3 });
    m.compile({ optimizer: { type: 'adam', learningRate: 0.02 }, loss: { type: 'sparseCategoricalCrossentropy', fromLogits: true }, metrics: ['accuracy'] });
    const before = m.evaluate(x, y);
    const h = m.fit(x, y, { epochs: 15, batchSize: 32, verbose: 0 });
    const test = blobs(300, 2);
    const after = m.evaluate(test.x, test.y);
    expect(h.epochs[h.epochs.length - 1]!.loss).toBeLessThan(h.epochs[0]!.loss);
    expect(after.loss).toBeLessThan(before.loss / 4);
    expect(after.accuracy).toBeGreaterThan(0.95);
  });

  it('a small CNN with BatchNorm, dropout and augmentation learns, and the same seed gives the same bytes', () => {
    const { x, y } = quadrants(256, 4);
    const run = (seed: number) => {
      const m = smallCnn(seed);
      m.fit(x, y, { epochs: 4, batchSize: 32, verbose: 0, augment: randomShift(1) });
      return m;
    };
    const a = run(5), b = run(5), c = run(6);
    expect(a.evaluate(x, y).accuracy).toBeGreaterThan(0.9);
    expect(weightBytes(a).equals(weightBytes(b))).toBe(true);
    expect(weightBytes(a).equals(weightBytes(c))).toBe(false);
  });

  it('the TypeScript kernels train to the same bytes as the wasm kernels', () => {
    const { x, y } = quadrants(64, 9);
    useKernels('wasm-simd');
    const a = smallCnn(11);
    a.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    useKernels('js');
    expect(kernels()).toBe(jsKernels);
    const b = smallCnn(11);
    b.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    expect(weightBytes(a).equals(weightBytes(b))).toBe(true);
  });

  it('validationSplit reports val_ metrics; early stopping restores the best weights', () => {
    const { x, y } = blobs(300, 3);
    const m = sequential([L.dense({ units: 8, activation: 'relu' }), L.dense({ units: 3 })], { inputShape: [2], seed: 1 });
    m.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: { type: 'sparseCategoricalCrossentropy', fromLogits: true } });
    const snapshots: Buffer[] = [];
    // A huge minDelta means no epoch after the first counts as better: stop after patience + 1 more epochs.
    const es = new EarlyStopping({ monitor: 'val_loss', patience: 1, minDelta: 10, restoreBestWeights: true });
    const h = m.fit(x, y, {
      epochs: 30, batchSize: 16, validationSplit: 0.3, verbose: 0,
      callbacks: [es, { onEpochEnd: () => void snapshots.push(weightBytes(m)) }],
    });
    expect(h.epochs[0]).toHaveProperty('val_loss');
    expect(es.stoppedEpoch).toBe(2);
    expect(h.epochs.length).toBe(3);
    expect(es.bestEpoch).toBe(0);
    expect(es.best).toBe(h.epochs[0]!.val_loss);
    expect(weightBytes(m).equals(snapshots[2]!)).toBe(false);
    expect(weightBytes(m).equals(snapshots[0]!)).toBe(true);
    // without a huge minDelta, the best epoch is the one with the lowest val_loss
    const es2 = new EarlyStopping({ monitor: 'val_loss', patience: 100 });
    const h2 = m.fit(x, y, { epochs: 5, batchSize: 16, validationSplit: 0.3, verbose: 0, callbacks: [es2] });
    expect(es2.best).toBe(Math.min(...h2.epochs.map((e) => e.val_loss!)));
  });

  it('progress: plain lines per epoch when not a terminal, a redrawn bar on a terminal', () => {
    const { x, y } = blobs(90, 1);
    const mk = () => sequential([L.dense({ units: 3 })], { inputShape: [2] }).compile({ loss: { type: 'sparseCategoricalCrossentropy', fromLogits: true }, metrics: ['accuracy'] });
    let plain = '';
    mk().fit(x, y, { epochs: 2, batchSize: 30, progressStream: { write: (s: string) => (plain += s), isTTY: false } });
    const lines = plain.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 1\/2 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}\d+ samples\/s/);
    let tty = '';
    mk().fit(x, y, { epochs: 1, batchSize: 30, progressStream: { write: (s: string) => (tty += s), isTTY: true, columns: 200 } });
    expect(tty).toContain('\r');
    expect(tty).toMatch(/\[=*>? *\] \d+\/90/);
    expect(tty).toMatch(/ETA \d+s/);
    let narrow = '';
    mk().fit(x, y, { epochs: 1, batchSize: 30, progressStream: { write: (s: string) => (narrow += s), isTTY: true, columns: 64 } });
    const drawn = narrow.split('\r').filter((l) => l.includes('['));
    expect(drawn.length).toBeGreaterThan(0);
    for (const l of drawn) expect(l.replace(/\x1b\[K|\n/g, '').length).toBeLessThanOrEqual(63);
    expect(drawn[0]).toMatch(/^1\/1 \[.*\] 30\/90 loss \d\.\d{4} accuracy \d\.\d{4} \d+\/s ETA \d+s/);
  });
});

describe('optimizers and schedules', () => {
  function minimize(opt: Parameters<typeof createOptimizer>[0], steps: number): number {
    // f(w) = sum (w - 3)^2, gradient 2 (w - 3)
    const w = new Tensor(Float32Array.from([0, 10, -4]), [3], true);
    const weight = { name: 'kernel', tensor: w, trainable: true, decay: false };
    const o = createOptimizer(opt);
    for (let i = 0; i < steps; i++) {
      w.grad = w.data.map((v) => 2 * (v - 3));
      o.step([weight]);
    }
    return Math.max(...w.data.map((v) => Math.abs(v - 3)));
  }

  it('SGD, momentum, Nesterov, Adam, AdamW (no decay), RMSProp reach the minimum', () => {
    expect(minimize({ type: 'sgd', learningRate: 0.1 }, 100)).toBeLessThan(1e-4);
    expect(minimize({ type: 'sgd', learningRate: 0.05, momentum: 0.9 }, 300)).toBeLessThan(1e-3);
    expect(minimize({ type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true }, 300)).toBeLessThan(1e-3);
    expect(minimize({ type: 'adam', learningRate: 0.3 }, 500)).toBeLessThan(1e-2);
    expect(minimize({ type: 'adamw', learningRate: 0.3, weightDecay: 0 }, 500)).toBeLessThan(1e-2);
    expect(minimize({ type: 'rmsprop', learningRate: 0.01 }, 2000)).toBeLessThan(2e-2);
  });

  it('decoupled weight decay shrinks kernels and spares biases', () => {
    const k = new Tensor(Float32Array.of(1), [1], true), b = new Tensor(Float32Array.of(1), [1], true);
    const o = createOptimizer({ type: 'sgd', learningRate: 0.1, weightDecay: 0.5 });
    k.grad = Float32Array.of(0);
    b.grad = Float32Array.of(0);
    o.step([{ name: 'kernel', tensor: k, trainable: true, decay: true }, { name: 'bias', tensor: b, trainable: true, decay: false }]);
    expect(k.data[0]).toBeCloseTo(0.95, 6);
    expect(b.data[0]).toBe(1);
  });

  it('clipNorm scales gradients to the global norm; clipValue clamps', () => {
    const w = new Tensor(Float32Array.of(0, 0), [2], true);
    const o = createOptimizer({ type: 'sgd', learningRate: 1, clipNorm: 1 });
    w.grad = Float32Array.of(3, 4);
    o.step([{ name: 'kernel', tensor: w, trainable: true, decay: false }]);
    expect([...w.data].map((v) => +v.toFixed(6))).toEqual([-0.6, -0.8]);
    const o2 = createOptimizer({ type: 'sgd', learningRate: 1, clipValue: 0.5 });
    w.data.fill(0);
    w.grad = Float32Array.of(3, -0.25);
    o2.step([{ name: 'kernel', tensor: w, trainable: true, decay: false }]);
    expect([...w.data]).toEqual([-0.5, 0.25]);
  });

  it('learning-rate schedules', () => {
    expect(learningRateAt({ type: 'step', initial: 1, every: 10, factor: 0.5 }, 25)).toBe(0.25);
    expect(learningRateAt({ type: 'exponential', initial: 1, decaySteps: 10, rate: 0.5 }, 20)).toBeCloseTo(0.25, 12);
    expect(learningRateAt({ type: 'cosine', initial: 1, decaySteps: 100 }, 50)).toBeCloseTo(0.5, 12);
    expect(learningRateAt({ type: 'cosine', initial: 1, decaySteps: 100, alpha: 0.1 }, 100)).toBeCloseTo(0.1, 12);
    const w = { type: 'warmup', warmupSteps: 4, after: { type: 'constant', value: 0.8 } } as const;
    expect([0, 1, 2, 3, 4, 9].map((s) => learningRateAt(w, s))).toEqual([0.2, 0.4, 0.6000000000000001, 0.8, 0.8, 0.8]);
  });
});

describe('regularization and initialization', () => {
  it('L1 / L2 kernel penalties are added to the training loss', () => {
    const x = Tensor.from([1, 2, 3, 4], [2, 2]);
    const y = Tensor.from([0, 1]);
    const mk = (reg?: { l1?: number; l2?: number }) =>
      sequential([L.dense({ units: 2, kernelRegularizer: reg })], { inputShape: [2], seed: 4 })
        .compile({ optimizer: { type: 'sgd', learningRate: 0 }, loss: { type: 'sparseCategoricalCrossentropy', fromLogits: true } });
    const plain = mk().trainOnBatch(x, y).loss;
    const m = mk({ l1: 0.1, l2: 0.01 });
    const k = m.layers[1]!.weight('kernel').tensor.data;
    const l1 = k.reduce((a, v) => a + Math.abs(v), 0), l2 = k.reduce((a, v) => a + v * v, 0);
    expect(m.trainOnBatch(x, y).loss).toBeCloseTo(plain + 0.1 * l1 + 0.01 * l2, 5);
  });

  it('He, Glorot and LeCun initializers have the right spread; the seed fixes the values', () => {
    const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    const kernel = (init: string, seed = 1) => {
      const m = sequential([L.conv2d({ filters: 64, kernelSize: 3, kernelInitializer: init as 'heNormal' })], { inputShape: [8, 8, 32], seed });
      return m.layers[1]!.weight('kernel').tensor.data;
    };
    const fanIn = 3 * 3 * 32, fanOut = 3 * 3 * 64;
    expect(std(kernel('heNormal'))).toBeCloseTo(Math.sqrt(2 / fanIn), 2);
    expect(std(kernel('lecunNormal'))).toBeCloseTo(Math.sqrt(1 / fanIn), 2);
    expect(std(kernel('glorotNormal'))).toBeCloseTo(Math.sqrt(2 / (fanIn + fanOut)), 2);
    const hu = kernel('heUniform');
    expect(Math.max(...hu.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / fanIn));
    expect(std(hu)).toBeCloseTo(Math.sqrt(2 / fanIn), 2);
    expect(std(kernel('glorotUniform'))).toBeCloseTo(Math.sqrt(2 / (fanIn + fanOut)), 2);
    expect(Math.max(...kernel('heNormal').map(Math.abs))).toBeLessThanOrEqual((2 * Math.sqrt(2 / fanIn)) / 0.87962566103423978 + 1e-6);
    expect(Buffer.from(kernel('heNormal', 3).buffer).equals(Buffer.from(kernel('heNormal', 3).buffer))).toBe(true);
    expect(Buffer.from(kernel('heNormal', 3).buffer).equals(Buffer.from(kernel('heNormal', 4).buffer))).toBe(false);
  });
});

describe('layers', () => {
  it('BatchNormalization: batch statistics in training, moving statistics in inference', () => {
    const bn = L.batchNormalization({ momentum: 0.5, epsilon: 1e-3 });
    const m = sequential([bn], { inputShape: [2] });
    const x = Tensor.from([1, 10, 3, 20, 5, 30], [3, 2]);
    const y = m.forward(x, true);
    // column 0: mean 3, variance 8/3
    expect(y.data[0]).toBeCloseTo((1 - 3) / Math.sqrt(8 / 3 + 1e-3), 5);
    expect([...bn.weight('moving_mean').tensor.data]).toEqual([1.5, 10]);
    expect(bn.weight('moving_variance').tensor.data[0]).toBeCloseTo(0.5 + 0.5 * (8 / 3), 5);
    const yi = m.forward(x, false);
    expect(yi.data[0]).toBeCloseTo((1 - 1.5) / Math.sqrt(bn.weight('moving_variance').tensor.data[0]! + 1e-3), 5);
  });

  it('Dropout is the identity in inference and scales kept values in training', () => {
    const m = sequential([L.dropout({ rate: 0.5 })], { inputShape: [1000] });
    const x = new Tensor(new Float32Array(1000).fill(1), [1, 1000]);
    expect([...m.forward(x, false).data].every((v) => v === 1)).toBe(true);
    const y = m.forward(x, true, new Rng(3)).data;
    expect([...y].every((v) => v === 0 || v === 2)).toBe(true);
    const kept = y.filter((v) => v === 2).length;
    expect(kept).toBeGreaterThan(400);
    expect(kept).toBeLessThan(600);
  });

  it('every activation layer and pooling / padding shapes', () => {
    for (const t of ['ReLU', 'ReLU6', 'LeakyReLU', 'ELU', 'Sigmoid', 'Tanh', 'Softmax', 'GELU', 'HardSwish']) {
      const m = sequential([createLayer(t)], { inputShape: [3] });
      const y = m.predict(Tensor.from([-1, 0.5, 7], [1, 3])).data;
      expect(y.every(Number.isFinite), t).toBe(true);
    }
    const relu6 = sequential([createLayer('ReLU6')], { inputShape: [3] }).predict(Tensor.from([-1, 0.5, 7], [1, 3]));
    expect([...relu6.data]).toEqual([0, 0.5, 6]);
    const m = sequential([
      L.zeroPadding2d({ padding: [[1, 0], [2, 1]] }), // 5x6 -> 6x9
      L.averagePool2d({ poolSize: 3, strides: 2, padding: 'same' }), // 3x5
      L.separableConv2d({ filters: 7, kernelSize: 3, padding: 'valid' }), // 1x3x7
      L.globalAveragePool(),
    ], { inputShape: [5, 6, 2] });
    expect(m.layers.map((l) => l.outputShape)).toEqual([[5, 6, 2], [6, 9, 2], [3, 5, 2], [1, 3, 7], [7]]);
    expect(m.predict(new Tensor(new Float32Array(60), [1, 5, 6, 2])).shape).toEqual([1, 7]);
  });
});

/** A residual, two-input model with every kind of weight. */
function residualModel(seed: number): Model {
  const img = input([6, 6, 3], 'image');
  const extra = input([4], 'extra');
  let h = apply(L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu6' }), img);
  const skip = h;
  h = apply(L.depthwiseConv2d({ kernelSize: 3, padding: 'same' }), h);
  h = apply(L.batchNormalization(), h);
  h = apply(createLayer('HardSwish'), h);
  h = apply(L.add(), [h, skip]);
  h = apply(L.maxPool2d(), h);
  h = apply(L.globalAveragePool(), h);
  const e = apply(L.dense({ units: 4, activation: 'gelu', kernelRegularizer: { l2: 1e-3 } }), extra);
  h = apply(L.concatenate(), [h, e]);
  h = apply(L.dense({ units: 3, activation: 'softmax' }), h);
  return model({ inputs: [img, extra], outputs: h, seed });
}

describe('save and load', () => {
  const rng = new Rng(2);
  const n = 10;
  const xs = [
    new Tensor(Float32Array.from({ length: n * 108 }, () => rng.uniform(-1, 1)), [n, 6, 6, 3]),
    new Tensor(Float32Array.from({ length: n * 4 }, () => rng.uniform(-1, 1)), [n, 4]),
  ];
  const y = new Tensor(Float32Array.from({ length: n }, (_, i) => i % 3), [n]);

  it('a trained residual two-input model loads back with identical weights and outputs', () => {
    const m = residualModel(1).compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    m.fit(xs, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'minnow-train-'));
    saveModel(m, dir);
    const back = loadModel(dir);
    expect(weightBytes(back).equals(weightBytes(m))).toBe(true);
    expect(Buffer.from(back.predict(xs).data.buffer).equals(Buffer.from(m.predict(xs).data.buffer))).toBe(true);
    const { json, bin } = serialize(back);
    expect(json.layers.map((l) => l.type)).toEqual(m.layers.map((l) => l.type));
    expect(json.inputs.map((i) => i.name)).toEqual(['image', 'extra']);
    expect(json.weights.find((w) => w.name.endsWith('depthwise_conv2d_1/kernel'))!.shape).toEqual([3, 3, 8]);
    expect(json.weights.find((w) => w.name.endsWith('/moving_variance'))).toMatchObject({ trainable: false, bytes: 32 });
    expect(bin.byteLength).toBe(m.countParams() * 4);
    // offsets tile weights.bin exactly
    let at = 0;
    for (const w of json.weights) {
      expect(w.offset).toBe(at);
      at += w.bytes;
    }
    // forwardWithActivations returns one output per layer, the last equal to predict
    const acts = back.forwardWithActivations(xs);
    expect(acts.map((a) => a.name)).toEqual(back.layers.map((l) => l.name));
    expect([...acts[acts.length - 1]!.output.data]).toEqual([...back.predict(xs).data]);
  });

  it('bad model files get typed errors that name the problem', () => {
    const m = residualModel(2);
    const { json, bin } = serialize(m);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(TrainError);
        return `${(e as TrainError).code}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    const bad = structuredClone(json);
    bad.layers.find((l) => l.type === 'DepthwiseConv2D')!.type = 'Conv3D';
    expect(code(() => deserialize(bad, bin))).toMatch(/^E_UNKNOWN_LAYER: unknown layer type "Conv3D" \(layer "depthwise_conv2d_1"\); known types: Input, Dense/);
    expect(code(() => deserialize({ ...json, format: 'keras' }, bin))).toMatch(/^E_FORMAT: not a minnow float model/);
    expect(code(() => deserialize({ ...json, version: 99 }, bin))).toMatch(/^E_FORMAT: model format version 99/);
    expect(code(() => deserialize(json, bin.subarray(0, 100)))).toMatch(/^E_FORMAT: weight ".*" .* does not fit weights\.bin \(100 bytes\)/);
    const dir = mkdtempSync(join(tmpdir(), 'minnow-train-'));
    expect(code(() => loadModel(dir))).toMatch(/^E_FILE: no model\.json in /);
    writeFileSync(join(dir, 'model.json'), '{ nope');
    expect(code(() => loadModel(dir))).toMatch(/^E_FORMAT: .*model\.json is not valid JSON/);
    expect(code(() => createLayer('Dense', { units: 0 }))).toMatch(/^E_CONFIG: Dense: units must be a positive integer, got 0/);
    expect(code(() => createLayer('Conv2D', { filters: 2, kernelSize: 3, padding: 'full' }))).toMatch(/^E_CONFIG: Conv2D: padding must be "same" or "valid"/);
    // wrong input shape, NaN in data, fit before compile
    expect(code(() => m.predict([new Tensor(new Float32Array(5 * 36), [5, 6, 6, 1]), new Tensor(new Float32Array(20), [5, 4])])))
      .toMatch(/^E_SHAPE: input "image" expects \[batch, 6, 6, 3\], got \[5, 6, 6, 1\]/);
    expect(code(() => m.fit(xs, y))).toMatch(/^E_STATE: fit\(\) needs a compiled model/);
    m.compile({ loss: 'sparseCategoricalCrossentropy' });
    const nan = new Tensor(xs[1]!.data.slice(), xs[1]!.shape);
    nan.data[9] = NaN;
    expect(code(() => m.fit([xs[0]!, nan], y, { verbose: 0 }))).toMatch(/^E_DATA: fit: value NaN in sample 2 \(flat index 9\)/);
    const badLabels = Tensor.from(Array.from({ length: n }, (_, i) => (i === 4 ? 7 : 0)));
    expect(code(() => m.fit(xs, badLabels, { verbose: 0 }))).toMatch(/^E_DATA: label 7 at row \d+ is not a class index in 0\.\.2/);
  });
});
