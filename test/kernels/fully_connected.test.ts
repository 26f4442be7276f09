import { describe, expect, it } from 'vitest';
import { checkKernel } from './tester.js';
import { fcGraph, nearTieRequant, smallWeights } from './conv_cases.js';

describe('FULLY_CONNECTED kernels match the reference on every build', () => {
  it('int8: rows, K and channels at tile edges, offsets', async () => {
    const r = await checkKernel((rng) => fcGraph(rng), { cases: 120, seed: 21 });
    expect(r.compared).toBeGreaterThan(0);
  });
  it('int8 results on and near rounding ties (the f32 fast path must hand these to the exact one)', async () => {
    await checkKernel((rng) => fcGraph(rng, { int16: false, rows: rng.pick([1, 2, 5]), oc: rng.pick([8, 16, 17, 24, 40]), weights: smallWeights, requant: nearTieRequant }), { cases: 60, seed: 24 });
  });
  it('int8: K on either side of the longest that gemm4x2 widens (1023), 4 rows or more', async () => {
    await checkKernel((rng) => fcGraph(rng, { int16: false, k: rng.pick([1016, 1019, 1023, 1024, 1031]), rows: rng.pick([4, 5, 9]), oc: rng.pick([2, 9, 16]) }), { cases: 16, seed: 25 });
  });
  it('int8 with input offset 128 and filter offset 0 (relaxed builds with an exact u8 dot take the rows as u8): rows, K and channels at tile edges, K on either side of the longest gemm4x2U8 holds (2047)', async () => {
    await checkKernel(
      (rng, i) => fcGraph(rng, {
        int16: false, inputZeroPoint: -128, filterOffset: 0, rows: rng.pick([1, 2, 4, 5, 8, 9]),
        k: i % 5 === 4 ? rng.pick([2032, 2047, 2048, 2063]) : rng.pick([15, 16, 17, 31, 32, 33, 64, 100, 129]),
      }),
      { cases: 50, seed: 26 },
    );
  });
  it('16x8: int64 bias, long K (partial sums flushed to int64)', async () => {
    await checkKernel((rng, i) => fcGraph(rng, { int16: true, k: i < 4 ? rng.pick([600, 1100]) : undefined, filterOffset: i % 4 === 0 ? 255 : undefined }), { cases: 60, seed: 22 });
  });
  it('16x8: saturating inputs and weights over long K', async () => {
    await checkKernel((rng) => fcGraph(rng, { int16: true, k: 1500, rows: 1, filterOffset: -255 }), {
      cases: 4, seed: 23,
      inputs: (file) => [new Int16Array(file.tensors[file.inputs[0]!]!.shape.reduce((a, b) => a * b, 1)).fill(-32768)],
    });
  });
});
