import { describe, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { averagePool2d } from '../../quantize/pack/ops/average_pool_2d.js';
import { maxPool2d } from '../../quantize/pack/ops/max_pool_2d.js';
import type { Padding } from '../../quantize/pack/ops/fused_activation.js';
import { checkKernel, EDGE_CHANNELS, type Rng } from './tester.js';

function poolGraph(rng: Rng, which: typeof maxPool2d): GraphBuilder {
  const g = new GraphBuilder();
  const fh = rng.int(1, 4);
  const fw = rng.int(1, 4);
  const shape = [rng.int(1, 2), rng.int(fh, 9), rng.int(fw, 9), rng.pick(EDGE_CHANNELS)];
  const x = g.input('x', DType.INT8, shape, { scale: 0.05, zeroPoint: rng.int(-20, 20) });
  const padding: Padding = rng.pick(['same', 'valid', 'explicit'] as const) === 'explicit'
    ? { top: rng.int(0, fh), bottom: rng.int(0, fh), left: rng.int(0, fw), right: rng.int(0, fw) }
    : rng.pick(['same', 'valid'] as const);
  const y = which(g, x, {
    filter: [fh, fw], stride: [rng.int(1, 3), rng.int(1, 3)], padding,
    activation: rng.pick(['none', 'relu', 'relu6'] as const),
  });
  g.output(y, 'y');
  return g;
}

describe('pooling kernels', () => {
  it('MAX_POOL_2D: strides, padding, channels around 16', async () => {
    await checkKernel((rng) => poolGraph(rng, maxPool2d), { cases: 40 });
  });
  it('AVERAGE_POOL_2D: strides, padding (partial windows), channels around 16', async () => {
    await checkKernel((rng) => poolGraph(rng, averagePool2d), { cases: 40, seed: 5 });
  });
  it('AVERAGE_POOL_2D: a global pool and windows with no in-bounds tap', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const h = rng.int(1, 12);
      const w = rng.int(1, 12);
      const x = g.input('x', DType.INT8, [1, h, w, rng.pick(EDGE_CHANNELS)], { scale: 0.05, zeroPoint: 0 });
      // Case 0 and 1: a padding larger than the window, so border windows see only padding.
      const big = rng.int(0, 1) === 0;
      const y = averagePool2d(g, x, big
        ? { filter: [2, 2], stride: [1, 1], padding: { top: 3, bottom: 0, left: 3, right: 0 } }
        : { filter: [h, w], stride: [1, 1], padding: 'valid' });
      g.output(y, 'y');
      return g;
    }, { cases: 12, seed: 9 });
  });
});
