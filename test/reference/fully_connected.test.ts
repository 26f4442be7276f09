import { describe, expect, it } from 'vitest';
import { fullyConnected } from '../../src/reference/ops/fully_connected.js';
import { multiplyByQuantizedMultiplier64 } from '../../src/reference/fixedpoint.js';
import { i16, i32, i64, i8, refOp } from './conv_helpers.js';

describe('FULLY_CONNECTED reference', () => {
  it('int8: hand-checked rows with offsets, bias and clamping', () => {
    const x = i8([2, 3], [1, 2, 3, -4, 5, -6]);
    const w = i8([2, 3], [1, 1, 1, 2, -1, 0]);
    const y = i8([2, 2], [0, 0, 0, 0]);
    const op = refOp([x, w, i32([2], [10, -10]), i32([2], [1 << 30, 1 << 30]), i32([2], [0, 2])], y,
      { inputOffset: 2, filterOffset: -1, outputOffset: 1, actMin: -128, actMax: 100 });
    fullyConnected(op);
    // row 0: x+2 = 3,4,5; w-1 = 0,0,0 → 0+10 = 10; w-1 = 1,-2,-1 → 3-8-5 = -10-10 = -20
    // row 1: x+2 = -2,7,-4; oc0 → 0+10 = 10; oc1 → -2-14+4 = -12-10 = -22
    expect([...op.accumulators]).toEqual([10, -20, 10, -22]);
    // 10×0.5 = 5 (+1 = 6); -20×2 = -40 (+1); -22×2 = -44 (+1)
    expect([...y.data]).toEqual([6, -39, 6, -43]);
  });

  it('16x8: int64 bias and TFLite\'s int64 requantization', () => {
    const x = i16([1, 2], [1000, -2000]);
    const w = i8([3, 2], [3, 4, -128, -128, 127, 127]);
    const y = i16([1, 3], [0, 0, 0]);
    const op = refOp([x, w, i64([3], [100000, 0, 2 ** 40]), i32([3], [1 << 30, 0x7fffffff, 1 << 30]), i32([3], [-1, 0, -30])], y,
      { inputOffset: 0, filterOffset: 0, outputOffset: 0, actMin: -32768, actMax: 32767 });
    fullyConnected(op);
    // oc0: 3000 - 8000 + 100000 = 95000; ×2^-2 = 23750
    // oc1: -128000 + 256000 = 128000; multiplier reduced to 0x7fff: 128000*32767/2^15 = 127996.09 → clamp 32767
    // oc2: 127000 - 254000 + 2^40; accumulator beyond 32 bits survives to requantization
    expect(op.accumulators[0]).toBe(95000);
    expect([...y.data]).toEqual([23750, 32767, multiplyByQuantizedMultiplier64(BigInt(2 ** 40 - 127000), 1 << 30, -30)]);
    expect(y.data[2]).toBe(Math.round((2 ** 40 - 127000) / 2 ** 31));
  });

  it('int64 requantization rounds half up and wraps outside TFLite\'s domain', () => {
    expect(multiplyByQuantizedMultiplier64(-5n, 1 << 30, 0)).toBe(-2); // -2.5 → -2
    expect(multiplyByQuantizedMultiplier64(5n, 1 << 30, 0)).toBe(3); // 2.5 → 3
    expect(multiplyByQuantizedMultiplier64(3n, 1 << 30, 16)).toBe(3 * 16384 * 2); // plain left shift
    expect(multiplyByQuantizedMultiplier64(1n << 40n, 1 << 30, 0)).toBe(0); // 2^39 wraps to 0 in 32 bits
  });
});
