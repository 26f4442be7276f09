import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { saturatingRoundingDoublingHighMul, multiplyByQuantizedMultiplier } from '../../src/reference/fixedpoint.js';
import {
  expOnNegativeValues, fixedLogistic, fixedTanh, getReciprocal, mbqm, oneOverOnePlusX, srdhm,
} from '../../src/reference/ops/gemmlowp.js';

const i32 = fc.integer({ min: -2147483648, max: 2147483647 });

describe('gemmlowp fixed point (reference helpers)', () => {
  it('srdhm equals the BigInt definition', () => {
    fc.assert(fc.property(i32, i32, (a, b) => srdhm(a, b) === saturatingRoundingDoublingHighMul(a, b)), { numRuns: 20000 });
    for (const a of [-2147483648, -1, 0, 1, 2147483647, 1 << 30, -(1 << 30)])
      for (const b of [-2147483648, -1, 0, 1, 2147483647, 1 << 30, -(1 << 30)])
        expect(srdhm(a, b)).toBe(saturatingRoundingDoublingHighMul(a, b));
  });

  it('mbqm equals multiplyByQuantizedMultiplier', () => {
    fc.assert(
      fc.property(i32, fc.integer({ min: 0, max: 2147483647 }), fc.integer({ min: -31, max: 30 }), (x, m, s) =>
        mbqm(x, m, s) === multiplyByQuantizedMultiplier(x, m, s)),
      { numRuns: 20000 },
    );
  });

  it('exp_on_negative_values tracks exp', () => {
    for (const intBits of [0, 4, 5, 12]) {
      for (let k = 0; k <= 200; k++) {
        const v = -k * (intBits === 0 ? 0.005 : 0.1 * intBits);
        if (v < -(2 ** intBits)) continue;
        const raw = Math.round(v * 2 ** (31 - intBits)) | 0;
        const got = expOnNegativeValues(raw, intBits) / 2 ** 31;
        expect(Math.abs(got - Math.exp(raw / 2 ** (31 - intBits)))).toBeLessThan(2e-6);
      }
    }
    expect(expOnNegativeValues(0, 5)).toBe(2147483647);
  });

  it('1/(1+x), logistic and tanh track their float values', () => {
    for (let k = 0; k < 100; k++) {
      const x = k / 100;
      expect(Math.abs(oneOverOnePlusX(Math.round(x * 2 ** 31)) / 2 ** 31 - 1 / (1 + x))).toBeLessThan(1e-7);
    }
    for (let k = -80; k <= 80; k++) {
      const x = k / 10; // in Q4.27
      const raw = Math.round(x * 2 ** 27);
      expect(Math.abs(fixedLogistic(raw, 4) / 2 ** 31 - 1 / (1 + Math.exp(-x)))).toBeLessThan(1e-6);
      expect(Math.abs(fixedTanh(raw, 4) / 2 ** 31 - Math.tanh(x))).toBeLessThan(1e-6);
    }
  });

  it('getReciprocal gives 1/x as a scale and a shift', () => {
    for (const x of [1, 1.5, 3, 10, 100, 1000]) {
      const raw = Math.round(x * 2 ** 19); // Q12.19
      const { scale, bitsOverUnit } = getReciprocal(raw, 12);
      expect(Math.abs((scale / 2 ** 31) * 2 ** -bitsOverUnit - 1 / x)).toBeLessThan(1e-6 / x);
    }
  });
});
