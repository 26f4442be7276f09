// Every op's gradient rule against central finite differences. The loss is
// sum(op(inputs) * R) for a fixed random R, evaluated in float64 from the
// float32 outputs; inputs avoid each op's kinks by more than the step.
import { describe, expect, it } from 'vitest';
import * as op from '../../src/train/ops.js';
import { UNARY, type UnaryName } from '../../src/train/ops.js';
import { Rng } from '../../src/train/rng.js';
import { Tensor } from '../../src/train/tensor.js';
import * as losses from '../../src/train/losses.js';

const H = 1e-2;

function randTensor(rng: Rng, shape: number[], lo = -1, hi = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => rng.uniform(lo, hi)), shape, true);
}

/** Moves values within `margin` of any kink k to k +- margin. */
function avoid(t: Tensor, kinks: number[], margin = 3 * H): Tensor {
  for (let i = 0; i < t.size; i++)
    for (const k of kinks) {
      const v = t.data[i]!;
      if (Math.abs(v - k) < margin) t.data[i] = v < k ? k - margin : k + margin;
    }
  return t;
}

/** Distinct values (gaps > 2H) in random order: no near-ties for max pooling. */
function distinct(rng: Rng, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const p = rng.permutation(n);
  return new Tensor(Float32Array.from(p, (v) => (v - n / 2) * 0.05), shape, true);
}

function gradcheck(name: string, inputs: Tensor[], f: (xs: Tensor[]) => Tensor, samplesPerInput = 24): void {
  const rng = new Rng(7);
  const out0 = f(inputs);
  const R = Float32Array.from({ length: out0.size }, () => rng.uniform(-1, 1));
  const lossOf = (o: Tensor) => {
    let s = 0;
    for (let i = 0; i < o.size; i++) s += o.data[i]! * R[i]!;
    return s;
  };
  for (const x of inputs) x.grad = null;
  const out = f(inputs);
  expect(out.node, `${name}: the op must record a gradient rule`).not.toBeNull();
  op.sum(op.mul(out, new Tensor(R, out.shape))).backward();
  inputs.forEach((x, k) => {
    if (!x.requiresGrad) return;
    const g = x.grad;
    expect(g, `${name}: input ${k} got no gradient`).not.toBeNull();
    const idx = x.size <= samplesPerInput ? [...Array(x.size).keys()] : Array.from({ length: samplesPerInput }, () => rng.int(x.size));
    for (const i of idx) {
      const v = x.data[i]!;
      x.data[i] = v + H;
      const up = lossOf(f(inputs));
      x.data[i] = v - H;
      const down = lossOf(f(inputs));
      x.data[i] = v;
      const numeric = (up - down) / (2 * H);
      const analytic = g![i]!;
      const tol = 3e-3 + 3e-2 * Math.max(Math.abs(numeric), Math.abs(analytic));
      if (!(Math.abs(numeric - analytic) <= tol))
        throw new Error(`${name}: input ${k} [${x.shape}] index ${i}: analytic ${analytic}, numeric ${numeric}`);
    }
  });
}

const UNARY_CASES: Record<UnaryName, { lo?: number; hi?: number; kinks?: number[]; a?: number; b?: number }> = {
  relu: { kinks: [0] },
  relu6: { lo: -2, hi: 8, kinks: [0, 6] },
  leakyRelu: { kinks: [0], a: 0.2 },
  elu: { kinks: [0], a: 1.3 },
  sigmoid: { lo: -4, hi: 4 },
  tanh: { lo: -2, hi: 2 },
  gelu: { lo: -3, hi: 3 },
  hardSwish: { lo: -5, hi: 5, kinks: [-3, 3] },
  softplus: { lo: -4, hi: 4 },
  square: {},
  abs: { kinks: [0] },
  exp: { lo: -2, hi: 2 },
  log: { lo: 0.5, hi: 3 },
  rsqrt: { lo: 0.5, hi: 3 },
  huber: { lo: -3, hi: 3, kinks: [-1.5, 1.5], a: 1.5 },
  clip: { lo: -2, hi: 2, kinks: [-0.5, 0.7], a: -0.5, b: 0.7 },
  affine: { a: -1.7, b: 0.3 },
};

describe('gradient rules match finite differences', () => {
  const rng = new Rng(1);

  it('covers every elementwise op in the table', () => {
    expect(Object.keys(UNARY_CASES).sort()).toEqual(Object.keys(UNARY).sort());
  });

  for (const [name, c] of Object.entries(UNARY_CASES) as [UnaryName, (typeof UNARY_CASES)[UnaryName]][])
    it(`unary ${name}`, () => {
      const x = avoid(randTensor(rng, [3, 5], c.lo ?? -1, c.hi ?? 1), c.kinks ?? []);
      gradcheck(name, [x], ([t]) => op.unary(name, t!, c.a, c.b));
    });

  it('add, sub, mul', () => {
    for (const [name, f] of [['add', op.add], ['sub', op.sub], ['mul', op.mul]] as const)
      gradcheck(name, [randTensor(rng, [2, 3, 4]), randTensor(rng, [2, 3, 4])], ([a, b]) => f(a!, b!));
  });

  it('per-channel: addChannel, mulChannel, sumChannel', () => {
    gradcheck('addChannel', [randTensor(rng, [2, 3, 5]), randTensor(rng, [5])], ([a, b]) => op.addChannel(a!, b!));
    gradcheck('mulChannel', [randTensor(rng, [2, 3, 5]), randTensor(rng, [5])], ([a, b]) => op.mulChannel(a!, b!));
    gradcheck('sumChannel', [randTensor(rng, [4, 3])], ([a]) => op.sumChannel(a!));
  });

  it('biasAct (linear, relu, relu6), channels on and off the SIMD width', () => {
    for (const act of ['linear', 'relu', 'relu6'] as const)
      for (const C of [3, 8]) {
        const b = randTensor(rng, [C], -0.5, 0.5);
        const x = randTensor(rng, [4, C], -3, 9);
        // keep x + b away from the kinks at 0 and 6
        for (let i = 0; i < x.size; i++) {
          const s = x.data[i]! + b.data[i % C]!;
          for (const k of [0, 6]) if (Math.abs(s - k) < 0.05) x.data[i] = x.data[i]! + 0.1;
        }
        gradcheck(`biasAct ${act} C=${C}`, [x, b], ([a, c]) => op.biasAct(a!, c!, act));
      }
  });

  it('sum, mean, reshape, concat, pad2d', () => {
    gradcheck('sum', [randTensor(rng, [3, 4])], ([a]) => op.sum(a!));
    gradcheck('mean', [randTensor(rng, [3, 4])], ([a]) => op.mean(a!));
    gradcheck('reshape', [randTensor(rng, [3, 4])], ([a]) => op.reshape(a!, [2, 6]));
    gradcheck('concat', [randTensor(rng, [2, 2, 3]), randTensor(rng, [2, 2, 1]), randTensor(rng, [2, 2, 2])], (xs) => op.concat(xs));
    gradcheck('pad2d', [randTensor(rng, [2, 3, 2, 2])], ([a]) => op.pad2d(a!, 1, 0, 2, 1));
  });

  it('softmax, logSoftmax, pick', () => {
    gradcheck('softmax', [randTensor(rng, [3, 5], -2, 2)], ([a]) => op.softmax(a!));
    gradcheck('logSoftmax', [randTensor(rng, [3, 5], -2, 2)], ([a]) => op.logSoftmax(a!));
    gradcheck('pick', [randTensor(rng, [4, 3])], ([a]) => op.pick(a!, [2, 0, 1, 2]));
  });

  it('matmul', () => {
    gradcheck('matmul', [randTensor(rng, [5, 7]), randTensor(rng, [7, 9])], ([a, b]) => op.matmul(a!, b!));
  });

  it('conv2d: same and valid padding, strides, 1x1', () => {
    for (const [k, s, pad, ci, co] of [[3, 1, 'same', 3, 5], [3, 2, 'same', 2, 4], [2, 1, 'valid', 5, 3], [1, 1, 'valid', 4, 6]] as const)
      gradcheck(`conv2d k${k} s${s} ${pad}`, [randTensor(rng, [2, 5, 6, ci]), randTensor(rng, [k, k, ci, co])], ([x, w]) =>
        op.conv2d(x!, w!, [s, s], pad));
  });

  it('depthwiseConv2d', () => {
    for (const [k, s, pad, c] of [[3, 1, 'same', 5], [3, 2, 'valid', 4], [2, 2, 'same', 9]] as const)
      gradcheck(`depthwise k${k} s${s} ${pad}`, [randTensor(rng, [2, 6, 5, c]), randTensor(rng, [k, k, c])], ([x, w]) =>
        op.depthwiseConv2d(x!, w!, [s, s], pad));
  });

  it('maxPool2d and avgPool2d (overlapping and padded windows)', () => {
    for (const [p, s, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same']] as const) {
      gradcheck(`maxPool p${p} s${s} ${pad}`, [distinct(rng, [2, 5, 6, 5])], ([x]) => op.maxPool2d(x!, [p, p], [s, s], pad));
      gradcheck(`avgPool p${p} s${s} ${pad}`, [randTensor(rng, [2, 5, 6, 5])], ([x]) => op.avgPool2d(x!, [p, p], [s, s], pad));
    }
  });

  it('losses built from the ops', () => {
    const logits = () => randTensor(rng, [4, 3], -2, 2);
    const oneHot = new Tensor(Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]), [4, 3]);
    const labels = Tensor.from([0, 1, 2, 0]);
    gradcheck('categoricalCrossentropy logits', [logits()], ([p]) => losses.categoricalCrossentropy(p!, oneHot, true));
    gradcheck('sparseCategoricalCrossentropy logits', [logits()], ([p]) => losses.sparseCategoricalCrossentropy(p!, labels, true));
    const probs = () => new Tensor(Float32Array.from({ length: 12 }, () => rng.uniform(0.1, 0.9)), [4, 3], true);
    gradcheck('categoricalCrossentropy probs', [probs()], ([p]) => losses.categoricalCrossentropy(p!, oneHot));
    const bt = Tensor.from([1, 0, 1, 0, 0, 1], [6, 1]);
    gradcheck('binaryCrossentropy logits', [randTensor(rng, [6, 1], -2, 2)], ([p]) => losses.binaryCrossentropy(p!, bt, true));
    gradcheck('binaryCrossentropy probs', [new Tensor(Float32Array.from({ length: 6 }, () => rng.uniform(0.1, 0.9)), [6, 1], true)],
      ([p]) => losses.binaryCrossentropy(p!, bt));
    const target = new Tensor(Float32Array.from({ length: 12 }, () => rng.uniform(-1, 1)), [4, 3]);
    gradcheck('mse', [randTensor(rng, [4, 3])], ([p]) => losses.mse(p!, target));
    gradcheck('mae', [avoid(randTensor(rng, [4, 3]), [])], ([p]) => {
      return losses.mae(p!, target);
    });
    gradcheck('huber', [randTensor(rng, [4, 3], -3, 3)], ([p]) => losses.huber(p!, target, 1));
  });

  it('a graph that reuses a tensor accumulates both paths', () => {
    gradcheck('x*x + x', [randTensor(rng, [6])], ([x]) => op.add(op.mul(x!, x!), x!));
  });
});
