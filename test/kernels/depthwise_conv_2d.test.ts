import { describe, expect, it } from 'vitest';
import { checkKernel } from './tester.js';
import { convGraph } from './conv_cases.js';

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
  it('3x3 same padding, channels at tile edges', async () => {
    await checkKernel((rng) => convGraph(rng, 'DEPTHWISE_CONV_2D', { kh: 3, kw: 3, pad: 1, mult: 1 }), { cases: 60, seed: 12 });
  });
});
