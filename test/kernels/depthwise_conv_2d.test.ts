import { describe, expect, it } from 'vitest';
import { checkKernel } from './tester.js';
import { convGraph, nearTieRequant, smallWeights } from './conv_cases.js';

describe('DEPTHWISE_CONV_2D kernels match the reference on every build', () => {
  it('random shapes, multipliers, strides, dilations, padding, offsets', async () => {
    const r = await checkKernel((rng) => convGraph(rng, 'DEPTHWISE_CONV_2D'), { cases: 120, seed: 11 });
    expect(r.compared).toBeGreaterThan(0);
  });
  it('one shift for all channels (the uniform requantization path), with and without left shifts', async () => {
    await checkKernel((rng) => convGraph(rng, 'DEPTHWISE_CONV_2D', { uniformShift: true, mult: 1 }), { cases: 60, seed: 13 });
  });
  it('large depth multipliers (8 outputs per input channel at a time), one to three input channels', async () => {
    await checkKernel((rng) => convGraph(rng, 'DEPTHWISE_CONV_2D', { ic: rng.int(1, 3), mult: rng.pick([8, 9, 13, 16, 17]) }), { cases: 60, seed: 14 });
  });
  it('extreme values: -128 and ±127 weights against -128 and 127 inputs (tap pairs in one dot; the lone ninth tap as an int16 product up to 128·128), one channel per lane or broadcast', async () => {
    const extremes = [-128, -127, 127];
    await checkKernel(
      (rng, i) => {
        // Even cases have no -128 weight, odd ones have some.
        const values = i % 2 ? extremes : extremes.slice(1);
        const broadcast = i % 4 >= 2;
        return convGraph(rng, 'DEPTHWISE_CONV_2D', {
          kh: 3, kw: 3, pad: rng.int(0, 1), filterOffset: 0,
          mult: broadcast ? rng.pick([8, 16]) : 1, ic: broadcast ? rng.int(1, 2) : rng.pick([8, 16, 24]),
          weights: (r, n) => Int8Array.from({ length: n }, () => r.pick(values)),
        });
      },
      {
        cases: 60, seed: 15,
        inputs: (file) => [Int8Array.from({ length: file.tensors[file.inputs[0]!]!.shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 3 ? -128 : 127))],
      },
    );
  });
  it('results on and near rounding ties (the f32 fast path must hand these to the exact one)', async () => {
    await checkKernel(
      (rng, i) => convGraph(rng, 'DEPTHWISE_CONV_2D', { kh: 3, kw: 3, pad: rng.int(0, 1), dilation: 1, mult: i % 4 ? 1 : 8, ic: i % 4 ? rng.pick([8, 16, 24]) : 1, h: rng.int(3, 12), w: rng.int(3, 12), weights: smallWeights, requant: nearTieRequant, bias: i % 2 === 0 }),
      { cases: 60, seed: 16 },
    );
  });
  it('small padded inputs, copied whole into a padded image: padding on any side, strides, dilations, two images', async () => {
    await checkKernel(
      (rng) => convGraph(rng, 'DEPTHWISE_CONV_2D', {
        kh: 3, kw: 3, mult: 1, filterOffset: 0, n: 2, ic: rng.pick([8, 16, 24]), h: rng.int(5, 9), w: rng.int(5, 9),
        stride: rng.pick([1, 2]), dilation: rng.pick([1, 1, 2]),
      }),
      { cases: 60, seed: 17 },
    );
  });
  it('stride-1 narrow images too large to pad whole, padded in bands of output rows: padding on any side, dilations, two images', async () => {
    // (h + pads)·(w + pads)·ic > 8 KB, a padded row of at most 11·80 bytes: several bands of at least 4 rows.
    await checkKernel(
      (rng) => convGraph(rng, 'DEPTHWISE_CONV_2D', {
        kh: 3, kw: 3, mult: 1, filterOffset: 0, stride: 1, dilation: rng.pick([1, 1, 2]), n: rng.int(1, 2),
        ic: rng.pick([72, 80]), h: rng.int(30, 48), w: rng.int(4, 7),
      }),
      { cases: 40, seed: 18 },
    );
  });
  it('3x3 same padding, channels at tile edges', async () => {
    await checkKernel((rng) => convGraph(rng, 'DEPTHWISE_CONV_2D', { kh: 3, kw: 3, pad: 1, mult: 1 }), { cases: 60, seed: 12 });
  });
});
