// What CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED share: the load-time
// check of the two convolutions (mirror of src/format/checks.ts) and the fused
// requantization (TFLite's double rounding), scalar and 4 lanes at a time.
import {
  CONV_2D_DILATION_W, CONV_2D_PAD_LEFT, CONV_2D_PAD_TOP, CONV_2D_STRIDE_H, DEPTHWISE_CONV_2D_DILATION_W, DEPTHWISE_CONV_2D_PAD_LEFT,
  DEPTHWISE_CONV_2D_PAD_TOP, DEPTHWISE_CONV_2D_STRIDE_H, E_SHAPE,
} from '../generated/format';
import { fail } from '../errors';
import { clampParams, inputOffsetParam, outputOffsetParam, paramIn, preparedChannels, rankIs, sameDtype, vectorOf } from '../checks';
import { opInput, opOutput, opParam, tensorDim, tensorDtype } from '../model';
import { mbqm4, mulByQuantizedMultiplier, srdhm4 } from '../fixedpoint';

// Parameter positions shared by CONV_2D and DEPTHWISE_CONV_2D: the op table lists
// strideH, strideW, dilationH, dilationW, padTop, padLeft first in both (the
// build fails if that changes); `q` is where inputOffset starts.
const P_STRIDE_H = CONV_2D_STRIDE_H;
const P_DILATION_W = CONV_2D_DILATION_W;
const P_PAD_TOP = CONV_2D_PAD_TOP;
const P_PAD_LEFT = CONV_2D_PAD_LEFT;
if (P_STRIDE_H != DEPTHWISE_CONV_2D_STRIDE_H || P_DILATION_W != DEPTHWISE_CONV_2D_DILATION_W || P_PAD_TOP != DEPTHWISE_CONV_2D_PAD_TOP || P_PAD_LEFT != DEPTHWISE_CONV_2D_PAD_LEFT || P_DILATION_W - P_STRIDE_H != 3) {
  ERROR('CONV_2D and DEPTHWISE_CONV_2D no longer share their first parameters');
}

/** The shape and parameter checks of CONV_2D (multiplierParam < 0) or DEPTHWISE_CONV_2D. */
export function checkConvLike(op: usize, multiplierParam: i32, q: i32): i32 {
  const x = opInput(op, 0);
  const w = opInput(op, 1);
  const y = opOutput(op, 0);
  let r = rankIs(x, 4);
  if (!r) r = rankIs(w, 4);
  if (!r) r = rankIs(y, 4);
  if (!r) r = sameDtype(x, y);
  if (r) return r;
  const c = tensorDim(x, 3);
  const oc = tensorDim(y, 3);
  if (tensorDim(y, 0) != tensorDim(x, 0)) return fail(E_SHAPE, y, tensorDim(y, 0));
  if (multiplierParam < 0) {
    if (tensorDim(w, 0) != oc) return fail(E_SHAPE, w, tensorDim(w, 0));
    if (tensorDim(w, 3) != c) return fail(E_SHAPE, w, tensorDim(w, 3));
  } else {
    r = paramIn(op, multiplierParam, 1, 65535);
    if (r) return r;
    if (tensorDim(w, 0) != 1) return fail(E_SHAPE, w, tensorDim(w, 0));
    if (tensorDim(w, 3) != oc) return fail(E_SHAPE, w, tensorDim(w, 3));
    if (<i64>oc != <i64>c * <i64>opParam(op, multiplierParam)) return fail(E_SHAPE, y, oc);
  }
  r = vectorOf(opInput(op, 2), oc);
  if (!r) r = preparedChannels(op, 3, 4, oc);
  if (r) return r;
  for (let k = P_STRIDE_H; k <= P_DILATION_W; k++) {
    r = paramIn(op, k, 1, 65535);
    if (r) return r;
  }
  // The furthest tap of the last output row/column stays within int32 (no wrap in wasm).
  for (let a = 0; a < 2; a++) {
    const reach = (<i64>tensorDim(y, 1 + a) - 1) * <i64>opParam(op, P_STRIDE_H + a) + (<i64>tensorDim(w, 1 + a) - 1) * <i64>opParam(op, P_STRIDE_H + 2 + a);
    if (reach > <i64>i32.MAX_VALUE) return fail(E_SHAPE, y, tensorDim(y, 1 + a));
  }
  r = paramIn(op, P_PAD_TOP, 0, 65535);
  if (!r) r = paramIn(op, P_PAD_LEFT, 0, 65535);
  const dt = tensorDtype(x);
  if (!r) r = inputOffsetParam(op, q, dt);
  if (!r) r = paramIn(op, q + 1, -255, 255);
  if (!r) r = outputOffsetParam(op, q + 2, dt);
  if (!r) r = clampParams(op, q + 3, q + 4, tensorDtype(y));
  return r;
}

/** First tap k (dilation d) whose position i0 + k*d is >= 0 (i0 in 64 bits: hostile shapes cannot wrap it). */
@inline export function firstTap(i0: i64, d: i32): i32 {
  return i0 >= 0 ? 0 : <i32>min<i64>(d == 1 ? -i0 : (<i64>d - 1 - i0) / <i64>d, 0x7fffffff);
}
/** One past the last tap k < n whose position i0 + k*d is < size. */
@inline export function endTap(i0: i64, d: i32, size: i32, n: i32): i32 {
  const room = <i64>size - i0;
  if (room <= 0) return 0;
  return <i32>min<i64>(<i64>n, d == 1 ? room : (room + <i64>d - 1) / <i64>d);
}

/** acc → clamp(mulByQuantizedMultiplier(acc) + zp): one output value. */
@inline export function requantize(acc: i32, m: i32, s: i32, zp: i32, lo: i32, hi: i32): i32 {
  const v = mulByQuantizedMultiplier(acc, m, s) + zp;
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Four accumulators sharing one shift s → four clamped outputs (i32 lanes),
 * bit-identical to `requantize` lane by lane (mv: each lane's multiplier; one
 * output channel's in every lane for the GEMM).
 */
@inline export function requantize4(acc: v128, mv: v128, s: i32, zpv: v128, lov: v128, hiv: v128): v128 {
  const q = mbqm4(acc, mv, s > 0 ? s : 0, s > 0 ? 0 : -s);
  return i32x4.min_s(i32x4.max_s(i32x4.add(q, zpv), lov), hiv);
}

/** Sums each of four i32x4 vectors: [Σa, Σb, Σc, Σd]. */
@inline export function reduce4(a: v128, b: v128, c: v128, d: v128): v128 {
  // Even/odd lane selections map to one shufps each on x64.
  const ab = i32x4.add(i32x4.shuffle(a, b, 0, 2, 4, 6), i32x4.shuffle(a, b, 1, 3, 5, 7)); // [a01 a23 b01 b23]
  const cd = i32x4.add(i32x4.shuffle(c, d, 0, 2, 4, 6), i32x4.shuffle(c, d, 1, 3, 5, 7)); // [c01 c23 d01 d23]
  return i32x4.add(i32x4.shuffle(ab, cd, 0, 2, 4, 6), i32x4.shuffle(ab, cd, 1, 3, 5, 7));
}

/**
 * TFLite's int64 MultiplyByQuantizedMultiplier (16x8 kernels): the multiplier
 * rounded to 16 bits, one rounding shift by 15 - shift. Outside TFLite's domain
 * (shift >= 8, |x| >= 2^47) the same wrapping int64 expression as the reference
 * (src/reference/fixedpoint.ts, multiplyByQuantizedMultiplier64), low 32 bits.
 */
export function mulByQuantizedMultiplier64(x: i64, m: i32, s: i32): i32 {
  const reduced: i64 = m < 0x7fff0000 ? <i64>((m + (1 << 15)) >> 16) : 0x7fff;
  const total = 15 - s;
  const prod = x * reduced;
  return total > 0 ? <i32>((prod + (<i64>1 << (total - 1))) >> total) : <i32>(prod << (-total));
}

// ---- per-lane requantization (each lane another channel) -------------------
// Wasm SIMD has no per-lane shifts, so per-channel constants are prepared once
// per group of 4 channels (PERLANE_BYTES at q): 2^left (multiply for the left
// shift), the multiplier, 2^(31-right) (a right shift by `right` is the high
// half of 2·h·2^(31-right)), "right == 0" lanes, and at +64 whether the group's
// four shifts are equal (then requantize4 serves), at +68 that shift, at +72
// whether any lane shifts left. Kernels that requantize in f32 keep their
// scale and outer and inner shift vectors at +80, +96 and +112 (beginPerLane8).
export const PERLANE_BYTES: usize = 128;

// Scratch any SIMD kernel may use for the length of one op (ops run one at a
// time, and none of the users calls another): depthwise's padded image,
// gemm4x2's widened rows. Reserved in SIMD builds only.
export const KERNEL_SCRATCH_BYTES = 8192;
export const KERNEL_SCRATCH: usize = ASC_FEATURE_SIMD ? memory.data(KERNEL_SCRATCH_BYTES, 16) : 0;

/** Writes the per-lane constants of a channel into lane `lane` of the group at q (lanes in order 0..3). */
export function preparePerLane(q: usize, lane: i32, m: i32, s: i32): void {
  const left = s > 0 ? s : 0;
  const right = s > 0 ? 0 : -s;
  const p = q + (<usize>lane << 2);
  store<i32>(p, 1 << left);
  store<i32>(p + 16, m);
  store<i32>(p + 32, right > 0 ? 1 << (31 - right) : 0);
  store<i32>(p + 48, right == 0 ? -1 : 0);
  if (lane == 0) {
    store<i32>(q + 64, 1);
    store<i32>(q + 68, s);
    store<i32>(q + 72, left);
  } else {
    if (load<i32>(q + 68) != s) store<i32>(q + 64, 0);
    if (left) store<i32>(q + 72, left);
  }
}

// ---- requantization in f32, certified exact -----------------------------------
// With right shift e >= 1 (scale σ = m·2^-(31+e) < 2^-e, v = acc·σ), TFLite's
// double rounding has a closed form. Its first rounding h = round(acc·m / 2^31)
// rounds half up for acc >= 0 and half toward zero below; the second,
// RoundingDivideByPOT(h, e), rounds h / 2^e half away from zero. A result of
// magnitude k + 1 needs |h| >= (k + 1/2)·2^e, that is |v| >= k + 1/2 - b with
// b = 2^-(e+1) (strictly greater below zero). So TFLite's result is the integer
// nearest w = v + sign(v)·b, unless w is exactly a half-integer.
// In f32, p = fl(fl(acc)·fl(σ)) is within 3.01·2^-24·|v| of v: under 2^-14 inside
// the int8 clamp range [lo - zp, hi - zp] (|bounds| <= 255). Hence, with c = p
// clamped below at lo - zp: if c + sign(c)·(b + g) and c + sign(c)·(b - g) round
// to the same integer n, for g = 2^-12, then n is TFLite's result, clamped once
// n + zp is clamped above at hi. (Below 256 each f32 sum is within 2^-17 of
// exact, so both bracket w with room to spare. A c clamped to lo - zp passes,
// rightly: v is then at most 2^-14 above it, and TFLite's result saturates too;
// c and v share their sign, or c is a bound of the other sign that w rounds to.
// From 256 up, p is past every upper bound and so is v; whatever the roundings
// give, 255 or more, saturates at hi as TFLite's result does.) Otherwise (a
// lane within about 2^-12 of a tie: about one in two thousand) the caller takes
// the exact integer path. Where e < 1 the shift b + g is 1/2 or more and no
// lane passes. Adding 1.5·2^23 rounds x < 2^22 to an integer in the low mantissa
// bits, so the two roundings compare as integers and one of them is the result
// (larger x keep growing as integers: they saturate).
const FQ_MAGIC: f32 = 12582912.0;
const FQ_MAGIC_BITS: i32 = 0x4b400000;
/** The f32 certification margin g (see above). */
const FQ_MARGIN: f32 = <f32>1.0 / 4096;

/** The f32 scales m·2^-(31+right) of four channels (m, s: their multipliers and shifts). */
@inline export function floatScale4(m: v128, s: v128): v128 {
  // 2^(-31 + min(s, 0)) built from its exponent bits; fl(m)·2^k rounds once.
  const pow = i32x4.shl(i32x4.add(i32x4.min_s(s, i32x4.splat(0)), i32x4.splat(127 - 31)), 23);
  return f32x4.mul(f32x4.convert_i32x4_s(m), pow);
}

/**
 * The outer shifts b + g of four channels with shifts s (b = 2^(s-1) =
 * 2^-(right+1), g = FQ_MARGIN; exact in f32): 1/2 or more, so never
 * certified, where right < 1.
 */
@inline export function floatGuard4(s: v128): v128 {
  return f32x4.add(halfShift4(s), f32x4.splat(FQ_MARGIN));
}

/**
 * The inner shifts b - g of four channels with shifts s (see floatGuard4); where
 * right < 1, -(b + g) instead, so that the two shifted values lie 1 or more
 * apart and never round alike.
 */
@inline export function floatInner4(s: v128): v128 {
  const b = halfShift4(s);
  return v128.bitselect(f32x4.sub(b, f32x4.splat(FQ_MARGIN)), f32x4.neg(f32x4.add(b, f32x4.splat(FQ_MARGIN))), i32x4.lt_s(s, i32x4.splat(0)));
}

/** 2^(s-1) per lane, from its exponent bits (126 + s >= 95: shifts are checked to be >= -31). */
@inline function halfShift4(s: v128): v128 {
  return i32x4.shl(i32x4.add(s, i32x4.splat(126)), 23);
}

/** Whether every lane of four channels' outer shifts g can ever pass (every channel shifts right). */
@inline function guardsCanPass(g: v128): bool {
  return i32x4.all_true(f32x4.lt(g, f32x4.splat(0.5)));
}

// The current op's output constants, as vectors read where they are used (kept
// in registers across a pixel loop, V8 spills them or rebuilds them per use):
// lo - zp (f32), hi (i16), FQ_MAGIC_BITS - zp, FQ_MAGIC (f32), zp, lo, hi, the f32 sign bit.
const FQ_K = memory.data(128, 16);

/**
 * Sets the output zero point and clamp that the f32 requantization (fqScaled,
 * fqRound, fqOut) and storePerLane8 use, and whether a clamped value can be
 * negative (lo < zp: no ReLU-like clamp; see groupSigned).
 */
export function beginRequant(zp: i32, lo: i32, hi: i32): void {
  v128.store(FQ_K, f32x4.splat(<f32>(lo - zp)));
  v128.store(FQ_K, i16x8.splat(<i16>hi), 16);
  v128.store(FQ_K, i32x4.splat(FQ_MAGIC_BITS - zp), 32);
  v128.store(FQ_K, f32x4.splat(FQ_MAGIC), 48);
  v128.store(FQ_K, i32x4.splat(zp), 64);
  v128.store(FQ_K, i32x4.splat(lo), 80);
  v128.store(FQ_K, i32x4.splat(hi), 96);
  v128.store(FQ_K, i32x4.splat(0x80000000), 112);
  fqSignedOp = lo < zp;
}

/** Whether a certification mask (eq of the two shifted roundings, see fqRound) passes all its lanes. */
@inline export function allCertified(ok: v128): bool {
  return i32x4.bitmask(ok) == 15;
}

// The f32 requantization's steps, per four lanes: c = fqScaled(acc, scale), then
// u = fqRound(c, outer shift) and d = fqRound(c, inner shift); where u == d in
// every lane (fqAgree), fqOut(u) is the result, else the caller takes the exact path.
// signed: the clamp lets values below 0 through (groupSigned());
// without, every clamped value is positive and the shifts need no sign (3
// operations fewer per 4 lanes). Kernels keep the mask in a register: through
// memory, V8 stores and reloads it on the critical path.

/** acc·s in f32, clamped below at the op's lower bound less its zero point (beginRequant; fqOut clamps above). */
@inline export function fqScaled(acc: v128, s: v128): v128 {
  return fqClamp(f32x4.mul(f32x4.convert_i32x4_s(acc), s));
}

/** f32 values clamped below at the op's lower bound less its zero point (beginRequant; fqOut clamps above). */
@inline export function fqClamp(p: v128): v128 {
  return f32x4.pmax(v128.load(FQ_K), p);
}

/**
 * c + k rounded to an integer in the low mantissa bits (FQ_MAGIC); signed: k
 * takes c's sign (xor: c's sign bit flips it; the inner shift may be negative).
 */
@inline export function fqRound(c: v128, k: v128, signed: bool): v128 {
  if (signed) k = v128.xor(k, v128.and(c, v128.load(FQ_K, 112)));
  return f32x4.add(f32x4.add(c, k), v128.load(FQ_K, 48));
}

/**
 * The certification mask of eight lanes (c0, c1: fqScaled; u0, u1: their
 * fqRound by the outer shifts): all ones where the inner shifts i0, i1 round
 * alike.
 */
@inline export function fqAgree(c0: v128, c1: v128, u0: v128, u1: v128, i0: v128, i1: v128, signed: bool): v128 {
  return v128.and(i32x4.eq(u0, fqRound(c0, i0, signed)), i32x4.eq(u1, fqRound(c1, i1, signed)));
}

/** Two groups of four rounded values (fqRound) as int16 lanes, offset by the zero point and clamped above (beginRequant). */
@inline export function fqOut(u0: v128, u1: v128): v128 {
  const magicZp = v128.load(FQ_K, 32);
  return i16x8.min_s(i16x8.narrow_i32x4_s(i32x4.sub(u0, magicZp), i32x4.sub(u1, magicZp)), v128.load(FQ_K, 16));
}

/** requantize() per lane with the prepared group at q: uniform shift when it can, per lane otherwise (one copy: a rare path). */
function requantizeGroup(acc: v128, q: usize, zpv: v128, lov: v128, hiv: v128): v128 {
  return load<i32>(q + 64)
    ? requantize4(acc, v128.load(q, 16), load<i32>(q + 68), zpv, lov, hiv)
    : requantizePerLane(acc, q, zpv, lov, hiv);
}

/**
 * requantize() in each lane with that lane's prepared channel constants at q.
 * SRDHM as in requantize4 gives h >= -(2^31 - 1) (the multiplier is below 2^31),
 * so h' = h - (h < 0) does not wrap, and TFLite's RoundingDivideByPOT(h, r) is
 * floor((h' + 2^(r-1)) / 2^r) = the high half of 2·(h'·2^(31-r) + 2^30):
 * exact in 64 bits, and one rounding constant for every lane.
 */
@inline export function requantizePerLane(acc: v128, q: usize, zpv: v128, lov: v128, hiv: v128): v128 {
  const x = load<i32>(q + 72) ? i32x4.mul(acc, v128.load(q)) : acc;
  const h = srdhm4(x, v128.load(q, 16));
  const half = i64x2.splat(0x40000000);
  const h1 = i32x4.add(h, i32x4.shr_s(h, 31));
  const pw = v128.load(q, 32);
  let s0 = i64x2.add(i64x2.extmul_low_i32x4_s(h1, pw), half);
  let s1 = i64x2.add(i64x2.extmul_high_i32x4_s(h1, pw), half);
  s0 = i64x2.add(s0, s0);
  s1 = i64x2.add(s1, s1);
  const sh = i32x4.shuffle(s0, s1, 1, 3, 5, 7);
  // The select mask is all ones or all zeros per lane, where the relaxed form is exact (one blend on x64).
  const e0 = v128.load(q, 48);
  let r: v128;
  if (ASC_FEATURE_RELAXED_SIMD) r = i32x4.relaxed_laneselect(h, sh, e0);
  else r = v128.bitselect(h, sh, e0);
  return i32x4.min_s(i32x4.max_s(i32x4.add(r, zpv), lov), hiv);
}

// ---- eight channels in lanes (two groups of PERLANE_BYTES at q) -----------------

/** Prepares the per-lane constants of channels co..co+7 (multipliers at mp, shifts at sp) at q. */
function preparePerLane8(q: usize, mp: usize, sp: usize, co: i32): void {
  for (let i = 0; i < 8; i++) {
    const ch = <usize>(co + i) << 2;
    preparePerLane(q + <usize>(i >> 2) * PERLANE_BYTES, i & 3, load<i32>(mp + ch), load<i32>(sp + ch));
  }
}

// The channel group begun last: its integer constants are prepared when the exact path first needs them.
let lazyMp: usize = 0, lazySp: usize = 0, lazyCo = 0, lazyReady = false;
// Whether the current op's clamp lets values below 0 through (beginRequant), and
// whether the group begun last needs fqRound's sign for that (groupSigned).
let fqSignedOp = true, fqSignedGroup = true;
// Right shifts from which a group of a signed op certifies the symmetric band
// instead (see beginPerLane8): a lane then fails about 2^-(e-1) of the time.
const SYMMETRIC_FROM_SHIFT = 9;

/**
 * Begins channels co..co+7 at q: their f32 scales (+80) and outer and inner
 * shifts (+96, +112) in both groups now, the integer per-lane constants when
 * the exact path first needs them (most groups never do). Returns whether the
 * f32 path is on: every channel shifts right. Where the op's values can be
 * negative and every channel shifts right by SYMMETRIC_FROM_SHIFT or more, the
 * shifts are b + g and -(b + g): c ± (b + g) rounding alike certifies the
 * integer nearest c (TFLite's result lies within b of v), with no sign to take
 * (groupSigned() false), at the cost of a band 2^-(e+1) wide, narrow at such e.
 */
export function beginPerLane8(q: usize, mp: usize, sp: usize, co: i32): bool {
  const c = <usize>co << 2;
  const s0 = v128.load(sp + c), s1 = v128.load(sp + c, 16);
  const g0 = floatGuard4(s0), g1 = floatGuard4(s1);
  v128.store(q, floatScale4(v128.load(mp + c), s0), 80);
  v128.store(q + PERLANE_BYTES, floatScale4(v128.load(mp + c, 16), s1), 80);
  v128.store(q, g0, 96);
  v128.store(q + PERLANE_BYTES, g1, 96);
  const symmetric = fqSignedOp && i32x4.all_true(i32x4.le_s(i32x4.max_s(s0, s1), i32x4.splat(-SYMMETRIC_FROM_SHIFT)));
  fqSignedGroup = fqSignedOp && !symmetric;
  v128.store(q, symmetric ? f32x4.neg(g0) : floatInner4(s0), 112);
  v128.store(q + PERLANE_BYTES, symmetric ? f32x4.neg(g1) : floatInner4(s1), 112);
  lazyMp = mp;
  lazySp = sp;
  lazyCo = co;
  lazyReady = false;
  return guardsCanPass(g0) && guardsCanPass(g1);
}

/** Whether the group begun last (beginPerLane8) needs fqRound's sign: see there. */
export function groupSigned(): bool {
  return fqSignedGroup;
}

/**
 * Requantizes the accumulators of eight channels (a0: the first four, a1: the
 * rest; their constants at q, begun by beginPerLane8; output constants set by
 * beginRequant) and stores them at out: in f32 when useFloat and every lane is
 * certified, exactly in integers otherwise. One copy for the less common paths
 * (values of either sign, fewer than 8 channels), so it takes signed values.
 */
export function storePerLane8(q: usize, out: usize, a0: v128, a1: v128, useFloat: bool): void {
  let n = i32x4.splat(0), ok = false;
  if (useFloat) {
    const q1 = q + PERLANE_BYTES;
    const c0 = fqScaled(a0, v128.load(q, 80)), c1 = fqScaled(a1, v128.load(q1, 80));
    const u0 = fqRound(c0, v128.load(q, 96), true), u1 = fqRound(c1, v128.load(q1, 96), true);
    ok = allCertified(fqAgree(c0, c1, u0, u1, v128.load(q, 112), v128.load(q1, 112), true));
    n = fqOut(u0, u1);
  }
  if (!ok) n = requantizeExact8(q, a0, a1);
  v128.store64_lane(out, i8x16.narrow_i16x8_s(n, n), 0);
}

/**
 * storePerLane8 over a run of n pixels: their accumulators at acc (32 bytes
 * each, the first four channels' then the rest), their outputs at out, out +
 * stride, ... Kernels that keep many registers busy (depthwise) buffer their
 * accumulators and requantize here, where the constants stay in registers
 * (signed: see fqRound).
 */
export function storePerLane8Run(q: usize, acc: usize, n: i32, out: usize, stride: usize, useFloat: bool, signed: bool): void {
  if (!useFloat) {
    for (let i = 0; i < n; i++) {
      storePerLane8(q, out, v128.load(acc), v128.load(acc, 16), false);
      acc += 32;
      out += stride;
    }
  } else if (signed) storeRunFloat(q, acc, n, out, stride, true);
  else storeRunFloat(q, acc, n, out, stride, false);
}

// The f32 loop, one copy per sign mode. Its only branch is the rare uncertified
// pixel's: with no useFloat test or result phi in it, V8 keeps the loop's
// constants and pointers in registers instead of spilling them each pixel.
@inline function storeRunFloat(q: usize, acc: usize, n: i32, out: usize, stride: usize, signed: bool): void {
  const q1 = q + PERLANE_BYTES;
  const s0 = v128.load(q, 80), s1 = v128.load(q1, 80);
  const o0 = v128.load(q, 96), o1 = v128.load(q1, 96), i0 = v128.load(q, 112), i1 = v128.load(q1, 112);
  for (let i = 0; i < n; i++) {
    const a0 = v128.load(acc), a1 = v128.load(acc, 16);
    const c0 = fqScaled(a0, s0), c1 = fqScaled(a1, s1);
    const u0 = fqRound(c0, o0, signed), u1 = fqRound(c1, o1, signed);
    let r = fqOut(u0, u1);
    if (!allCertified(fqAgree(c0, c1, u0, u1, i0, i1, signed))) r = requantizeExact8(q, a0, a1);
    v128.store64_lane(out, i8x16.narrow_i16x8_s(r, r), 0);
    acc += 32;
    out += stride;
  }
}

/** storePerLane8's integer path (one copy: with the f32 path on, it serves a few lanes in a hundred), as int16 lanes. */
export function requantizeExact8(q: usize, a0: v128, a1: v128): v128 {
  if (!lazyReady) {
    preparePerLane8(q, lazyMp, lazySp, lazyCo);
    lazyReady = true;
  }
  const zpv = v128.load(FQ_K, 64), lov = v128.load(FQ_K, 80), hiv = v128.load(FQ_K, 96);
  return i16x8.narrow_i32x4_s(requantizeGroup(a0, q, zpv, lov, hiv), requantizeGroup(a1, q + PERLANE_BYTES, zpv, lov, hiv));
}
