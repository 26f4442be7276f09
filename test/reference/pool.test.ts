import { describe, expect, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { averagePool2d } from '../../quantize/pack/ops/average_pool_2d.js';
import { maxPool2d, type PoolOptions } from '../../quantize/pack/ops/max_pool_2d.js';
import { mean, meanMultiplier } from '../../quantize/pack/ops/mean.js';
import { runGraph } from './graph_helpers.js';

function pool(which: typeof maxPool2d, shape: number[], o: PoolOptions, x: number[]): { shape: number[]; y: number[] } {
  const g = new GraphBuilder();
  const t = g.input('x', DType.INT8, shape, { scale: 0.1, zeroPoint: 0 });
  const y = which(g, t, o);
  g.output(y, 'y');
  return { shape: g.tensor(y).shape, y: Array.from(runGraph(g, [Int8Array.from(x)])[0]!, Number) };
}

describe('pooling references', () => {
  const x = [1, 2, 3, 4, -5, -6, 7, 8, 9]; // 3x3, one channel
  it('MAX_POOL_2D: valid and same padding', () => {
    expect(pool(maxPool2d, [1, 3, 3, 1], { filter: [2, 2] }, x)).toEqual({ shape: [1, 2, 2, 1], y: [4, 3, 8, 9] });
    // 'same', stride 2: no padding before, the last row/column windows are cut to one.
    expect(pool(maxPool2d, [1, 3, 3, 1], { filter: [2, 2], stride: [2, 2], padding: 'same' }, x)).toEqual({ shape: [1, 2, 2, 1], y: [4, 3, 8, 9] });
    expect(pool(maxPool2d, [1, 3, 3, 1], { filter: [3, 3], activation: 'relu' }, [-1, -2, -3, -4, -5, -6, -7, -8, -9]).y).toEqual([0]);
  });
  it('AVERAGE_POOL_2D: rounds half away from zero and counts only in-bounds taps', () => {
    // Windows: [1,2,4,-5]=2/4→1 (0.5 rounds up), [2,3,-5,-6]=-6/4→-2 (-1.5 → -2), [4,-5,7,8]=14/4→4 (3.5 → 4), [-5,-6,8,9]=6/4→2.
    expect(pool(averagePool2d, [1, 3, 3, 1], { filter: [2, 2] }, x).y).toEqual([1, -2, 4, 2]);
    // 'same' with stride 2: the last row/column windows are cut to 1 row/column.
    expect(pool(averagePool2d, [1, 3, 3, 1], { filter: [2, 2], stride: [2, 2], padding: 'same' }, x).y).toEqual([1, -2, 8, 9]);
  });
  it('AVERAGE_POOL_2D: a window entirely in the padding gives 0', () => {
    expect(pool(averagePool2d, [1, 1, 1, 1], { filter: [1, 1], padding: { top: 1, bottom: 0, left: 0, right: 0 } }, [50]).y).toEqual([0, 50]);
  });
});

describe('MEAN reference', () => {
  it("folds 1/count into the multiplier as TFLite Micro does", () => {
    // scale ratio 1: multiplier 2^30, shift 1; count 4: s = 2, multiplier 2^32/4 = 2^30, shift -1.
    expect(meanMultiplier(0.5, 0.5, 4)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    // count 3: s = 1, multiplier floor(2^31 / 3), shift 0.
    expect(meanMultiplier(1, 1, 3)).toEqual({ multiplier: Math.floor(2 ** 31 / 3), shift: 0 });
  });
  it('averages over H and W per channel', () => {
    const g = new GraphBuilder();
    const t = g.input('x', DType.INT8, [1, 2, 2, 2], { scale: 0.1, zeroPoint: 4 });
    g.output(mean(g, t, { scale: 0.1, zeroPoint: -4 }), 'y');
    // channel 1: -10, -20, 30, 7 → sum of (x - 4) = -9, mean -2.25 → -2, then - 4.
    // channel 0: 1, 3, 5, 8 → sum 1, mean 0.25; TFLite Micro's folded multiplier
    // (2^30, shift -1) rounds twice: SRDHM(1, 2^30) = round(0.5) = 1, then
    // RoundingDivideByPOT(1, 1) = round(0.5) = 1, so the result is 1 - 4 = -3.
    const [y] = runGraph(g, [Int8Array.from([1, -10, 3, -20, 5, 30, 8, 7])]);
    expect(Array.from(y!)).toEqual([-3, -6]);
  });
});
