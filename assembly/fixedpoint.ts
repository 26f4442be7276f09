// TFLite's fixed-point requantization arithmetic (src/reference/fixedpoint.ts
// is the definition; these match it bit for bit).

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul as one shift: for int32 a, b its
 * nudged, truncating division equals floor((a*b + 2^30) / 2^31).
 */
@inline export function srdhm(a: i32, b: i32): i32 {
  if (a == i32.MIN_VALUE && b == i32.MIN_VALUE) return i32.MAX_VALUE;
  return <i32>((<i64>a * <i64>b + (<i64>1 << 30)) >> 31);
}

/** Division by 2^exponent, rounding half away from zero. */
@inline export function roundingDivideByPOT(x: i32, exponent: i32): i32 {
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * TFLite's MultiplyByQuantizedMultiplier with double rounding, for multipliers
 * in [0, 2^31) (the load checks admit no others): then SRDHM never saturates,
 * and RoundingDivideByPOT(h, r) is floor((h - (h < 0) + 2^(r-1)) / 2^r), so
 * both roundings are 64-bit shifts.
 */
@inline export function mulByQuantizedMultiplier(x: i32, multiplier: i32, shift: i32): i32 {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  let h = (<i64>(x << left) * <i64>multiplier + (<i64>1 << 30)) >> 31;
  if (right) h = (h + (h >> 63) + (<i64>1 << (right - 1))) >> right;
  return <i32>h;
}

// ---- the same, four lanes at a time (SIMD builds only) ---------------------
// Bit-identical to the scalar forms above for multipliers in [0, 2^31), where the
// saturating case of SRDHM (both operands -2^31) never arises.

/** SRDHM(a, m) per lane: floor((a*m + 2^30) / 2^31), the high half of 2·(a*m + 2^30). */
@inline export function srdhm4(a: v128, m: v128): v128 {
  const nudge = i64x2.splat(<i64>1 << 30);
  let lo = i64x2.add(i64x2.extmul_low_i32x4_s(a, m), nudge);
  let hi = i64x2.add(i64x2.extmul_high_i32x4_s(a, m), nudge);
  lo = i64x2.add(lo, lo);
  hi = i64x2.add(hi, hi);
  return i32x4.shuffle(lo, hi, 1, 3, 5, 7);
}

/** RoundingDivideByPOT per lane (exponent taken mod 32, as the scalar shifts are). */
@inline export function rdbpot4(x: v128, exponent: i32): v128 {
  const mask = (1 << exponent) - 1;
  const rem = v128.and(x, i32x4.splat(mask));
  const threshold = i32x4.sub(i32x4.splat(mask >> 1), i32x4.shr_s(x, 31));
  return i32x4.sub(i32x4.shr_s(x, exponent), i32x4.gt_s(rem, threshold));
}

/** MultiplyByQuantizedMultiplier per lane; m is the splatted multiplier. */
@inline export function mbqm4(x: v128, m: v128, left: i32, right: i32): v128 {
  return rdbpot4(srdhm4(left ? i32x4.shl(x, left) : x, m), right);
}

@inline export function clampI32(x: i32, lo: i32, hi: i32): i32 {
  return x < lo ? lo : x > hi ? hi : x;
}
