import { describe, expect, it } from 'vitest';
import { checkKernel } from './tester.js';
import { convGraph } from './conv_cases.js';

describe('CONV_2D kernels match the reference on every build', () => {
  it('random shapes, strides, dilations, padding, offsets', async () => {
    const r = await checkKernel((rng) => convGraph(rng, 'CONV_2D'), { cases: 120, seed: 1 });
    expect(r.compared).toBeGreaterThan(0);
  });
  it('pointwise (the plain GEMM path), rows and channels at tile edges', async () => {
    await checkKernel((rng) => convGraph(rng, 'CONV_2D', { kh: 1, kw: 1, stride: 1, dilation: 1, pad: 0 }), { cases: 60, seed: 2 });
  });
  it('3x3 same padding with and without scratch, filter offsets', async () => {
    await checkKernel((rng, i) => convGraph(rng, 'CONV_2D', { kh: 3, kw: 3, pad: 1, stride: 1, dilation: 1, scratch: i % 2 === 0, filterOffset: i % 3 === 0 ? rng.int(-255, 255) : 0 }), { cases: 40, seed: 3 });
  });
});
