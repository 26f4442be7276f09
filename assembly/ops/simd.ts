// Four-lane versions of TFLite's requantization arithmetic, bit-identical to
// assembly/fixedpoint.ts for multipliers in [0, 2^31) (the only ones the checks
// admit), so the saturating case of SRDHM (both operands -2^31) never arises.
// Only used inside `if (ASC_FEATURE_SIMD)` branches.

/** SRDHM(a, m) per lane: (a*m + 2^30) >> 31 in 64 bits, which equals gemmlowp's nudge-and-truncate. */
@inline export function srdhm4(a: v128, m: v128): v128 {
  const nudge = i64x2.splat(<i64>1 << 30);
  // Only bits 31..62 of the sum are kept, so a logical shift (native on x86) serves.
  const lo = i64x2.shr_u(i64x2.add(i64x2.extmul_low_i32x4_s(a, m), nudge), 31);
  const hi = i64x2.shr_u(i64x2.add(i64x2.extmul_high_i32x4_s(a, m), nudge), 31);
  return v128.shuffle<i32>(lo, hi, 0, 2, 4, 6);
}

/** RoundingDivideByPOT per lane (exponent taken mod 32, as the scalar shifts are). */
@inline export function rdbpot4(x: v128, exponent: i32): v128 {
  const mask = (1 << exponent) - 1;
  const rem = v128.and(x, i32x4.splat(mask));
  const threshold = i32x4.sub(i32x4.splat(mask >> 1), i32x4.lt_s(x, i32x4.splat(0)));
  return i32x4.sub(i32x4.shr_s(x, exponent), i32x4.gt_s(rem, threshold));
}

/** MultiplyByQuantizedMultiplier per lane; m is the splatted multiplier. */
@inline export function mbqm4(x: v128, m: v128, left: i32, right: i32): v128 {
  return rdbpot4(srdhm4(i32x4.shl(x, left), m), right);
}
