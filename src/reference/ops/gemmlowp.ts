// Exact int32 fixed-point arithmetic for the reference kernels: a BigInt-free
// SaturatingRoundingDoublingHighMul, TFLite's MultiplyByQuantizedMultiplier on
// top of it, and the gemmlowp fixed-point functions (exp on negative values,
// 1/(1+x), logistic, tanh) that TFLite's softmax, logistic and tanh use.
// Every value is an int32 held in a number; wrapping follows two's complement,
// as the C++ (and the wasm kernels) do.
import { roundingDivideByPOT } from '../fixedpoint.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul without BigInt: for int32 a, b,
 * trunc((a*b + nudge) / 2^31) equals floor((a*b + 2^30) / 2^31), computed here
 * from 16-bit halves of b so that every intermediate is an exact double.
 */
export function srdhm(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const hi = a * (b >> 16); // |.| < 2^46
  const lo = a * (b & 0xffff) + 1073741824; // |.| < 2^48
  return Math.floor((hi + Math.floor(lo / 65536)) / 32768) | 0;
}

export const rdbpot = roundingDivideByPOT;

/** TFLite's MultiplyByQuantizedMultiplier (double rounding), exact and fast. */
export function mbqm(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  return rdbpot(srdhm(x << left, multiplier), shift > 0 ? 0 : -shift);
}

/** gemmlowp's SaturatingRoundingMultiplyByPOT<e>. */
export function srmpot(x: number, e: number): number {
  if (e === 0) return x;
  if (e < 0) return rdbpot(x, -e);
  const threshold = (1 << (31 - e)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x << e;
}

/** gemmlowp's RoundingHalfSum for int32 (computed in 64 bits). */
function roundingHalfSum(a: number, b: number): number {
  const s = a + b;
  return Math.trunc((s + (s >= 0 ? 1 : -1)) / 2) | 0;
}

/** exp(a) for a in [-1/4, 0), a and result in Q0.31. */
function expOnIntervalQuarter(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const oneThird = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = rdbpot(x4, 2);
  const poly = rdbpot((srdhm((x4Over4 + x3) | 0, oneThird) + x2) | 0, 1);
  return (constantTerm + srdhm(constantTerm, (x + poly) | 0)) | 0;
}

const EXP_BARREL: readonly [number, number][] = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/** gemmlowp's exp_on_negative_values: a ≤ 0 in Q(intBits), result in Q0.31. */
export function expOnNegativeValues(a: number, intBits: number): number {
  const fracBits = 31 - intBits;
  const oneQuarter = 1 << (fracBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalQuarter(srmpot(aModQuarterMinusQuarter, intBits));
  const remainder = (aModQuarterMinusQuarter - a) | 0;
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (intBits > exponent && remainder & (1 << (fracBits + exponent))) result = srdhm(result, multiplier);
  }
  if (intBits > 5 && a < -(1 << (36 - intBits))) result = 0;
  return a === 0 ? INT32_MAX : result;
}

/** Newton–Raphson iterations shared by 1/(1+x) and (1-x)/(1+x); returns x in Q2.29. */
function newtonReciprocalHalf(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  let x = (1515870810 + srdhm(halfDenominator, -1010580540)) | 0;
  for (let i = 0; i < 3; i++) {
    const oneMinus = ((1 << 29) - srdhm(halfDenominator, x)) | 0;
    x = (x + srmpot(srdhm(x, oneMinus), 2)) | 0;
  }
  return x;
}

/** gemmlowp's one_over_one_plus_x_for_x_in_0_1 (Q0.31 in and out). */
export function oneOverOnePlusX(a: number): number {
  return srmpot(newtonReciprocalHalf(a), 1);
}

/** gemmlowp's one_minus_x_over_one_plus_x_for_x_in_0_1 (Q0.31 in and out). */
export function oneMinusXOverOnePlusX(a: number): number {
  return srmpot((newtonReciprocalHalf(a) - (1 << 29)) | 0, 2);
}

/** gemmlowp's logistic: a in Q(intBits), result in Q0.31. */
export function fixedLogistic(a: number, intBits: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const abs = positive ? a : -a | 0;
  const r = oneOverOnePlusX(expOnNegativeValues(-abs | 0, intBits));
  return positive ? r : (INT32_MAX - r) | 0;
}

/** gemmlowp's tanh: a in Q(intBits), result in Q0.31. */
export function fixedTanh(a: number, intBits: number): number {
  if (a === 0) return 0;
  const negative = a < 0;
  const n = negative ? a : -a | 0;
  const t = oneMinusXOverOnePlusX(expOnNegativeValues(n, intBits + 1));
  return negative ? -t | 0 : t;
}

/** TFLite's GetReciprocal: 1/x for x in Q(intBits), as a Q0.31 scale and a shift. */
export function getReciprocal(x: number, intBits: number): { scale: number; bitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  const shiftedSumMinusOne = ((x << headroomPlusOne) - INT32_MIN) | 0; // (u32)x << h - 2^31
  return { scale: oneOverOnePlusX(shiftedSumMinusOne), bitsOverUnit: intBits - headroomPlusOne };
}
