// TFLite's fixed-point requantization arithmetic (src/reference/fixedpoint.ts
// is the definition; these match it bit for bit).

/** gemmlowp's SaturatingRoundingDoublingHighMul. */
@inline export function srdhm(a: i32, b: i32): i32 {
  if (a == i32.MIN_VALUE && b == i32.MIN_VALUE) return i32.MAX_VALUE;
  const ab = <i64>a * <i64>b;
  const nudge: i64 = ab >= 0 ? (<i64>1 << 30) : (<i64>1 - (<i64>1 << 30));
  return <i32>((ab + nudge) / (<i64>1 << 31));
}

/** Division by 2^exponent, rounding half away from zero. */
@inline export function roundingDivideByPOT(x: i32, exponent: i32): i32 {
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's MultiplyByQuantizedMultiplier with double rounding. */
@inline export function mulByQuantizedMultiplier(x: i32, multiplier: i32, shift: i32): i32 {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(srdhm(x << left, multiplier), right);
}

@inline export function clampI32(x: i32, lo: i32, hi: i32): i32 {
  return x < lo ? lo : x > hi ? hi : x;
}
