// Register-blocked int8 GEMM microkernels for wasm SIMD (SIMD builds only):
// C[r][n] = Σ_k A_r[k] · (B_n[k] + filterOffset), B_n = row n of an [N, K] int8
// filter (OHWI / [OC, K] as stored; nothing is repacked), requantized per output
// channel and stored as int8 in the same pass.
//
// qs8-gemm-4x2c8-wasmsimd-dot16x2: 4 rows × 2 channels, 8 i32x4 accumulators,
// K in steps of 8 via i16 lanes and i32x4.dot_i16x8_s; the four sums of one
// channel land in one vector, so requantization uses that channel's multiplier
// and shift in all lanes (requantize4).
// qs8-gemm-1x8c8: one row × 8 channels for short batches (fully connected).
// A non-zero filter offset never enters the inner loops: it adds
// filterOffset·Σ_k A_r[k] per row (exact mod 2^32, like the accumulator).
import {
  allCertified, beginRequant, floatGuard4, floatInner4, floatScale4, fqAgree, fqOut, fqRound, fqScaled, KERNEL_SCRATCH,
  KERNEL_SCRATCH_BYTES, reduce4, requantize, requantize4,
} from './conv_common';
import { dotU8Exact } from '../probe';

// i16 lane indices, to build the mask of an overlapping tail step.
const IOTA16 = memory.data<i16>([0, 1, 2, 3, 4, 5, 6, 7]);

/** i16 lanes that an overlapping final step (at K - 8) has not counted yet: the last `tail`. */
@inline export function tailMask(tail: i32): v128 {
  return i16x8.ge_s(v128.load(IOTA16), i16x8.splat(<i16>(8 - tail)));
}

/**
 * Stores a requantized 4-pixel x 2-channel tile given as int16 lanes
 * [channel 0 of pixels 0..3, channel 1 of pixels 0..3], pixel j at p + j*stride,
 * for the first `rows` pixels (channel 0 only when `two` is false).
 */
@inline function storeTile(p: usize, stride: usize, rows: i32, t: v128, two: bool): void {
  const n = i8x16.narrow_i16x8_s(t, t);
  if (two) {
    // bytes [c0 lanes 0..3, c1 lanes 0..3] → pairs (c0_j, c1_j), one 16-bit store per pixel.
    const v = i8x16.shuffle(n, n, 0, 4, 1, 5, 2, 6, 3, 7, 0, 0, 0, 0, 0, 0, 0, 0);
    v128.store16_lane(p, v, 0);
    if (rows > 1) v128.store16_lane(p + stride, v, 1);
    if (rows > 2) v128.store16_lane(p + 2 * stride, v, 2);
    if (rows > 3) v128.store16_lane(p + 3 * stride, v, 3);
  } else {
    v128.store8_lane(p, n, 0);
    if (rows > 1) v128.store8_lane(p + stride, n, 1);
    if (rows > 2) v128.store8_lane(p + 2 * stride, n, 2);
    if (rows > 3) v128.store8_lane(p + 3 * stride, n, 3);
  }
}

/** Whether gemm4x2 takes K = k: its four rows, widened, fit KERNEL_SCRATCH (K up to 1023). */
@inline export function gemm4x2Fits(k: i32): bool {
  return ((<usize>(k >> 3) + 1) << 6) <= <usize>KERNEL_SCRATCH_BYTES;
}

/** Whether gemm4x2U8 takes K = k: its four u8 rows, 16 values a step plus the tail step, fit KERNEL_SCRATCH (K up to 2047). */
@inline function gemm4x2U8Fits(k: i32): bool {
  return ((<usize>(k >> 4) + 1) << 6) <= <usize>KERNEL_SCRATCH_BYTES;
}

/**
 * Rows of K int8 values (row r at a + r·k) times the filter [oc, k] at w, all oc
 * channels of each (K >= 8): four rows at a time on gemm4x2 where K fits it,
 * the rest (every row, for longer K) one by one on gemm1x8.
 */
export function gemmRows(
  a: usize, rows: i32, w: usize, k: i32, oc: i32,
  io: i32, fo: i32, bias: usize, mul: usize, sft: usize, zp: i32, lo: i32, hi: i32, out: usize,
): void {
  const kk = <usize>k, ocs = <usize>oc;
  let r = 0;
  if (ASC_FEATURE_RELAXED_SIMD && io == 128 && fo == 0 && k >= 16 && dotU8Exact()) {
    // x + io is x + 128, the row's values as u8 (see gemm4x2U8).
    if (gemm4x2U8Fits(k)) {
      for (; r + 4 <= rows; r += 4) gemm4x2U8(a + <usize>r * kk, kk, w, oc, k, bias, mul, sft, zp, lo, hi, out + <usize>r * ocs, ocs);
    }
    for (; r < rows; r++) gemm1x8U8(a + <usize>r * kk, w, k, oc, bias, mul, sft, zp, lo, hi, out + <usize>r * ocs);
    return;
  }
  if (gemm4x2Fits(k)) {
    for (; r + 4 <= rows; r += 4) gemm4x2(a + <usize>r * kk, kk, 4, w, kk, oc, k >> 3, k & 7, io, fo, bias, mul, sft, zp, lo, hi, out + <usize>r * ocs, ocs);
  }
  for (; r < rows; r++) gemm1x8(a + <usize>r * kk, w, k, oc, io, fo, bias, mul, sft, zp, lo, hi, out + <usize>r * ocs);
}

/**
 * 4 rows × all OC channels. A row j starts at a + j*aStride: raw int8, the input
 * offset io added here, once: the four rows are widened to int16 in
 * KERNEL_SCRATCH (gemm4x2Fits), step-major, and every pair of channels reads
 * them from there (0.8x the time of widening them for each pair). `steps` full
 * steps of 8, then, if tail > 0 (K % 8, K >= 8), one step at K - 8 with the
 * already-counted lanes masked off. B row n starts at w + n*wStride. Rows ≥
 * `rows` are computed but not stored (their A rows must still be readable).
 */
export function gemm4x2(
  a: usize, aStride: usize, rows: i32,
  w: usize, wStride: usize, oc: i32, steps: i32, tail: i32,
  io: i32, fo: i32, bias: usize, mul: usize, sft: usize,
  zp: i32, lo: i32, hi: i32, out: usize, outStride: usize,
): void {
  const a1 = a + aStride;
  const a2 = a1 + aStride;
  const a3 = a2 + aStride;
  // The rows widened: 4 vectors a step, the tail step (if any) last, masked; with
  // a filter offset, their sums on the way.
  const ta: usize = <usize>(steps * 8 + tail - 8);
  const mask = tailMask(tail);
  let s0 = i32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let d = KERNEL_SCRATCH;
  for (let k = 0; k <= steps; k++) {
    if (k == steps && !tail) break;
    const pb = k == steps ? ta : <usize>k << 3;
    const m = k == steps ? mask : i16x8.splat(-1);
    const x0 = v128.and(rowStep(a, pb, io), m), x1 = v128.and(rowStep(a1, pb, io), m);
    const x2 = v128.and(rowStep(a2, pb, io), m), x3 = v128.and(rowStep(a3, pb, io), m);
    v128.store(d, x0);
    v128.store(d, x1, 16);
    v128.store(d, x2, 32);
    v128.store(d, x3, 48);
    if (fo) {
      s0 = i32x4.add(s0, i32x4.extadd_pairwise_i16x8_s(x0));
      s1 = i32x4.add(s1, i32x4.extadd_pairwise_i16x8_s(x1));
      s2 = i32x4.add(s2, i32x4.extadd_pairwise_i16x8_s(x2));
      s3 = i32x4.add(s3, i32x4.extadd_pairwise_i16x8_s(x3));
    }
    d += 64;
  }
  // Σ_k A_r[k]·(B_n[k] + fo) = Σ_k A_r[k]·B_n[k] + fo·Σ_k A_r[k] (mod 2^32): the
  // row sums keep the filter offset out of the inner loop.
  const corr = fo ? i32x4.mul(reduce4(s0, s1, s2, s3), i32x4.splat(fo)) : i32x4.splat(0);
  for (let o = 0; o < oc; o += 2) {
    const o1 = o + 1 < oc ? o + 1 : o;
    const b0 = w + <usize>o * wStride;
    const b1 = w + <usize>o1 * wStride;
    let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
    let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
    let pb: usize = 0, px = KERNEL_SCRATCH;
    for (let k = 0; k <= steps; k++) {
      // The last pass is the tail step (at K - 8), when there is one.
      if (k == steps) {
        if (!tail) break;
        pb = ta;
      }
      const x0 = v128.load(px), x1 = v128.load(px, 16), x2 = v128.load(px, 32), x3 = v128.load(px, 48);
      const w0 = v128.load8x8_s(b0 + pb);
      const w1 = v128.load8x8_s(b1 + pb);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(x0, w0));
      c01 = i32x4.add(c01, i32x4.dot_i16x8_s(x0, w1));
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(x1, w0));
      c11 = i32x4.add(c11, i32x4.dot_i16x8_s(x1, w1));
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(x2, w0));
      c21 = i32x4.add(c21, i32x4.dot_i16x8_s(x2, w1));
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(x3, w0));
      c31 = i32x4.add(c31, i32x4.dot_i16x8_s(x3, w1));
      pb += 8;
      px += 64;
    }
    store4x2(reduce4(c00, c10, c20, c30), reduce4(c01, c11, c21, c31), corr, o, o1, bias, mul, sft, zp, lo, hi, out, outStride, rows);
  }
}

/**
 * gemm4x2's store: channels o and o1 (the same when only one is left) of four
 * rows (v0, v1: their sums in lanes 0..3, plus corr), biased, requantized,
 * stored for the first `rows` rows.
 */
@inline function store4x2(
  v0: v128, v1: v128, corr: v128, o: i32, o1: i32, bias: usize, mul: usize, sft: usize,
  zp: i32, lo: i32, hi: i32, out: usize, outStride: usize, rows: i32,
): void {
  const zpv = i32x4.splat(zp), lov = i32x4.splat(lo), hiv = i32x4.splat(hi);
  v0 = i32x4.add(v0, corr);
  v1 = i32x4.add(v1, corr);
  if (bias) {
    v0 = i32x4.add(v0, i32x4.splat(load<i32>(bias + (<usize>o << 2))));
    v1 = i32x4.add(v1, i32x4.splat(load<i32>(bias + (<usize>o1 << 2))));
  }
  const r0 = requantize4(v0, i32x4.splat(load<i32>(mul + (<usize>o << 2))), load<i32>(sft + (<usize>o << 2)), zpv, lov, hiv);
  const r1 = o1 != o ? requantize4(v1, i32x4.splat(load<i32>(mul + (<usize>o1 << 2))), load<i32>(sft + (<usize>o1 << 2)), zpv, lov, hiv) : r0;
  storeTile(out + <usize>o, outStride, rows, i16x8.narrow_i32x4_s(r0, r1), o1 != o);
}

/** Eight A values of a row at element offset k as i16 lanes: int8 plus the input offset. */
@inline function rowStep(row: usize, k: usize, io: i32): v128 {
  return i16x8.add(v128.load8x8_s(row + k), i16x8.splat(<i16>io));
}

/**
 * One int8 row × all OC channels, 8 at a time (FULLY_CONNECTED with few rows).
 * Requantization is per output (each lane is another channel): in f32 where
 * certified, otherwise (and for the last channels short of 8) scalar. K >= 8.
 */
export function gemm1x8(
  a: usize, w: usize, k: i32, oc: i32,
  io: i32, fo: i32, bias: usize, mul: usize, sft: usize,
  zp: i32, lo: i32, hi: i32, out: usize,
): void {
  const iov = i16x8.splat(<i16>io);
  const steps = k >> 3;
  const tail = k & 7;
  const ta: usize = <usize>k - 8;
  const last = oc - 1;
  const wk = <usize>k;
  // The filter offset as fo·Σ(x + io), once per row (see gemm4x2).
  let corr = 0;
  if (fo) {
    for (let i = 0; i < k; i++) corr += <i32>load<i8>(a + <usize>i) + io;
    corr *= fo;
  }
  const corrv = i32x4.splat(corr);
  const xt = v128.and(i16x8.add(v128.load8x8_s(a + ta), iov), tailMask(tail));
  beginRequant(zp, lo, hi);
  for (let o = 0; o < oc; o += 8) {
    const b0 = w + <usize>o * wk;
    const b1 = w + <usize>min(o + 1, last) * wk;
    const b2 = w + <usize>min(o + 2, last) * wk;
    const b3 = w + <usize>min(o + 3, last) * wk;
    const b4 = w + <usize>min(o + 4, last) * wk;
    const b5 = w + <usize>min(o + 5, last) * wk;
    const b6 = w + <usize>min(o + 6, last) * wk;
    const b7 = w + <usize>min(o + 7, last) * wk;
    let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
    let c4 = i32x4.splat(0), c5 = i32x4.splat(0), c6 = i32x4.splat(0), c7 = i32x4.splat(0);
    // Two steps of 8 per pass (9% faster than one on the FC autoencoder).
    let p: usize = 0;
    for (let s = 0; s + 2 <= steps; s += 2) {
      const x = i16x8.add(v128.load8x8_s(a + p), iov);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(x, v128.load8x8_s(b0 + p)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(x, v128.load8x8_s(b1 + p)));
      c2 = i32x4.add(c2, i32x4.dot_i16x8_s(x, v128.load8x8_s(b2 + p)));
      c3 = i32x4.add(c3, i32x4.dot_i16x8_s(x, v128.load8x8_s(b3 + p)));
      c4 = i32x4.add(c4, i32x4.dot_i16x8_s(x, v128.load8x8_s(b4 + p)));
      c5 = i32x4.add(c5, i32x4.dot_i16x8_s(x, v128.load8x8_s(b5 + p)));
      c6 = i32x4.add(c6, i32x4.dot_i16x8_s(x, v128.load8x8_s(b6 + p)));
      c7 = i32x4.add(c7, i32x4.dot_i16x8_s(x, v128.load8x8_s(b7 + p)));
      const x2 = i16x8.add(v128.load8x8_s(a + p + 8), iov);
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(x2, v128.load8x8_s(b0 + p + 8)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(x2, v128.load8x8_s(b1 + p + 8)));
      c2 = i32x4.add(c2, i32x4.dot_i16x8_s(x2, v128.load8x8_s(b2 + p + 8)));
      c3 = i32x4.add(c3, i32x4.dot_i16x8_s(x2, v128.load8x8_s(b3 + p + 8)));
      c4 = i32x4.add(c4, i32x4.dot_i16x8_s(x2, v128.load8x8_s(b4 + p + 8)));
      c5 = i32x4.add(c5, i32x4.dot_i16x8_s(x2, v128.load8x8_s(b5 + p + 8)));
      c6 = i32x4.add(c6, i32x4.dot_i16x8_s(x2, v128.load8x8_s(b6 + p + 8)));
      c7 = i32x4.add(c7, i32x4.dot_i16x8_s(x2, v128.load8x8_s(b7 + p + 8)));
      p += 16;
    }
    // Single steps: the last full one when `steps` is odd, then the tail (at K - 8,
    // the already-counted lanes masked off: xt).
    for (let e = 2 - (steps & 1); e <= 2; e++) {
      if (e == 2 && !tail) break;
      const x = e == 2 ? xt : i16x8.add(v128.load8x8_s(a + p), iov);
      const q = e == 2 ? ta : p;
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(x, v128.load8x8_s(b0 + q)));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(x, v128.load8x8_s(b1 + q)));
      c2 = i32x4.add(c2, i32x4.dot_i16x8_s(x, v128.load8x8_s(b2 + q)));
      c3 = i32x4.add(c3, i32x4.dot_i16x8_s(x, v128.load8x8_s(b3 + q)));
      c4 = i32x4.add(c4, i32x4.dot_i16x8_s(x, v128.load8x8_s(b4 + q)));
      c5 = i32x4.add(c5, i32x4.dot_i16x8_s(x, v128.load8x8_s(b5 + q)));
      c6 = i32x4.add(c6, i32x4.dot_i16x8_s(x, v128.load8x8_s(b6 + q)));
      c7 = i32x4.add(c7, i32x4.dot_i16x8_s(x, v128.load8x8_s(b7 + q)));
    }
    store1x8(i32x4.add(reduce4(c0, c1, c2, c3), corrv), i32x4.add(reduce4(c4, c5, c6, c7), corrv), o, oc, bias, mul, sft, zp, lo, hi, out);
  }
}

/**
 * gemm1x8's store: channels o..o+7 of one row (v0, v1: their sums, the last
 * channels short of 8 ignored), biased, requantized, stored: in f32 where
 * certified, otherwise (and for the last channels short of 8) scalar.
 */
@inline function store1x8(v0: v128, v1: v128, o: i32, oc: i32, bias: usize, mul: usize, sft: usize, zp: i32, lo: i32, hi: i32, out: usize): void {
  if (o + 8 <= oc) {
    // Eight whole channels: f32 requantization when every lane is certified (conv_common.ts).
    const q = <usize>o << 2;
    const b0 = bias ? v128.load(bias + q) : i32x4.splat(0);
    const b1 = bias ? v128.load(bias + q, 16) : i32x4.splat(0);
    const s0 = v128.load(sft + q), s1 = v128.load(sft + q, 16);
    const c0 = fqScaled(i32x4.add(v0, b0), floatScale4(v128.load(mul + q), s0));
    const c1 = fqScaled(i32x4.add(v1, b1), floatScale4(v128.load(mul + q, 16), s1));
    const u0 = fqRound(c0, floatGuard4(s0), true), u1 = fqRound(c1, floatGuard4(s1), true);
    if (allCertified(fqAgree(c0, c1, u0, u1, floatInner4(s0), floatInner4(s1), true))) {
      const n = fqOut(u0, u1);
      v128.store64_lane(out + <usize>o, i8x16.narrow_i16x8_s(n, n), 0);
      return;
    }
  }
  storeRequantized4(v0, o, oc, bias, mul, sft, zp, lo, hi, out);
  if (o + 4 < oc) storeRequantized4(v1, o + 4, oc, bias, mul, sft, zp, lo, hi, out);
}

// Four lane sums on their way to scalar requantization (one copy of the code, not four).
const LANES = memory.data(16, 16);

/** Channels o..o+3 (those below oc) of one row: bias, scalar requantization, store. */
function storeRequantized4(v: v128, o: i32, oc: i32, bias: usize, mul: usize, sft: usize, zp: i32, lo: i32, hi: i32, out: usize): void {
  v128.store(LANES, v);
  const n = min(4, oc - o);
  for (let j = 0; j < n; j++) {
    const i = <usize>(o + j) << 2;
    let acc = load<i32>(LANES + (<usize>j << 2));
    if (bias) acc += load<i32>(bias + i);
    store<i8>(out + <usize>(o + j), <i8>requantize(acc, load<i32>(mul + i), load<i32>(sft + i), zp, lo, hi));
  }
}

// ---- u8 rows (relaxed builds) ------------------------------------------------
// Where the engine's fused int8 dot reads its second operand as u8 exactly
// (dotU8Exact) and the input offset is 128 (a ReLU's output: most layers), x +
// io = x + 128 is the row's own value as u8 (its sign bit flipped): one
// i32x4.relaxed_dot_i8x16_i7x16_add_s takes 16 products and the accumulation,
// with no correction term. Filter offset 0, K >= 16; the tail step lies at K -
// 16 with the already-counted values zeroed (a u8 0 counts nothing).

// u8 lane indices, to build the tail mask.
const IOTA8: usize = ASC_FEATURE_RELAXED_SIMD ? memory.data<u8>([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], 16) : 0;

/** Sixteen int8 values at p as u8 x + 128, the first 16 - keep zeroed (keep < 16: the tail step) or none. */
@inline function u8Step(p: usize, keep: i32): v128 {
  const u = v128.xor(v128.load(p), i8x16.splat(-128));
  return keep < 16 ? v128.and(u, i8x16.ge_s(v128.load(IOTA8), i8x16.splat(<i8>(16 - keep)))) : u;
}

/** acc + the four products of each lane's quad (w int8, x u8). */
@inline function dotU8(acc: v128, w: v128, x: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x, acc) : acc;
}

/** gemm4x2 on u8 rows: the four rows (a, a + aStride, ...) flipped into KERNEL_SCRATCH once, 16 values a step. */
function gemm4x2U8(
  a: usize, aStride: usize, w: usize, oc: i32, k: i32,
  bias: usize, mul: usize, sft: usize, zp: i32, lo: i32, hi: i32, out: usize, outStride: usize,
): void {
  const steps = k >> 4, tail = k & 15;
  const n = steps + (tail ? 1 : 0);
  const ta = <usize>(k - 16);
  const wk = <usize>k;
  let d = KERNEL_SCRATCH;
  for (let s = 0; s < n; s++) {
    const pb = s == steps ? ta : <usize>s << 4;
    const keep = s == steps ? tail : 16;
    v128.store(d, u8Step(a + pb, keep));
    v128.store(d, u8Step(a + aStride + pb, keep), 16);
    v128.store(d, u8Step(a + 2 * aStride + pb, keep), 32);
    v128.store(d, u8Step(a + 3 * aStride + pb, keep), 48);
    d += 64;
  }
  for (let o = 0; o < oc; o += 2) {
    const o1 = o + 1 < oc ? o + 1 : o;
    const b0 = w + <usize>o * wk, b1 = w + <usize>o1 * wk;
    let c00 = i32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    let pb: usize = 0, px = KERNEL_SCRATCH;
    for (let s = 0; s < n; s++) {
      if (s == steps) pb = ta;
      const x0 = v128.load(px), x1 = v128.load(px, 16), x2 = v128.load(px, 32), x3 = v128.load(px, 48);
      const w0 = v128.load(b0 + pb), w1 = v128.load(b1 + pb);
      c00 = dotU8(c00, w0, x0); c01 = dotU8(c01, w1, x0);
      c10 = dotU8(c10, w0, x1); c11 = dotU8(c11, w1, x1);
      c20 = dotU8(c20, w0, x2); c21 = dotU8(c21, w1, x2);
      c30 = dotU8(c30, w0, x3); c31 = dotU8(c31, w1, x3);
      pb += 16;
      px += 64;
    }
    store4x2(reduce4(c00, c10, c20, c30), reduce4(c01, c11, c21, c31), i32x4.splat(0), o, o1, bias, mul, sft, zp, lo, hi, out, outStride, 4);
  }
}

/** gemm1x8 on a u8 row. */
function gemm1x8U8(a: usize, w: usize, k: i32, oc: i32, bias: usize, mul: usize, sft: usize, zp: i32, lo: i32, hi: i32, out: usize): void {
  const steps = k >> 4, tail = k & 15;
  const ta = <usize>(k - 16);
  const xt = u8Step(a + ta, tail);
  const last = oc - 1;
  const wk = <usize>k;
  beginRequant(zp, lo, hi);
  for (let o = 0; o < oc; o += 8) {
    const b0 = w + <usize>o * wk;
    const b1 = w + <usize>min(o + 1, last) * wk;
    const b2 = w + <usize>min(o + 2, last) * wk;
    const b3 = w + <usize>min(o + 3, last) * wk;
    const b4 = w + <usize>min(o + 4, last) * wk;
    const b5 = w + <usize>min(o + 5, last) * wk;
    const b6 = w + <usize>min(o + 6, last) * wk;
    const b7 = w + <usize>min(o + 7, last) * wk;
    let c0 = i32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    let p: usize = 0;
    for (let s = 0; s <= steps; s++) {
      // The last pass is the tail step (at K - 16), when there is one.
      let x: v128;
      if (s == steps) {
        if (!tail) break;
        x = xt;
        p = ta;
      } else x = u8Step(a + p, 16);
      c0 = dotU8(c0, v128.load(b0 + p), x); c1 = dotU8(c1, v128.load(b1 + p), x);
      c2 = dotU8(c2, v128.load(b2 + p), x); c3 = dotU8(c3, v128.load(b3 + p), x);
      c4 = dotU8(c4, v128.load(b4 + p), x); c5 = dotU8(c5, v128.load(b5 + p), x);
      c6 = dotU8(c6, v128.load(b6 + p), x); c7 = dotU8(c7, v128.load(b7 + p), x);
      p += 16;
    }
    store1x8(reduce4(c0, c1, c2, c3), reduce4(c4, c5, c6, c7), o, oc, bias, mul, sft, zp, lo, hi, out);
  }
}
