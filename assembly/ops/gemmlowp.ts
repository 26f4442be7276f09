// gemmlowp's fixed-point exp and reciprocal, as TFLite's softmax uses them
// (src/reference/ops/gemmlowp.ts is the definition; these match it bit for bit).
import { roundingDivideByPOT, srdhm } from '../fixedpoint';

/** SaturatingRoundingMultiplyByPOT<e> for e > 0. */
@inline function satShl(x: i32, e: i32): i32 {
  const threshold = (1 << (31 - e)) - 1;
  return x > threshold ? i32.MAX_VALUE : x < -threshold ? i32.MIN_VALUE : x << e;
}

/** exp(a) for a ≤ 0 given in Q5.26 (softmax's scaled differences); result in Q0.31. */
export function expQ5(a: i32): i32 {
  const oneQuarter: i32 = 1 << 24;
  const r = ((a & (oneQuarter - 1)) - oneQuarter);
  // exp on [-1/4, 0): Taylor expansion around -1/8.
  const x = satShl(r, 5) + (1 << 28);
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const poly = roundingDivideByPOT(srdhm(roundingDivideByPOT(x4, 2) + x3, 715827883) + x2, 1);
  let result = 1895147668 + srdhm(1895147668, x + poly);
  const rem = r - a;
  if (rem & (1 << 24)) result = srdhm(result, 1672461947);
  if (rem & (1 << 25)) result = srdhm(result, 1302514674);
  if (rem & (1 << 26)) result = srdhm(result, 790015084);
  if (rem & (1 << 27)) result = srdhm(result, 290630308);
  if (rem & (1 << 28)) result = srdhm(result, 39332535);
  if (rem & (1 << 29)) result = srdhm(result, 720401);
  if (rem & (1 << 30)) result = srdhm(result, 242);
  return a == 0 ? i32.MAX_VALUE : result;
}

/** 1/(1+a) for a in [0, 1) in Q0.31. */
export function oneOverOnePlusX(a: i32): i32 {
  const s = <i64>a + <i64>i32.MAX_VALUE;
  const half = <i32>((s + (s >= 0 ? 1 : -1)) / 2);
  let x = 1515870810 + srdhm(half, -1010580540);
  for (let i = 0; i < 3; i++) {
    x = x + satShl(srdhm(x, (1 << 29) - srdhm(half, x)), 2);
  }
  return satShl(x, 1);
}
