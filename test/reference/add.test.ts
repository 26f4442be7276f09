import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { add } from '../../quantize/pack/ops/add.js';
import { mul } from '../../quantize/pack/ops/mul.js';
import { runGraph } from './graph_helpers.js';

function binary(op: typeof add, dtype: DType, sa: number[], sb: number[], qa: { scale: number; zeroPoint: number }, qb: typeof qa, qy: typeof qa) {
  const g = new GraphBuilder();
  const a = g.input('a', dtype, sa, qa);
  const b = g.input('b', dtype, sb, qb);
  g.output(op(g, a, b, qy), 'y');
  return (x: number[], y: number[]) => Array.from(runGraph(g, [dtype === DType.INT8 ? Int8Array.from(x) : Int16Array.from(x), dtype === DType.INT8 ? Int8Array.from(y) : Int16Array.from(y)])[0]!, Number);
}

describe('ADD reference', () => {
  it('adds exactly when scales line up', () => {
    const f = binary(add, DType.INT8, [4], [4], { scale: 0.5, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 0 }, { scale: 0.5, zeroPoint: 0 });
    expect(f([1, -3, 100, -100], [2, 3, 100, -100])).toEqual([3, 0, 127, -128]);
  });
  it('broadcasts a per-channel vector and a scalar', () => {
    const q = { scale: 1, zeroPoint: 0 };
    expect(binary(add, DType.INT8, [2, 3], [3], q, q, q)([1, 2, 3, 4, 5, 6], [10, 20, 30])).toEqual([11, 22, 33, 14, 25, 36]);
    expect(binary(add, DType.INT8, [1], [2, 2], q, q, q)([7], [1, 2, 3, 4])).toEqual([8, 9, 10, 11]);
    expect(binary(add, DType.INT8, [2, 1], [1, 3], q, q, q)([1, 2], [10, 20, 30])).toEqual([11, 21, 31, 12, 22, 32]);
  });
  it('int16 uses a left shift of 15', () => {
    const q = { scale: 1 / 1024, zeroPoint: 0 };
    expect(binary(add, DType.INT16, [3], [3], q, q, q)([1000, -32768, 30000], [24, -1, 30000])).toEqual([1024, -32768, 32767]);
  });
  it('is within one step of the real sum (int8, random quantization)', () => {
    fc.assert(fc.property(
      fc.double({ min: 0.005, max: 0.5, noNaN: true }), fc.double({ min: 0.005, max: 0.5, noNaN: true }), fc.integer({ min: -128, max: 127 }), fc.integer({ min: -128, max: 127 }),
      fc.integer({ min: -128, max: 127 }), fc.integer({ min: -128, max: 127 }),
      (s1, s2, z1, z2, x, y) => {
        const so = s1 + s2;
        const zo = 0;
        const got = binary(add, DType.INT8, [1], [1], { scale: s1, zeroPoint: z1 }, { scale: s2, zeroPoint: z2 }, { scale: so, zeroPoint: zo })([x], [y])[0]!;
        const real = (Math.fround(s1) * (x - z1) + Math.fround(s2) * (y - z2)) / Math.fround(so);
        return Math.abs(got - Math.min(Math.max(real, -128), 127)) <= 1;
      },
    ), { numRuns: 300 });
  });
});

describe('MUL reference', () => {
  it('multiplies with offsets and requantizes', () => {
    const f = binary(mul, DType.INT8, [4], [4], { scale: 0.1, zeroPoint: 10 }, { scale: 0.1, zeroPoint: 0 }, { scale: 0.01, zeroPoint: 0 });
    // (x - 10) * y * 0.01 / 0.01
    expect(f([11, 12, 20, 10], [5, -3, 20, 100])).toEqual([5, -6, 127, 0]);
  });
  it('is within one step of the real product', () => {
    fc.assert(fc.property(
      fc.integer({ min: -128, max: 127 }), fc.integer({ min: -128, max: 127 }), fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 }),
      (x, y, z1, z2) => {
        const got = binary(mul, DType.INT8, [1], [1], { scale: 0.05, zeroPoint: z1 }, { scale: 0.04, zeroPoint: z2 }, { scale: 0.25, zeroPoint: 3 })([x], [y])[0]!;
        const real = (Math.fround(0.05) * (x - z1) * Math.fround(0.04) * (y - z2)) / Math.fround(0.25) + 3;
        return Math.abs(got - Math.min(Math.max(real, -128), 127)) <= 1;
      },
    ), { numRuns: 300 });
  });
});
