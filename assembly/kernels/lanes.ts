// The GEMM of CONV_2D with output channels in lanes (SIMD builds with a scratch
// tensor): rows of K int16 values (x + input offset, over a pixel's window)
// times a filter [oc, k] of int8, any number of output channels, K and filter
// offset.
//
// On V8 the int8 GEMM is bound by vector ALU operations, so the inner loop is
// only i32x4.dot_i16x8_s and i32x4.add: both operands are already int16 in
// memory and the row's pair is broadcast by the load itself
// (v128.load32_splat), so it costs no ALU slot. The scratch holds
// 1. the weights of every group of 8 output channels (when they fit: packed
//    once per run), or of one group (repacked for every call), as int16 pairs
//    [w[o][2t] + fo, w[o][2t+1] + fo], 4 channels per vector (Kp/2 pairs × 32
//    bytes), then the group's 8 biases;
// 2. the rows: a block packed by the caller (K rounded up to 8; values past K
//    may be anything: the weights there are 0), or a padded int16 image the
//    rows are read from in place (see lanesGemm).
// Per 8 channels and 4 rows one pass keeps 8 accumulators; requantization is
// per lane, in f32 when certified (conv_common.ts).
import { allCertified, beginPerLane8, beginRequant, fqAgree, fqOut, fqRound, fqScaled, groupSigned, PERLANE_BYTES, storePerLane8 } from './conv_common';

// Relaxed builds, where the engine's fused int8 dot reads its second operand
// unsigned and sums exactly (dotU8Exact: x86 with VNNI), with filter offset 0:
// rows of u8 values u = x + 128 (padded taps 128 - io, whose value x + io is 0)
// instead of int16, and the weights as int8 quads [w[o][4t..4t+3]], 4 channels
// per vector (Kp/4 quads × 32 bytes per group of 8), the bias folded with
// (io - 128)·Σw. i32x4.relaxed_dot_i8x16_i7x16_add_s then takes 16
// multiply-adds and the accumulation in one instruction, where the int16 path
// needs two for 8.

// Requantization constants of the current 8 channels (two groups of 4).
const GROUP_Q = memory.data(2 * <i32>PERLANE_BYTES, 16);
// With fewer than 8 output channels: the group's multipliers, shifts and
// biases (the last channel repeated), and one row's 8 results.
const NARROW_M = memory.data(32, 16);
const NARROW_S = memory.data(32, 16);
const NARROW_B = memory.data(32, 16);
const NARROW_OUT = memory.data(16, 16);
// One filter row's last partial step of 8, as int16 (K not a multiple of 8);
// with QUAD_TAIL after it, four channels' steps of 8 int8 values (repackQuads).
const ROW_TAIL = memory.data(32, 16);
const QUAD_TAIL = ROW_TAIL + 16;

/** K rounded up to the step of 8. */
@inline export function lanesDepth(k: i32): i32 {
  return (k + 7) & ~7;
}

/** Scratch bytes of one group of 8 channels' weights and biases (the first thing in the scratch). */
@inline export function lanesGroupBytes(k: i32): i64 {
  return (<i64>lanesDepth(k) << 4) + 32;
}

/** lanesGroupBytes for u8 rows: int8 weights. */
@inline export function lanesGroupBytesU8(k: i32): i64 {
  return (<i64>lanesDepth(k) << 3) + 32;
}

/**
 * Rows per block that `bytes` of scratch hold for K = k and oc channels (a
 * multiple of 4) with every group's weights packed once (all), or with one
 * group's (!all); 0 when too small for that (4 rows at least). The packer sizes
 * the scratch (quantize/pack/ops/conv_2d.ts).
 */
export function lanesBlock(bytes: i32, k: i32, oc: i32, all: bool): i32 {
  const kp = <i64>lanesDepth(k);
  const room = <i64>bytes - lanesGroupBytes(k) * (all ? <i64>((oc + 7) >> 3) : 1);
  if (room < (kp << 3)) return 0;
  return <i32>min<i64>(room / (kp << 1), 0x10000) & ~3;
}

/** Where the block of rows starts in the scratch (after the weights). */
export function lanesRows(scratch: usize, k: i32, oc: i32, all: bool): usize {
  return scratch + <usize>(lanesGroupBytes(k) * (all ? <i64>((oc + 7) >> 3) : 1));
}

/** The 8 per-channel int32 values of a group to use: p itself, or (oc < 8) a copy at d with the last repeated. */
function padTo8(p: usize, oc: i32, d: usize): usize {
  if (oc >= 8 || !p) return p;
  for (let i = 0; i < 8; i++) store<i32>(d + (<usize>i << 2), load<i32>(p + (<usize>min(i, oc - 1) << 2)));
  return d;
}

/** The first channel of group g (of 8; the last group overlaps the one before when oc % 8 != 0). */
@inline function groupStart(g: i32, oc: i32): i32 {
  return max(0, min(g << 3, oc - 8));
}

/** Packs every group's weights and biases into the scratch, for lanesGemm(all = true) with the same u8 and io. */
export function lanesPackAll(scratch: usize, k: i32, w: usize, oc: i32, fo: i32, bias: usize, u8: bool, io: i32): void {
  const b = padTo8(bias, oc, NARROW_B);
  const gb = <usize>(u8 ? lanesGroupBytesU8(k) : lanesGroupBytes(k));
  for (let g = 0; g < (oc + 7) >> 3; g++) {
    const wq = scratch + <usize>g * gb;
    if (ASC_FEATURE_RELAXED_SIMD && u8) repackQuads(wq, w, k, groupStart(g, oc), oc, b, io);
    else repackPairs(wq, w, k, groupStart(g, oc), oc, fo, b);
  }
}

/** acc + Σ over the u8 quad in b (broadcast) of b·w (int8 quads), per lane: u8 rows only (dotU8Exact). */
@inline function mac4(acc: v128, b: v128, w: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? i32x4.relaxed_dot_i8x16_i7x16_add_s(w, b, acc) : acc;
}

/** acc + Σ over the pair in b (broadcast) of b·w, per lane. */
@inline function mac(acc: v128, b: v128, w: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(b, w));
}

/**
 * y[r][o] = requantize(bias[o] + Σ_k x[r][k]·(w[o][k] + fo)) for n rows of
 * int16 values x (k of them used, in `segments` runs of segPairs pairs,
 * segStride bytes apart), filter [oc, k] at w, output rows of oc at out. all:
 * lanesPackAll has packed the weights and biases into the scratch. With fewer
 * than 8 channels, the group of 8 repeats the last one and stores only oc.
 *
 * Row r is the pixel (x, y, b) of r in a grid `across` wide and `down` high and
 * starts at rows + x·stepX + y·stepY + b·stepB: packed rows are a grid one row
 * high (stepX = row bytes, one run); an implicit GEMM straight on a padded
 * int16 image has one run per filter row. u8 (relaxed builds, dotU8Exact, fo
 * 0): the rows are u8 (see the top of this file; runs of segPairs quads) and
 * io is the input offset to fold into the bias.
 */
export function lanesGemm(
  scratch: usize, all: bool, n: i32, k: i32, w: usize, oc: i32, fo: i32,
  bias: usize, mul: usize, sft: usize, zp: i32, lo: i32, hi: i32, out: usize,
  rows: usize, across: i32, down: i32, stepX: usize, stepY: usize, stepB: usize, segments: i32, segPairs: i32, segStride: usize,
  u8: bool, io: i32,
): void {
  u8 = ASC_FEATURE_RELAXED_SIMD && u8;
  const gb = <usize>(u8 ? lanesGroupBytesU8(k) : lanesGroupBytes(k));
  const ocs = <usize>oc;
  const biasAt = <usize>lanesDepth(k) << (u8 ? 3 : 4);
  beginRequant(zp, lo, hi);
  const width = min(oc, 8);
  mul = padTo8(mul, oc, NARROW_M);
  sft = padTo8(sft, oc, NARROW_S);
  if (!all) bias = padTo8(bias, oc, NARROW_B);
  // Stepping past the end of a grid row (image) lands stepX·across (stepY·down) further than the next one starts.
  const wrapY = stepY - <usize>across * stepX, wrapB = stepB - <usize>down * stepY;
  for (let g = 0; g < (oc + 7) >> 3; g++) {
    const co = groupStart(g, oc);
    const wq = all ? scratch + <usize>g * gb : scratch;
    if (!all) {
      if (u8) repackQuads(wq, w, k, co, oc, bias, io);
      else repackPairs(wq, w, k, co, oc, fo, bias);
    }
    const useFloat = beginPerLane8(GROUP_Q, mul, sft, co);
    const signed = groupSigned();
    let y = out + <usize>co;
    // Grid position (x, y, image) of the next row, and where that row starts.
    let gx = 0, gy = 0;
    let pr = rows;
    for (let r = 0; r < n; r += 4) {
      // The tile's four rows; a last partial pass repeats row n - 1 (computed, not stored).
      const p0 = pr;
      if (r + 1 < n) { pr += stepX; if (++gx == across) { gx = 0; pr += wrapY; if (++gy == down) { gy = 0; pr += wrapB; } } }
      const p1 = pr;
      if (r + 2 < n) { pr += stepX; if (++gx == across) { gx = 0; pr += wrapY; if (++gy == down) { gy = 0; pr += wrapB; } } }
      const p2 = pr;
      if (r + 3 < n) { pr += stepX; if (++gx == across) { gx = 0; pr += wrapY; if (++gy == down) { gy = 0; pr += wrapB; } } }
      const p3 = pr;
      pr += stepX; if (++gx == across) { gx = 0; pr += wrapY; if (++gy == down) { gy = 0; pr += wrapB; } }
      // The tile's accumulators: 4 rows × (channels 0-3, 4-7).
      const f0 = v128.load(wq + biasAt), f1 = v128.load(wq + biasAt, 16);
      let a00 = f0, a01 = f1, a10 = f0, a11 = f1, a20 = f0, a21 = f1, a30 = f0, a31 = f1;
      let pw = wq, q0 = p0, q1 = p1, q2 = p2, q3 = p3;
      for (let s = 0; s < segments; s++) {
        let pk: usize = 0;
        // Both loops step 4 bytes of each row: an int16 pair or a u8 quad.
        if (u8) for (let t = 0; t < segPairs; t++) {
          const wa = v128.load(pw), wb = v128.load(pw, 16);
          let b = v128.load32_splat(q0 + pk); a00 = mac4(a00, b, wa); a01 = mac4(a01, b, wb);
          b = v128.load32_splat(q1 + pk); a10 = mac4(a10, b, wa); a11 = mac4(a11, b, wb);
          b = v128.load32_splat(q2 + pk); a20 = mac4(a20, b, wa); a21 = mac4(a21, b, wb);
          b = v128.load32_splat(q3 + pk); a30 = mac4(a30, b, wa); a31 = mac4(a31, b, wb);
          pk += 4;
          pw += 32;
        } else for (let t = 0; t < segPairs; t++) {
          const wa = v128.load(pw), wb = v128.load(pw, 16);
          let b = v128.load32_splat(q0 + pk); a00 = mac(a00, b, wa); a01 = mac(a01, b, wb);
          b = v128.load32_splat(q1 + pk); a10 = mac(a10, b, wa); a11 = mac(a11, b, wb);
          b = v128.load32_splat(q2 + pk); a20 = mac(a20, b, wa); a21 = mac(a21, b, wb);
          b = v128.load32_splat(q3 + pk); a30 = mac(a30, b, wa); a31 = mac(a31, b, wb);
          pk += 4;
          pw += 32;
        }
        q0 += segStride;
        q1 += segStride;
        q2 += segStride;
        q3 += segStride;
      }
      const left = n - r;
      if (useFloat && width == 8 && !signed) {
        storeTileFloat(y, ocs, left, a00, a01, a10, a11, a20, a21, a30, a31, false, false);
      } else {
        // Through memory: values of either sign (one copy of that code), the exact path for the whole group, or fewer than 8 channels.
        storeTile(a00, a01, a10, a11, a20, a21, a30, a31);
        if (useFloat && width == 8) storeTileSigned(y, ocs, left);
        else storeTileRows(y, ocs, min(left, 4), width, useFloat);
      }
      y += 4 * ocs;
    }
  }
}

/**
 * Requantizes a tile (4 rows × 8 channels; left: rows that exist, 4 or more
 * when whole) in f32 and stores it; signed: see fqRound. A partial
 * tile, or one with a lane not certified (rare: within about 2^-12 of a tie),
 * goes row by row through storeTileRows from TILE_ACC (inMemory: already there).
 */
@inline function storeTileFloat(
  y: usize, ocs: usize, left: i32, a00: v128, a01: v128, a10: v128, a11: v128, a20: v128, a21: v128, a30: v128, a31: v128,
  signed: bool, inMemory: bool,
): void {
  // Four rows in f32 with one certification test (the mask kept in a register).
  const q1 = GROUP_Q + PERLANE_BYTES;
  const s0 = v128.load(GROUP_Q, 80), s1 = v128.load(q1, 80);
  const o0 = v128.load(GROUP_Q, 96), o1 = v128.load(q1, 96), i0 = v128.load(GROUP_Q, 112), i1 = v128.load(q1, 112);
  let c0 = fqScaled(a00, s0), c1 = fqScaled(a01, s1);
  let u0 = fqRound(c0, o0, signed), u1 = fqRound(c1, o1, signed);
  let ok = fqAgree(c0, c1, u0, u1, i0, i1, signed);
  const n0 = fqOut(u0, u1);
  c0 = fqScaled(a10, s0); c1 = fqScaled(a11, s1);
  u0 = fqRound(c0, o0, signed); u1 = fqRound(c1, o1, signed);
  ok = v128.and(ok, fqAgree(c0, c1, u0, u1, i0, i1, signed));
  const n1 = fqOut(u0, u1);
  c0 = fqScaled(a20, s0); c1 = fqScaled(a21, s1);
  u0 = fqRound(c0, o0, signed); u1 = fqRound(c1, o1, signed);
  ok = v128.and(ok, fqAgree(c0, c1, u0, u1, i0, i1, signed));
  const n2 = fqOut(u0, u1);
  c0 = fqScaled(a30, s0); c1 = fqScaled(a31, s1);
  u0 = fqRound(c0, o0, signed); u1 = fqRound(c1, o1, signed);
  ok = v128.and(ok, fqAgree(c0, c1, u0, u1, i0, i1, signed));
  const n3 = fqOut(u0, u1);
  if (left >= 4 && allCertified(ok)) {
    const y01 = i8x16.narrow_i16x8_s(n0, n1), y23 = i8x16.narrow_i16x8_s(n2, n3);
    v128.store64_lane(y, y01, 0);
    v128.store64_lane(y + ocs, y01, 1);
    v128.store64_lane(y + 2 * ocs, y23, 0);
    v128.store64_lane(y + 3 * ocs, y23, 1);
  } else {
    if (!inMemory) storeTile(a00, a01, a10, a11, a20, a21, a30, a31);
    storeTileRows(y, ocs, min(left, 4), 8, true);
  }
}

/** A tile's accumulators into TILE_ACC. */
@inline function storeTile(a00: v128, a01: v128, a10: v128, a11: v128, a20: v128, a21: v128, a30: v128, a31: v128): void {
  v128.store(TILE_ACC, a00); v128.store(TILE_ACC, a01, 16); v128.store(TILE_ACC, a10, 32); v128.store(TILE_ACC, a11, 48);
  v128.store(TILE_ACC, a20, 64); v128.store(TILE_ACC, a21, 80); v128.store(TILE_ACC, a30, 96); v128.store(TILE_ACC, a31, 112);
}

/** storeTileFloat of the tile in TILE_ACC, for a clamp that lets values below 0 through. */
function storeTileSigned(y: usize, ocs: usize, left: i32): void {
  const t = TILE_ACC;
  storeTileFloat(y, ocs, left, v128.load(t), v128.load(t, 16), v128.load(t, 32), v128.load(t, 48), v128.load(t, 64), v128.load(t, 80), v128.load(t, 96), v128.load(t, 112), true, true);
}

// A tile's accumulators (4 rows × (channels 0-3, 4-7)) on their way to storeTileSigned or storeTileRows.
const TILE_ACC = memory.data(128, 16);

/**
 * Requantizes and stores the first `count` rows of the tile in TILE_ACC, each in
 * f32 if certified, else exactly; `width` channels of each (8, or all of fewer).
 */
function storeTileRows(y: usize, ocs: usize, count: i32, width: i32, useFloat: bool): void {
  for (let i = 0; i < count; i++) {
    const acc = TILE_ACC + (<usize>i << 5);
    const dst = width < 8 ? NARROW_OUT : y;
    storePerLane8(GROUP_Q, dst, v128.load(acc), v128.load(acc, 16), useFloat);
    if (width < 8) for (let j = 0; j < width; j++) store<i8>(y + <usize>j, load<i8>(NARROW_OUT + <usize>j));
    y += ocs;
  }
}

/** Eight int8 filter values w[j..j+7] + fo as int16 (values past k as 0). */
@inline function filterStep(row: usize, j: i32, k: i32, fov: v128, fo: i32): v128 {
  return j + 8 <= k ? i16x8.add(v128.load8x8_s(row + <usize>j), fov) : filterTail(row, j, k, fo);
}

/** filterStep's last partial step (one copy: once per filter row at most). */
function filterTail(row: usize, j: i32, k: i32, fo: i32): v128 {
  v128.store(ROW_TAIL, i32x4.splat(0));
  for (let i = j; i < k; i++) store<i16>(ROW_TAIL + (<usize>(i - j) << 1), <i32>load<i8>(row + <usize>i) + fo);
  return v128.load(ROW_TAIL);
}

/**
 * Channels co..co+7 of the filter [oc, k] at w (the last repeated past oc) into
 * wq as int16 pairs (pair t of channel co+4g+i at wq + t*32 + g*16 + i*4), and
 * their biases (8 at bias + co·4) after them.
 */
function repackPairs(wq: usize, w: usize, k: i32, co: i32, oc: i32, fo: i32, bias: usize): void {
  const kp = lanesDepth(k);
  const fov = i16x8.splat(<i16>fo);
  const kk = <usize>k;
  const last = oc - 1;
  for (let g = 0; g < 2; g++) {
    const c = co + 4 * g;
    const r0 = w + <usize>min(c, last) * kk;
    const r1 = w + <usize>min(c + 1, last) * kk;
    const r2 = w + <usize>min(c + 2, last) * kk;
    const r3 = w + <usize>min(c + 3, last) * kk;
    let d = wq + (<usize>g << 4);
    for (let j = 0; j < kp; j += 8) {
      // Each i32 lane of v_i is one pair of channel c+i; transpose 4x4 so that q_t holds pair t of all four.
      const v0 = filterStep(r0, j, k, fov, fo);
      const v1 = filterStep(r1, j, k, fov, fo);
      const v2 = filterStep(r2, j, k, fov, fo);
      const v3 = filterStep(r3, j, k, fov, fo);
      const e0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5), e1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
      const e2 = i32x4.shuffle(v0, v1, 2, 6, 3, 7), e3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
      const q0 = i32x4.shuffle(e0, e1, 0, 1, 4, 5), q1 = i32x4.shuffle(e0, e1, 2, 3, 6, 7);
      const q2 = i32x4.shuffle(e2, e3, 0, 1, 4, 5), q3 = i32x4.shuffle(e2, e3, 2, 3, 6, 7);
      v128.store(d, q0);
      v128.store(d, q1, 32);
      v128.store(d, q2, 64);
      v128.store(d, q3, 96);
      d += 128;
    }
    v128.store(wq + (<usize>kp << 4) + (<usize>g << 4), bias ? v128.load(bias + (<usize>c << 2)) : i32x4.splat(0));
  }
}

/**
 * repackPairs for u8 rows (filter offset 0): channels co..co+7 as int8 quads
 * (quad t of channel co+4g+i at wq + t*32 + g*16 + i*4, zeros past k), then
 * their biases plus (io - 128)·Σw, which turns Σ u·w back into Σ (x + io)·w.
 */
function repackQuads(wq: usize, w: usize, k: i32, co: i32, oc: i32, bias: usize, io: i32): void {
  const kp = lanesDepth(k);
  const kk = <usize>k;
  const last = oc - 1;
  const ones = i8x16.splat(1);
  for (let g = 0; g < 2; g++) {
    const c = co + 4 * g;
    let d = wq + (<usize>g << 4);
    // Σw of the four channels, one quad at a time (its 1s are portable 7-bit values).
    let sum = i32x4.splat(0);
    for (let j = 0; j < kp; j += 8) {
      // Eight values of each channel (two quads; zeros past k) staged 8 bytes apart, then one shuffle per quad gathers it from the four channels.
      for (let i = 0; i < 4; i++) {
        const r = w + <usize>min(c + i, last) * kk + <usize>j;
        if (j + 8 <= k) store<u64>(ROW_TAIL + (<usize>i << 3), load<u64>(r));
        else for (let b = 0; b < 8; b++) store<i8>(ROW_TAIL + (<usize>i << 3) + <usize>b, j + b < k ? load<i8>(r + <usize>b) : 0);
      }
      const v01 = v128.load(ROW_TAIL), v23 = v128.load(QUAD_TAIL);
      // v01 = [q0 c0, q1 c0, q0 c1, q1 c1], v23 the same for c2, c3.
      const q0 = i32x4.shuffle(v01, v23, 0, 2, 4, 6), q1 = i32x4.shuffle(v01, v23, 1, 3, 5, 7);
      v128.store(d, q0);
      v128.store(d, q1, 32);
      sum = mac4(mac4(sum, ones, q0), ones, q1);
      d += 64;
    }
    const b = bias ? v128.load(bias + (<usize>c << 2)) : i32x4.splat(0);
    v128.store(wq + (<usize>kp << 3) + (<usize>g << 4), i32x4.add(b, i32x4.mul(sum, i32x4.splat(io - 128))));
  }
}
