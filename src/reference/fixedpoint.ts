// TFLite's fixed-point requantization arithmetic, exactly, in TypeScript.
// These functions define what the wasm kernels compute (assembly/fixedpoint.ts).

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * High 32 bits of 2*a*b with rounding, saturating the one overflow case
 * (a == b == INT32_MIN). gemmlowp's SaturatingRoundingDoublingHighMul.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // 64-bit product a*b, computed exactly with BigInt-free 16-bit limbs would be
  // slower than one BigInt multiply in V8's JIT for this rarely-hot reference path.
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  // C++ integer division truncates toward zero; BigInt division does too.
  return Number((ab + nudge) / (1n << 31n));
}

/** Division by 2^exponent rounding half away from zero (gemmlowp's RoundingDivideByPOT). */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's MultiplyByQuantizedMultiplier (the default "double rounding" form). */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(Math.imul(x, 2 ** leftShift | 0) | 0, multiplier), rightShift);
}

/**
 * TFLite's QuantizeMultiplier: a real multiplier as a Q31 fixed-point number in
 * [2^30, 2^31) and a power-of-two exponent, so that m ≈ multiplier * 2^(shift-31).
 */
export function quantizeMultiplier(realMultiplier: number): { multiplier: number; shift: number } {
  if (realMultiplier === 0) return { multiplier: 0, shift: 0 };
  if (!(realMultiplier > 0) || !Number.isFinite(realMultiplier))
    throw new RangeError(`quantizeMultiplier: ${realMultiplier} is not a positive finite number`);
  // frexp: realMultiplier = q * 2^shift with q in [0.5, 1).
  let shift = Math.floor(Math.log2(realMultiplier)) + 1;
  let q = realMultiplier / 2 ** shift;
  // Guard log2's rounding near powers of two.
  if (q >= 1) {
    q /= 2;
    shift++;
  } else if (q < 0.5) {
    q *= 2;
    shift--;
  }
  let qFixed = Math.round(q * 2 ** 31);
  if (qFixed === 2 ** 31) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) throw new RangeError(`quantizeMultiplier: ${realMultiplier} is too large (shift ${shift})`);
  return { multiplier: qFixed, shift };
}

/** Saturating cast to the integer range [lo, hi]. */
export function clampInt(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** TFLite's TfLiteRound / std::round: half away from zero. */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/**
 * saturatingRoundingDoublingHighMul without BigInt, for hot reference loops.
 * Exact: the nudged product (a*b + 2^30) is split into 16-bit-limb partial
 * products that doubles hold exactly, and floor((a*b + 2^30) / 2^31) is what
 * gemmlowp's nudge-then-truncate computes for every non-saturating input.
 */
export function srdhmFast(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const bh = b >> 16;
  const bl = b & 0xffff;
  const lo = a * bl + 0x40000000; // |lo| < 2^48: exact
  const lh = Math.floor(lo / 65536);
  // a*b + 2^30 = (a*bh + lh) * 2^16 + (lo mod 2^16); the low limb cannot move floor(/2^31).
  return Math.floor((a * bh + lh) / 32768);
}

/** multiplyByQuantizedMultiplier without BigInt (same results, see srdhmFast). */
export function multiplyByQuantizedMultiplierFast(x: number, multiplier: number, shift: number): number {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(srdhmFast((x << leftShift) | 0, multiplier), rightShift);
}

/**
 * TFLite's int64 MultiplyByQuantizedMultiplier (used by 16x8 kernels with int64
 * accumulators): the multiplier reduced to 16 bits, one rounding shift by
 * 15 - shift. TFLite only defines shift < 8 and |x| < 2^47; outside that, this
 * (and the wasm kernels) compute the same expression with wrapping int64
 * arithmetic, a plain left shift when 15 - shift <= 0, and the low 32 bits.
 */
export function multiplyByQuantizedMultiplier64(x: bigint, multiplier: number, shift: number): number {
  const reduced = multiplier < 0x7fff0000 ? (multiplier + (1 << 15)) >> 16 : 0x7fff;
  const total = 15 - shift;
  const prod = BigInt.asIntN(64, x * BigInt(reduced));
  const r = total > 0
    ? BigInt.asIntN(64, prod + (1n << BigInt(total - 1))) >> BigInt(total)
    : BigInt.asIntN(64, prod << BigInt(-total));
  return Number(BigInt.asIntN(32, r));
}
