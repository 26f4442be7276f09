// Graph passes and calibration pieces: folding and fusion keep the float
// function; QDQ ranges are honored; observers pick sensible ranges.
import { describe, expect, it } from 'vitest';
import { runFloat } from '../../quantize/ir/execute.js';
import { fromTrainModel } from '../../quantize/load/minnow-float.js';
import { optimize } from '../../quantize/passes/fold.js';
import { RangeObserver } from '../../quantize/calibrate/observers.js';
import { assignQuant, lower } from '../../quantize/lower/lower.js';
import type { IrGraph } from '../../quantize/ir/graph.js';
import { Tensor } from '../../src/train/tensor.js';
import { randomData, SMALL_MODELS } from './helpers.js';

describe('passes', () => {
  for (const kind of ['conv', 'separable', 'residual', 'tables']) {
    it(`${kind}: optimized IR computes what the training library computes`, () => {
      const m = SMALL_MODELS[kind]!();
      // non-trivial BN statistics
      for (const w of m.namedWeights()) if (w.name.includes('moving_variance')) w.weight.tensor.data.fill(0.7);
      const g = fromTrainModel(m);
      const before = g.nodes.length;
      const log = optimize(g);
      if (kind === 'conv') {
        expect(log.folded.length).toBe(1);
        expect(log.fused.length).toBeGreaterThanOrEqual(1);
        expect(g.nodes.length).toBeLessThan(before);
      }
      const shape = [...m.inputShapes[0]!];
      const n = 3;
      const x = randomData(n * shape.reduce((a, b) => a * b, 1), 17);
      const want = m.predict(new Tensor(x, [n, ...shape])).data;
      const got = runFloat(g, [x], n).get(g.outputs[0]!)!;
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
    });
  }

  it('QDQ: a quantize node fixes the range of the tensor it reads', () => {
    const k = new Float32Array(12).map((_, i) => (i - 6) / 10);
    const g: IrGraph = {
      name: 'qdq', inputs: ['x'], outputs: ['y'], meta: {},
      tensors: new Map([['x', { name: 'x', shape: [4] }], ['w', { name: 'w', shape: [4, 3], data: k }]]),
      nodes: [
        { name: 'q', op: 'quantize', inputs: ['x'], outputs: ['xq'], attrs: { scale: 0.02, zeroPoint: -10 } },
        { name: 'dq', op: 'dequantize', inputs: ['xq'], outputs: ['xd'], attrs: { scale: 0.02, zeroPoint: -10 } },
        { name: 'fc', op: 'dense', inputs: ['xd', 'w', ''], outputs: ['y'], attrs: {} },
      ],
    };
    const log = optimize(g);
    expect(g.nodes.map((n) => n.op)).toEqual(['dense']);
    const ranges = new Map<string, [number, number]>([['x', [0, 1]], ['y', [-1, 1]]]);
    for (const [t, r] of log.qdqRanges) if (ranges.has(t)) ranges.set(t, r);
    const q = assignQuant(g, ranges);
    expect(q.get('x')!.scale).toBeCloseTo(0.02, 6);
    expect(q.get('x')!.zeroPoint).toBe(-10);
    expect(lower(g, ranges).builder.pack().bytes.length).toBeGreaterThan(0);
  });
});

describe('observers', () => {
  const obs = new RangeObserver();
  const data = new Float32Array(20000).map((_, i) => Math.sin(i) * Math.exp(-((i % 100) / 20)));
  data[7] = 25; // one outlier
  obs.observeRange(data);
  obs.observeHistogram(data);
  it('minmax keeps the outlier; percentile, mse and entropy clip it', () => {
    expect(obs.range('minmax')[1]).toBe(25);
    for (const m of ['percentile', 'mse', 'entropy'] as const) {
      const [lo, hi] = obs.range(m);
      expect(hi, m).toBeLessThan(25);
      expect(lo, m).toBeLessThanOrEqual(0);
      expect(hi, m).toBeGreaterThan(0.3);
    }
  });
});
