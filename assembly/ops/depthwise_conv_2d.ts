// DEPTHWISE_CONV_2D: int8 depthwise convolution, filter [1, KH, KW, C*mult],
// per-channel requantization (src/reference/ops/depthwise_conv_2d.ts is the
// definition).
//
// SIMD builds, depth multiplier 1 and at least 8 channels, or multiplier >= 8
// with a 3x3 filter and filter offset 0: vectorized over 8 output
// channels at a time (the last group overlaps an earlier one when the count is
// not a multiple of 8; it rewrites the same values), see dw8. Requantization
// per lane in f32 where certified exact, in integers otherwise
// (kernels/conv_common.ts). The 3x3 path's taps go in pairs through
// i32x4.dot_i16x8_s, or, in relaxed builds where the fused int8 dot reads u8
// exactly (probe.ts, dotU8Exact), in quads of u8 x + 128 through it (pixel3x3).
// Otherwise: the direct loop (scalar builds: four channels per pass, and 3x3
// inner pixels in pairs, two channels at a time: dwPairs3x3).
import {
  DEPTHWISE_CONV_2D_ACT_MAX, DEPTHWISE_CONV_2D_ACT_MIN, DEPTHWISE_CONV_2D_DEPTH_MULTIPLIER, DEPTHWISE_CONV_2D_DILATION_H,
  DEPTHWISE_CONV_2D_DILATION_W, DEPTHWISE_CONV_2D_FILTER_OFFSET, DEPTHWISE_CONV_2D_INPUT_OFFSET,
  DEPTHWISE_CONV_2D_OUTPUT_OFFSET, DEPTHWISE_CONV_2D_PAD_LEFT, DEPTHWISE_CONV_2D_PAD_TOP, DEPTHWISE_CONV_2D_STRIDE_H,
  DEPTHWISE_CONV_2D_STRIDE_W, NONE,
} from '../generated/format';
import { opInput, opOutput, opParam, tensorData, tensorDim } from '../model';
import { copyBytes, fillPattern } from './copy';
import {
  beginPerLane8, beginRequant, checkConvLike, endTap, firstTap, groupSigned, KERNEL_SCRATCH, KERNEL_SCRATCH_BYTES, PERLANE_BYTES,
  requantize, storePerLane8Run,
} from '../kernels/conv_common';
import { dotU8Exact } from '../probe';

// Small padded inputs of the 3x3 path, copied whole into a padded image (the
// input's zero point around it) once per op: every output pixel is then an
// inner one, without the border pixels' per-pixel tap choices in each group of
// 8 channels (most pixels of a 6x6 image; 0.8x the time there). The SIMD
// kernels' larger buffers are reserved in SIMD builds only.
const PADDED_BYTES = KERNEL_SCRATCH_BYTES;
// The fewest output rows a band of a stride-1 image may have (see evalDepthwiseConv2d).
const MIN_BAND_ROWS = 4;
const DW_PADDED = KERNEL_SCRATCH;

/** Per-lane requantization constants of the current 8 channels (two groups of 4). */
const DW_Q = memory.data(2 * <i32>PERLANE_BYTES, 16);

// The current op's geometry, for dw8.
let gBatches = 0, gInH = 0, gInW = 0, gInC = 0, gKH = 0, gKW = 0, gOutH = 0, gOutW = 0;
let gSH = 0, gSW = 0, gDH = 0, gDW = 0, gPT = 0, gPL = 0, gIO = 0, gFO = 0, gZP = 0, gLO = 0, gHI = 0;
// Output columns whose taps all lie inside the input: [gOxLo, gOxHi).
let gOxLo = 0, gOxHi = 0;

// The 3x3 path's stand-in for taps outside the input: the input's zero point in every byte.
const DW_PAD = memory.data(16, 16);

// Four channels' accumulators on their way to scalar requantization (scalar builds).
const DW_ACC = memory.data(16, 16);

/** Eight raw int8 input values at p as int16, or the one at p in all lanes (bcast). */
@inline function tap8(p: usize, bcast: bool): v128 {
  return bcast ? i16x8.splat(<i16>load<i8>(p)) : v128.load8x8_s(p);
}

/** x·w for 8 lanes as int16: raw int8 input at p (or its one value in all lanes: bcast) times int16 weights. */
@inline function prod8(p: usize, w: v128, bcast: bool): v128 {
  return i16x8.mul(tap8(p, bcast), w);
}

// Accumulators of the current 8 channels waiting for requantization: up to
// DW_RUN pixels (32 bytes each), whose outputs lie wc bytes apart and end at the
// current pixel's. Requantizing them apart from the MAC loop (storePerLane8Run)
// keeps that loop's nine weight vectors in registers.
const DW_RUN = 64;
const DW_ACCS: usize = ASC_FEATURE_SIMD ? memory.data(DW_RUN * 32, 16) : 0;
let gRunN = 0;

/** Counts the pixel whose accumulators are in the next run slot (outputs at out); requantizes a full run. */
@inline function queued(out: usize, wc: usize, useFloat: bool): void {
  const k = gRunN;
  if (k + 1 < DW_RUN) gRunN = k + 1;
  else flushRun(DW_RUN, out + wc, wc, useFloat);
}

/** Queues the current 8 channels' accumulators of the pixel whose outputs go to out; requantizes a full run. */
@inline function store8(out: usize, a0: v128, a1: v128, wc: usize, useFloat: bool): void {
  const p = DW_ACCS + (<usize>gRunN << 5);
  v128.store(p, a0);
  v128.store(p, a1, 16);
  queued(out, wc, useFloat);
}

/** Requantizes the n queued pixels, whose outputs end just before end (stride wc). */
function flushRun(n: i32, end: usize, wc: usize, useFloat: bool): void {
  storePerLane8Run(DW_Q, DW_ACCS, n, end - <usize>n * wc, wc, useFloat, groupSigned());
  gRunN = 0;
}

/** Lanes 0..3 of a and b interleaved (a0 b0 a1 b1 ...): two taps of four channels, as i32x4.dot_i16x8_s pairs them. */
@inline function zipLo(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}
/** Bytes 0..7 of a and b interleaved (a0 b0 a1 b1 ...): two taps of eight channels as int8 pairs. */
@inline function zip8(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}
/** The int8 inputs at a, b, c, d as one u8 quad (x + 128) in every lane: four taps of the broadcast path (u8). */
@inline function bcastQuad(a: usize, b: usize, c: usize, d: usize): v128 {
  return i32x4.splat((<i32>load<u8>(a) | (<i32>load<u8>(b) << 8) | (<i32>load<u8>(c) << 16) | (<i32>load<u8>(d) << 24)) ^ 0x80808080);
}
/** Lanes 4..7 of a and b interleaved (see zipLo). */
@inline function zipHi(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
}
/** The int8 inputs at a and b as int16 lanes a b a b ...: a tap pair of the broadcast path, for every channel. */
@inline function bcastPair(a: usize, b: usize): v128 {
  return i32x4.splat((<i32>load<i8>(a) & 0xffff) | (<i32>load<i8>(b) << 16));
}

/**
 * One output pixel of the 3x3 path: taps at p0..p8 (row-major) times the
 * weights, onto the folded bias f0, f1; the accumulators go to the run slot at
 * slot (DW_ACCS). Taps 0..7 go in pairs, each pair's inputs interleaved (zipLo,
 * zipHi) so that one i32x4.dot_i16x8_s takes two taps of four channels against
 * the pair's interleaved weights (l01, h01: taps 0 and 1 of the low and high
 * four channels, ...); tap 8 alone, its product x·w exact in int16 (|x|, |w| <= 128).
 */
@inline function pixel3x3(
  slot: usize, p0: usize, p1: usize, p2: usize, p3: usize, p4: usize, p5: usize, p6: usize, p7: usize, p8: usize,
  l01: v128, h01: v128, l23: v128, h23: v128, l45: v128, h45: v128, l67: v128, h67: v128, w8: v128, f0: v128, f1: v128, bcast: bool, u8: bool,
): void {
  let a0 = f0, a1 = f1;
  if (ASC_FEATURE_RELAXED_SIMD && u8) {
    // Taps 0..3 and 4..7 as u8 quads (x + 128) against int8 weight quads (l01,
    // h01: taps 0..3 of the low and high four channels; l23, h23: taps 4..7).
    if (bcast) {
      let x = bcastQuad(p0, p1, p2, p3);
      a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(l01, x, a0); a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(h01, x, a1);
      x = bcastQuad(p4, p5, p6, p7);
      a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(l23, x, a0); a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(h23, x, a1);
    } else {
      const flip = i8x16.splat(-128);
      let t = zip8(v128.load64_zero(p0), v128.load64_zero(p1)), u = zip8(v128.load64_zero(p2), v128.load64_zero(p3));
      a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(l01, v128.xor(zipLo(t, u), flip), a0);
      a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(h01, v128.xor(zipHi(t, u), flip), a1);
      t = zip8(v128.load64_zero(p4), v128.load64_zero(p5)); u = zip8(v128.load64_zero(p6), v128.load64_zero(p7));
      a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(l23, v128.xor(zipLo(t, u), flip), a0);
      a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(h23, v128.xor(zipHi(t, u), flip), a1);
    }
  } else if (bcast) {
    // One input channel in every lane: each pair's two inputs as one splat.
    let x = bcastPair(p0, p1);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, l01)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, h01));
    x = bcastPair(p2, p3);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, l23)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, h23));
    x = bcastPair(p4, p5);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, l45)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, h45));
    x = bcastPair(p6, p7);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, l67)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, h67));
  } else {
    let x = v128.load8x8_s(p0), y = v128.load8x8_s(p1);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(zipLo(x, y), l01)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(zipHi(x, y), h01));
    x = v128.load8x8_s(p2); y = v128.load8x8_s(p3);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(zipLo(x, y), l23)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(zipHi(x, y), h23));
    x = v128.load8x8_s(p4); y = v128.load8x8_s(p5);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(zipLo(x, y), l45)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(zipHi(x, y), h45));
    x = v128.load8x8_s(p6); y = v128.load8x8_s(p7);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(zipLo(x, y), l67)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(zipHi(x, y), h67));
  }
  const p = prod8(p8, w8, bcast);
  a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p)); a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
  v128.store(slot, a0);
  v128.store(slot, a1, 16);
}

// The 3x3 path's weights of the current 8 channels, as pixel3x3 takes them
// (l01, h01, ..., h67, w8), then the bias with the input offset folded in (f0, f1).
const DW_TAPS: usize = ASC_FEATURE_SIMD ? memory.data(11 * 16, 16) : 0;

/**
 * Fills DW_TAPS from the 3x3 filter of 8 channels at wb (taps wc bytes apart),
 * their bias b0, b1 and the input offset io; sets DW_PAD to the input's zero point.
 */
function prepareTaps3x3(wb: usize, wc: usize, b0: v128, b1: v128, io: i32, u8: bool): void {
  const w0 = v128.load8x8_s(wb), w1 = v128.load8x8_s(wb + wc), w2 = v128.load8x8_s(wb + 2 * wc);
  const w3 = v128.load8x8_s(wb + 3 * wc), w4 = v128.load8x8_s(wb + 4 * wc), w5 = v128.load8x8_s(wb + 5 * wc);
  const w6 = v128.load8x8_s(wb + 6 * wc), w7 = v128.load8x8_s(wb + 7 * wc), w8 = v128.load8x8_s(wb + 8 * wc);
  const t = DW_TAPS;
  // |Σw| <= 9·128: the sum fits int16.
  const sum = i16x8.add(i16x8.add(i16x8.add(w0, w1), i16x8.add(w2, w3)), i16x8.add(i16x8.add(w4, w5), i16x8.add(i16x8.add(w6, w7), w8)));
  let k0 = i32x4.mul(i32x4.extend_low_i16x8_s(sum), i32x4.splat(io)), k1 = i32x4.mul(i32x4.extend_high_i16x8_s(sum), i32x4.splat(io));
  if (ASC_FEATURE_RELAXED_SIMD && u8) {
    // Weight quads of taps 0..3 and 4..7 as pixel3x3 takes them (u8); their
    // inputs count x + 128, so 128·Σ_{t<8} w comes off the bias.
    const t01 = zip8(v128.load64_zero(wb), v128.load64_zero(wb + wc));
    const t23 = zip8(v128.load64_zero(wb + 2 * wc), v128.load64_zero(wb + 3 * wc));
    const t45 = zip8(v128.load64_zero(wb + 4 * wc), v128.load64_zero(wb + 5 * wc));
    const t67 = zip8(v128.load64_zero(wb + 6 * wc), v128.load64_zero(wb + 7 * wc));
    v128.store(t, zipLo(t01, t23)); v128.store(t, zipHi(t01, t23), 16);
    v128.store(t, zipLo(t45, t67), 32); v128.store(t, zipHi(t45, t67), 48);
    const s8 = i16x8.sub(sum, w8);
    k0 = i32x4.sub(k0, i32x4.shl(i32x4.extend_low_i16x8_s(s8), 7));
    k1 = i32x4.sub(k1, i32x4.shl(i32x4.extend_high_i16x8_s(s8), 7));
  } else {
    v128.store(t, zipLo(w0, w1)); v128.store(t, zipHi(w0, w1), 16);
    v128.store(t, zipLo(w2, w3), 32); v128.store(t, zipHi(w2, w3), 48);
    v128.store(t, zipLo(w4, w5), 64); v128.store(t, zipHi(w4, w5), 80);
    v128.store(t, zipLo(w6, w7), 96); v128.store(t, zipHi(w6, w7), 112);
  }
  v128.store(t, w8, 128);
  v128.store(t, i32x4.add(b0, k0), 144);
  v128.store(t, i32x4.add(b1, k1), 160);
  v128.store(DW_PAD, i8x16.splat(<i8>-io));
}

/**
 * All output pixels for the 8 output channels co..co+7 (per-lane constants of
 * those channels in DW_Q groups 0 and 1): input channels xc..xc+7 (multiplier 1),
 * or input channel xc in all lanes (bcast: multiplier >= 8, the 8 outputs of one
 * input channel). Products (x + io)·(w + fo) as exact int32 (extmul of int16).
 *
 * 3x3 with filter offset 0: the weights, interleaved by tap pair, stay in
 * registers, the input offset is folded into the bias, and the pixels whose
 * taps all lie inside the input (rows checked here, columns [gOxLo, gOxHi)
 * found once per op) run unrolled (pixel3x3); border pixels run the same code
 * with their outside taps reading DW_PAD. Other filters: the direct loop (never
 * with bcast: the broadcast path takes only this filter).
 * useFloat: whether these channels requantize in f32 (beginPerLane8's answer).
 */
@inline function dw8(xp: usize, wp: usize, bp: usize, yp: usize, oc: i32, co: i32, xc: i32, bcast: bool, useFloat: bool, u8: bool): void {
  const batches = gBatches, inH = gInH, inW = gInW, inC = gInC, kH = gKH, kW = gKW, outH = gOutH, outW = gOutW;
  const sh = gSH, sw = gSW, dh = gDH, dw = gDW, pt = gPT, pl = gPL;
  const io = gIO;
  const iov = i16x8.splat(<i16>io);
  const fo = gFO;
  const fov = i16x8.splat(<i16>fo);
  const c = <usize>inC;
  const wc = <usize>oc;
  const rowStride = <usize>inW * c;
  const b0 = bp ? v128.load(bp + (<usize>co << 2)) : i32x4.splat(0);
  const b1 = bp ? v128.load(bp + (<usize>co << 2), 16) : i32x4.splat(0);
  const tapX = <usize>dw * c;
  const pixX = <usize>sw * c;
  const rs = <usize>dh * rowStride;
  let l01 = i32x4.splat(0), h01 = l01, l23 = l01, h23 = l01, l45 = l01, h45 = l01, l67 = l01, h67 = l01, w8 = l01;
  let f0 = b0, f1 = b1;
  const fast = kH == 3 && kW == 3 && fo == 0;
  if (fast) {
    prepareTaps3x3(wp + <usize>co, wc, b0, b1, io, u8);
    const t = DW_TAPS;
    l01 = v128.load(t); h01 = v128.load(t, 16); l23 = v128.load(t, 32); h23 = v128.load(t, 48);
    l45 = v128.load(t, 64); h45 = v128.load(t, 80); l67 = v128.load(t, 96); h67 = v128.load(t, 112);
    w8 = v128.load(t, 128); f0 = v128.load(t, 144); f1 = v128.load(t, 160);
  }
  const oxLo = gOxLo, oxHi = gOxHi;
  const pad = DW_PAD;
  let out = yp + <usize>co;
  for (let n = 0; n < batches; n++) {
    const xn = xp + <usize>n * <usize>inH * rowStride + <usize>xc;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = <i64>oy * <i64>sh - <i64>pt;
      const ky0 = firstTap(iy0, dh);
      const ky1 = endTap(iy0, dh, inH, kH);
      const inner = fast && ky0 == 0 && ky1 == 3;
      // The three input rows of the 3x3 path (v: inside the input).
      // Tap positions fit in int32 (checkConvLike bounds the furthest; the first is >= -pad).
      const y0 = <i32>iy0, y1 = y0 + dh, y2 = y1 + dh;
      const v0 = <u32>y0 < <u32>inH, v1 = <u32>y1 < <u32>inH, v2 = <u32>y2 < <u32>inH;
      const r0 = xn + <usize>y0 * rowStride, r1 = xn + <usize>y1 * rowStride, r2 = xn + <usize>y2 * rowStride;
      let ox = 0;
      if (fast) {
        // In segments of inner or border pixels, each cut to fill the run at most:
        // no call inside a pixel loop, so V8 keeps the weights in registers there
        // rather than reloading them every pixel.
        while (ox < outW) {
          const isInner = inner && ox >= oxLo && ox < oxHi;
          const segEnd = isInner ? oxHi : inner && ox < oxLo && oxLo < oxHi ? oxLo : outW;
          const k = gRunN;
          const n = min(segEnd - ox, DW_RUN - k);
          let slot = DW_ACCS + (<usize>k << 5);
          const end = slot + (<usize>n << 5);
          let x0 = <i32>(<i64>ox * <i64>sw - <i64>pl);
          if (isInner) {
            let r = r0 + <usize>x0 * c;
            for (; slot < end; slot += 32) {
              pixel3x3(slot, r, r + tapX, r + 2 * tapX, r + rs, r + rs + tapX, r + rs + 2 * tapX, r + 2 * rs, r + 2 * rs + tapX, r + 2 * rs + 2 * tapX,
                l01, h01, l23, h23, l45, h45, l67, h67, w8, f0, f1, bcast, u8);
              r += pixX;
            }
          } else {
            // Border pixels: taps outside the input read the pad bytes (the input's
            // zero point), whose products cancel their share of the folded bias.
            for (; slot < end; slot += 32) {
              const x1 = x0 + dw, x2 = x1 + dw;
              const c0 = <u32>x0 < <u32>inW, c1 = <u32>x1 < <u32>inW, c2 = <u32>x2 < <u32>inW;
              const o0 = <usize>x0 * c, o1 = <usize>x1 * c, o2 = <usize>x2 * c;
              pixel3x3(slot,
                v0 && c0 ? r0 + o0 : pad, v0 && c1 ? r0 + o1 : pad, v0 && c2 ? r0 + o2 : pad,
                v1 && c0 ? r1 + o0 : pad, v1 && c1 ? r1 + o1 : pad, v1 && c2 ? r1 + o2 : pad,
                v2 && c0 ? r2 + o0 : pad, v2 && c1 ? r2 + o1 : pad, v2 && c2 ? r2 + o2 : pad,
                l01, h01, l23, h23, l45, h45, l67, h67, w8, f0, f1, bcast, u8);
              x0 += sw;
            }
          }
          ox += n;
          out += <usize>n * wc;
          if (k + n < DW_RUN) gRunN = k + n;
          else flushRun(DW_RUN, out, wc, useFloat);
        }
      }
      if (!bcast) while (ox < outW) {
        const ix0 = <i64>ox * <i64>sw - <i64>pl;
        const kx0 = firstTap(ix0, dw);
        const kx1 = endTap(ix0, dw, inW, kW);
        let a0 = b0, a1 = b1;
        for (let ky = ky0; ky < ky1; ky++) {
          let xr = xn + <usize>(<i32>iy0 + ky * dh) * rowStride + <usize>(<i32>ix0 + kx0 * dw) * c;
          let wr = wp + <usize>(ky * kW + kx0) * wc + <usize>co;
          for (let kx = kx0; kx < kx1; kx++) {
            const xv = bcast ? i16x8.splat(<i16>(<i32>load<i8>(xr) + io)) : i16x8.add(v128.load8x8_s(xr), iov);
            if (fo) {
              const wv = i16x8.add(v128.load8x8_s(wr), fov);
              a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(xv, wv));
              a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(xv, wv));
            } else {
              // |x + io| <= 255 and |w| <= 128: the product fits int16.
              const p = i16x8.mul(xv, v128.load8x8_s(wr));
              a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p));
              a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
            }
            xr += tapX;
            wr += wc;
          }
        }
        store8(out, a0, a1, wc, useFloat);
        out += wc;
        ox++;
      }
    }
  }
  if (gRunN) flushRun(gRunN, out, wc, useFloat);
}

// dw8 with bcast known: no per-tap test in the loops.
function dw8Channels(xp: usize, wp: usize, bp: usize, yp: usize, oc: i32, co: i32, useFloat: bool): void {
  dw8(xp, wp, bp, yp, oc, co, co, false, useFloat, false);
}
function dw8Broadcast(xp: usize, wp: usize, bp: usize, yp: usize, oc: i32, co: i32, xc: i32, useFloat: bool): void {
  dw8(xp, wp, bp, yp, oc, co, xc, true, useFloat, false);
}
// Relaxed builds with an exact u8 dot (dotU8Exact): taps 0..7 in fused dots of four.
function dw8ChannelsU8(xp: usize, wp: usize, bp: usize, yp: usize, oc: i32, co: i32, useFloat: bool): void {
  dw8(xp, wp, bp, yp, oc, co, co, false, useFloat, true);
}
function dw8BroadcastU8(xp: usize, wp: usize, bp: usize, yp: usize, oc: i32, co: i32, xc: i32, useFloat: bool): void {
  dw8(xp, wp, bp, yp, oc, co, xc, true, useFloat, true);
}

/** Requantizes and stores four channels' accumulators at out (scalar builds). */
function store4(out: usize, a0: i32, a1: i32, a2: i32, a3: i32, mp: usize, sp: usize, zp: i32, lo: i32, hi: i32): void {
  store<i8>(out, <i8>requantize(a0, load<i32>(mp), load<i32>(sp), zp, lo, hi));
  store<i8>(out, <i8>requantize(a1, load<i32>(mp, 4), load<i32>(sp, 4), zp, lo, hi), 1);
  store<i8>(out, <i8>requantize(a2, load<i32>(mp, 8), load<i32>(sp, 8), zp, lo, hi), 2);
  store<i8>(out, <i8>requantize(a3, load<i32>(mp, 12), load<i32>(sp, 12), zp, lo, hi), 3);
}

// Scalar builds: the current four channels' 3x3 filter, tap-major (t·4 + j), so
// that dwPairs3x3 reads each weight at an immediate offset.
const DW_W4 = memory.data(36, 4);

/**
 * Scalar builds, 3x3 filter: channels j, j + 1 of the current four (co + j) over
 * n pairs of neighbouring output pixels whose taps all lie inside the input,
 * the first pair's first taps at x; outputs from out (c apart). Two channels by
 * two pixels keep the four accumulators, two weights and the pointers in
 * registers; fa, fb: the biases with the input offset folded in.
 */
function dwPairs3x3(x: usize, out: usize, n: i32, j: usize, fa: i32, fb: i32, mq: usize, sq: usize): void {
  const c = <usize>gInC, tapX = <usize>gDW * c, tap2 = tapX << 1, tap3 = tap2 + tapX, pixX = <usize>gSW * c;
  const rs = <usize>gDH * <usize>gInW * c;
  const zp = gZP, lo = gLO, hi = gHI;
  const ma = load<i32>(mq + (j << 2)), mb = load<i32>(mq + (j << 2), 4);
  const sa = load<i32>(sq + (j << 2)), sb = load<i32>(sq + (j << 2), 4);
  const wt = DW_W4 + j;
  // The second pixel's first taps are the first pixel's second (stride = dilation): four columns serve both.
  const shared = pixX == tapX;
  x += j;
  out += j;
  for (let i = 0; i < n; i++) {
    let a0 = fa, a1 = fb, e0 = fa, e1 = fb;
    const r = x, r1 = x + rs, r2 = r1 + rs;
    if (shared) {
      { const c1 = r + tapX, c2 = r + tap2, c3 = r + tap3;
        const x0 = <i32>load<i8>(r), y0 = <i32>load<i8>(r, 1), x1 = <i32>load<i8>(c1), y1 = <i32>load<i8>(c1, 1);
        const x2 = <i32>load<i8>(c2), y2 = <i32>load<i8>(c2, 1), x3 = <i32>load<i8>(c3), y3 = <i32>load<i8>(c3, 1);
        { const w0 = <i32>load<i8>(wt, 0), w1 = <i32>load<i8>(wt, 1);
          a0 += x0 * w0; a1 += y0 * w1; e0 += x1 * w0; e1 += y1 * w1; }
        { const w0 = <i32>load<i8>(wt, 4), w1 = <i32>load<i8>(wt, 5);
          a0 += x1 * w0; a1 += y1 * w1; e0 += x2 * w0; e1 += y2 * w1; }
        { const w0 = <i32>load<i8>(wt, 8), w1 = <i32>load<i8>(wt, 9);
          a0 += x2 * w0; a1 += y2 * w1; e0 += x3 * w0; e1 += y3 * w1; }
      }
      { const c1 = r1 + tapX, c2 = r1 + tap2, c3 = r1 + tap3;
        const x0 = <i32>load<i8>(r1), y0 = <i32>load<i8>(r1, 1), x1 = <i32>load<i8>(c1), y1 = <i32>load<i8>(c1, 1);
        const x2 = <i32>load<i8>(c2), y2 = <i32>load<i8>(c2, 1), x3 = <i32>load<i8>(c3), y3 = <i32>load<i8>(c3, 1);
        { const w0 = <i32>load<i8>(wt, 12), w1 = <i32>load<i8>(wt, 13);
          a0 += x0 * w0; a1 += y0 * w1; e0 += x1 * w0; e1 += y1 * w1; }
        { const w0 = <i32>load<i8>(wt, 16), w1 = <i32>load<i8>(wt, 17);
          a0 += x1 * w0; a1 += y1 * w1; e0 += x2 * w0; e1 += y2 * w1; }
        { const w0 = <i32>load<i8>(wt, 20), w1 = <i32>load<i8>(wt, 21);
          a0 += x2 * w0; a1 += y2 * w1; e0 += x3 * w0; e1 += y3 * w1; }
      }
      { const c1 = r2 + tapX, c2 = r2 + tap2, c3 = r2 + tap3;
        const x0 = <i32>load<i8>(r2), y0 = <i32>load<i8>(r2, 1), x1 = <i32>load<i8>(c1), y1 = <i32>load<i8>(c1, 1);
        const x2 = <i32>load<i8>(c2), y2 = <i32>load<i8>(c2, 1), x3 = <i32>load<i8>(c3), y3 = <i32>load<i8>(c3, 1);
        { const w0 = <i32>load<i8>(wt, 24), w1 = <i32>load<i8>(wt, 25);
          a0 += x0 * w0; a1 += y0 * w1; e0 += x1 * w0; e1 += y1 * w1; }
        { const w0 = <i32>load<i8>(wt, 28), w1 = <i32>load<i8>(wt, 29);
          a0 += x1 * w0; a1 += y1 * w1; e0 += x2 * w0; e1 += y2 * w1; }
        { const w0 = <i32>load<i8>(wt, 32), w1 = <i32>load<i8>(wt, 33);
          a0 += x2 * w0; a1 += y2 * w1; e0 += x3 * w0; e1 += y3 * w1; }
      }
    } else {
      { const p = r, q = p + pixX, w0 = <i32>load<i8>(wt, 0), w1 = <i32>load<i8>(wt, 1);
        a0 += <i32>load<i8>(p) * w0; a1 += <i32>load<i8>(p, 1) * w1; e0 += <i32>load<i8>(q) * w0; e1 += <i32>load<i8>(q, 1) * w1; }
      { const p = r + tapX, q = p + pixX, w0 = <i32>load<i8>(wt, 4), w1 = <i32>load<i8>(wt, 5);
        a0 += <i32>load<i8>(p) * w0; a1 += <i32>load<i8>(p, 1) * w1; e0 += <i32>load<i8>(q) * w0; e1 += <i32>load<i8>(q, 1) * w1; }
      { const p = r + tap2, q = p + pixX, w0 = <i32>load<i8>(wt, 8), w1 = <i32>load<i8>(wt, 9);
        a0 += <i32>load<i8>(p) * w0; a1 += <i32>load<i8>(p, 1) * w1; e0 += <i32>load<i8>(q) * w0; e1 += <i32>load<i8>(q, 1) * w1; }
      { const p = r1, q = p + pixX, w0 = <i32>load<i8>(wt, 12), w1 = <i32>load<i8>(wt, 13);
        a0 += <i32>load<i8>(p) * w0; a1 += <i32>load<i8>(p, 1) * w1; e0 += <i32>load<i8>(q) * w0; e1 += <i32>load<i8>(q, 1) * w1; }
      { const p = r1 + tapX, q = p + pixX, w0 = <i32>load<i8>(wt, 16), w1 = <i32>load<i8>(wt, 17);
        a0 += <i32>load<i8>(p) * w0; a1 += <i32>load<i8>(p, 1) * w1; e0 += <i32>load<i8>(q) * w0; e1 += <i32>load<i8>(q, 1) * w1; }
      { const p = r1 + tap2, q = p + pixX, w0 = <i32>load<i8>(wt, 20), w1 = <i32>load<i8>(wt, 21);
        a0 += <i32>load<i8>(p) * w0; a1 += <i32>load<i8>(p, 1) * w1; e0 += <i32>load<i8>(q) * w0; e1 += <i32>load<i8>(q, 1) * w1; }
      { const p = r2, q = p + pixX, w0 = <i32>load<i8>(wt, 24), w1 = <i32>load<i8>(wt, 25);
        a0 += <i32>load<i8>(p) * w0; a1 += <i32>load<i8>(p, 1) * w1; e0 += <i32>load<i8>(q) * w0; e1 += <i32>load<i8>(q, 1) * w1; }
      { const p = r2 + tapX, q = p + pixX, w0 = <i32>load<i8>(wt, 28), w1 = <i32>load<i8>(wt, 29);
        a0 += <i32>load<i8>(p) * w0; a1 += <i32>load<i8>(p, 1) * w1; e0 += <i32>load<i8>(q) * w0; e1 += <i32>load<i8>(q, 1) * w1; }
      { const p = r2 + tap2, q = p + pixX, w0 = <i32>load<i8>(wt, 32), w1 = <i32>load<i8>(wt, 33);
        a0 += <i32>load<i8>(p) * w0; a1 += <i32>load<i8>(p, 1) * w1; e0 += <i32>load<i8>(q) * w0; e1 += <i32>load<i8>(q, 1) * w1; }
    }
    store<i8>(out, <i8>requantize(a0, ma, sa, zp, lo, hi));
    store<i8>(out, <i8>requantize(a1, mb, sb, zp, lo, hi), 1);
    store<i8>(out + c, <i8>requantize(e0, ma, sa, zp, lo, hi));
    store<i8>(out + c, <i8>requantize(e1, mb, sb, zp, lo, hi), 1);
    x += pixX << 1;
    out += c << 1;
  }
}

/**
 * Scalar builds, multiplier 1, filter offset 0: channels co..co+3 over every
 * output pixel. Pixels whose taps all lie inside the input (columns [gOxLo, gOxHi))
 * take the input offset folded into the bias (bias + inputOffset·Σw) and go in
 * pairs, each filter value loaded once for both; the others add the offset to
 * each input value over their clipped taps.
 */
function dwScalar4(xp: usize, wp: usize, bp: usize, mp: usize, sp: usize, yp: usize, co: i32): void {
  const batches = gBatches, inH = gInH, inW = gInW, kH = gKH, kW = gKW, outH = gOutH, outW = gOutW;
  const sh = gSH, sw = gSW, dh = gDH, dw = gDW, pt = gPT, pl = gPL, io = gIO, zp = gZP, lo = gLO, hi = gHI;
  const c = <usize>gInC;
  const rowStride = <usize>inW * c;
  const tapX = <usize>dw * c;
  const pixX = <usize>sw * c;
  const rs = <usize>dh * rowStride;
  const wq = wp + <usize>co;
  const q = <usize>co << 2;
  const mq = mp + q, sq = sp + q;
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  if (bp) {
    b0 = load<i32>(bp + q); b1 = load<i32>(bp + q, 4); b2 = load<i32>(bp + q, 8); b3 = load<i32>(bp + q, 12);
  }
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let t = 0, taps = kH * kW; t < taps; t++) {
    const w = wq + <usize>t * c;
    s0 += <i32>load<i8>(w); s1 += <i32>load<i8>(w, 1); s2 += <i32>load<i8>(w, 2); s3 += <i32>load<i8>(w, 3);
  }
  const f0 = b0 + io * s0, f1 = b1 + io * s1, f2 = b2 + io * s2, f3 = b3 + io * s3;
  const oxLo = gOxLo, oxHi = gOxHi;
  const is3x3 = kH == 3 && kW == 3;
  if (is3x3) {
    for (let t: usize = 0; t < 9; t++) store<u32>(DW_W4 + (t << 2), load<u32>(wq + t * c));
  }
  for (let n = 0; n < batches; n++) {
    const xn = xp + <usize>n * <usize>inH * rowStride + <usize>co;
    let out = yp + <usize>n * <usize>outH * <usize>outW * c + <usize>co;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = <i64>oy * <i64>sh - <i64>pt;
      const ky0 = firstTap(iy0, dh);
      const ky1 = endTap(iy0, dh, inH, kH);
      const full = ky0 == 0 && ky1 == kH;
      let ox = 0;
      while (ox < outW) {
        if (full && ox == oxLo && oxLo < oxHi) {
          let r = xn + <usize>(<i32>iy0) * rowStride + <usize>(<i32>(<i64>ox * <i64>sw - <i64>pl)) * c;
          if (is3x3) {
            const pairs = (oxHi - ox) >> 1;
            dwPairs3x3(r, out, pairs, 0, f0, f1, mq, sq);
            dwPairs3x3(r, out, pairs, 2, f2, f3, mq, sq);
            ox += pairs << 1;
            r += <usize>(pairs << 1) * pixX;
            out += <usize>(pairs << 1) * c;
          }
          for (; ox + 1 < oxHi; ox += 2) {
            let a0 = f0, a1 = f1, a2 = f2, a3 = f3, e0 = f0, e1 = f1, e2 = f2, e3 = f3;
            let xr = r, wr = wq;
            for (let ky = 0; ky < kH; ky++) {
              let xt = xr;
              for (let kx = 0; kx < kW; kx++) {
                const w0 = <i32>load<i8>(wr), w1 = <i32>load<i8>(wr, 1), w2 = <i32>load<i8>(wr, 2), w3 = <i32>load<i8>(wr, 3);
                const xu = xt + pixX;
                a0 += <i32>load<i8>(xt) * w0; a1 += <i32>load<i8>(xt, 1) * w1;
                a2 += <i32>load<i8>(xt, 2) * w2; a3 += <i32>load<i8>(xt, 3) * w3;
                e0 += <i32>load<i8>(xu) * w0; e1 += <i32>load<i8>(xu, 1) * w1;
                e2 += <i32>load<i8>(xu, 2) * w2; e3 += <i32>load<i8>(xu, 3) * w3;
                xt += tapX;
                wr += c;
              }
              xr += rs;
            }
            store4(out, a0, a1, a2, a3, mq, sq, zp, lo, hi);
            store4(out + c, e0, e1, e2, e3, mq, sq, zp, lo, hi);
            out += 2 * c;
            r += 2 * pixX;
          }
          if (ox < oxHi) {
            let a0 = f0, a1 = f1, a2 = f2, a3 = f3;
            let xr = r, wr = wq;
            for (let ky = 0; ky < kH; ky++) {
              let xt = xr;
              for (let kx = 0; kx < kW; kx++) {
                a0 += <i32>load<i8>(xt) * <i32>load<i8>(wr); a1 += <i32>load<i8>(xt, 1) * <i32>load<i8>(wr, 1);
                a2 += <i32>load<i8>(xt, 2) * <i32>load<i8>(wr, 2); a3 += <i32>load<i8>(xt, 3) * <i32>load<i8>(wr, 3);
                xt += tapX;
                wr += c;
              }
              xr += rs;
            }
            store4(out, a0, a1, a2, a3, mq, sq, zp, lo, hi);
            out += c;
            ox++;
          }
          continue;
        }
        const ix0 = <i64>ox * <i64>sw - <i64>pl;
        const kx0 = firstTap(ix0, dw);
        const kx1 = endTap(ix0, dw, inW, kW);
        let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
        for (let ky = ky0; ky < ky1; ky++) {
          // Taps in [k0, k1) lie inside the input: their positions fit in 32 bits.
          let xt = xn + <usize>(<i32>iy0 + ky * dh) * rowStride + <usize>(<i32>ix0 + kx0 * dw) * c;
          let wr = wq + <usize>(ky * kW + kx0) * c;
          for (let kx = kx0; kx < kx1; kx++) {
            a0 += (<i32>load<i8>(xt) + io) * <i32>load<i8>(wr); a1 += (<i32>load<i8>(xt, 1) + io) * <i32>load<i8>(wr, 1);
            a2 += (<i32>load<i8>(xt, 2) + io) * <i32>load<i8>(wr, 2); a3 += (<i32>load<i8>(xt, 3) + io) * <i32>load<i8>(wr, 3);
            xt += tapX;
            wr += c;
          }
        }
        store4(out, a0, a1, a2, a3, mq, sq, zp, lo, hi);
        out += c;
        ox++;
      }
    }
  }
}

/** Sets the current op's geometry and offsets for dw8 (and the scalar passes). */
function setGeometry(
  batches: i32, inH: i32, inW: i32, inC: i32, kH: i32, kW: i32, outH: i32, outW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, io: i32, fo: i32, zp: i32, lo: i32, hi: i32,
): void {
  gBatches = batches; gInH = inH; gInW = inW; gInC = inC; gKH = kH; gKW = kW;
  gOutH = outH; gOutW = outW; gSH = sh; gSW = sw; gDH = dh; gDW = dw; gPT = pt; gPL = pl;
  gIO = io; gFO = fo; gZP = zp; gLO = lo; gHI = hi;
  if (ASC_FEATURE_SIMD) beginRequant(zp, lo, hi);
  const lastX = <i64>(kW - 1) * <i64>dw;
  gOxLo = <i32>min<i64>((<i64>pl + <i64>sw - 1) / <i64>sw, <i64>outW);
  const span = <i64>inW - 1 - lastX + <i64>pl;
  gOxHi = span < 0 ? gOxLo : <i32>max<i64>(min<i64>(span / <i64>sw + 1, <i64>outW), <i64>gOxLo);
}

/**
 * Copies the input (batches of inH x inW x c at xp) into DW_PADDED as images of
 * hp x wq with pt rows above and pl columns left of it, the rest the raw value
 * -io (whose products cancel their share of the folded bias, as DW_PAD's do).
 */
function padImage(xp: usize, batches: i32, inH: i32, inW: i32, c: i32, pt: i32, pl: i32, hp: i32, wq: i32, io: i32): void {
  const pad = <u64>(<u8>(-io)) * 0x0101010101010101;
  const row = <usize>inW * <usize>c, rowP = <usize>wq * <usize>c, left = <usize>pl * <usize>c;
  fillPattern(DW_PADDED, pad, <usize>batches * <usize>hp * rowP);
  let d = DW_PADDED + <usize>pt * rowP + left;
  for (let n = 0; n < batches; n++) {
    for (let y = 0; y < inH; y++) {
      copyBytes(d + <usize>y * rowP, xp, row);
      xp += row;
    }
    d += <usize>hp * rowP;
  }
}

/** SIMD, multiplier >= 8: each input channel's mult outputs, 8 at a time (the last group overlaps when mult % 8 != 0). */
function broadcastGroups(xp: usize, wp: usize, bp: usize, mp: usize, sp: usize, yp: usize, inC: i32, mult: i32): void {
  for (let ic = 0; ic < inC; ic++) {
    for (let j = 0; j < mult; j += 8) {
      const co = ic * mult + min(j, mult - 8);
      const useFloat = beginPerLane8(DW_Q, mp, sp, co);
      if (ASC_FEATURE_RELAXED_SIMD && dotU8Exact()) dw8BroadcastU8(xp, wp, bp, yp, inC * mult, co, ic, useFloat);
      else dw8Broadcast(xp, wp, bp, yp, inC * mult, co, ic, useFloat);
    }
  }
}

/** Multiplier 1: every group of 8 channels (the last overlapping an earlier one when C % 8 != 0) over the current geometry. */
function channelGroups(xp: usize, wp: usize, bp: usize, mp: usize, sp: usize, yp: usize, c: i32): void {
  for (let c0 = 0; c0 < c; c0 += 8) {
    const co = min(c0, c - 8);
    const useFloat = beginPerLane8(DW_Q, mp, sp, co);
    if (ASC_FEATURE_RELAXED_SIMD && dotU8Exact()) dw8ChannelsU8(xp, wp, bp, yp, c, co, useFloat);
    else dw8Channels(xp, wp, bp, yp, c, co, useFloat);
  }
}

// A one-channel CONV_2D's 3x3 filter in depthwise layout [1, 3, 3, OC].
const CONV1_FILTER_BYTES = 9 * 256;
const CONV1_FILTER: usize = ASC_FEATURE_SIMD ? memory.data(CONV1_FILTER_BYTES, 16) : 0;

/**
 * SIMD builds: CONV_2D with one input channel, a 3x3 filter and filter offset 0
 * is DEPTHWISE_CONV_2D with multiplier OC (OC >= 8, at most 256): every
 * parameter means the same, and the OHWI filter [OC, 3, 3, 1] transposed is the
 * depthwise one. The broadcast 3x3 path then runs it (2x the im2col GEMM, whose
 * rows of 9 are mostly padding). Returns false when it does not apply.
 */
export function conv1AsDepthwise(
  xp: usize, wp: usize, bp: usize, mp: usize, sp: usize, yp: usize,
  batches: i32, inH: i32, inW: i32, outH: i32, outW: i32, outC: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, io: i32, zp: i32, lo: i32, hi: i32,
): bool {
  if (!ASC_FEATURE_SIMD || outC < 8 || 9 * outC > CONV1_FILTER_BYTES) return false;
  const oc = <usize>outC;
  for (let o: usize = 0; o < oc; o++) {
    for (let t: usize = 0; t < 9; t++) store<i8>(CONV1_FILTER + t * oc + o, load<i8>(wp + o * 9 + t));
  }
  setGeometry(batches, inH, inW, 1, 3, 3, outH, outW, sh, sw, dh, dw, pt, pl, io, 0, zp, lo, hi);
  broadcastGroups(xp, CONV1_FILTER, bp, mp, sp, yp, 1, outC);
  return true;
}

/** Checks shapes and parameters (mirrors src/format/checks.ts); 0 or an error code. */
export function checkDepthwiseConv2d(op: usize): i32 {
  return checkConvLike(op, DEPTHWISE_CONV_2D_DEPTH_MULTIPLIER, DEPTHWISE_CONV_2D_INPUT_OFFSET);
}

export function evalDepthwiseConv2d(op: usize): void {
  const x = opInput(op, 0);
  const w = opInput(op, 1);
  const b = opInput(op, 2);
  const y = opOutput(op, 0);
  let xp = tensorData(x);
  const wp = tensorData(w);
  const bp: usize = b == NONE ? 0 : tensorData(b);
  const mp = tensorData(opInput(op, 3));
  const sp = tensorData(opInput(op, 4));
  const yp = tensorData(y);
  const batches = tensorDim(x, 0);
  const inH = tensorDim(x, 1);
  const inW = tensorDim(x, 2);
  const inC = tensorDim(x, 3);
  const kH = tensorDim(w, 1);
  const kW = tensorDim(w, 2);
  const outH = tensorDim(y, 1);
  const outW = tensorDim(y, 2);
  const outC = tensorDim(y, 3);
  const sh = opParam(op, DEPTHWISE_CONV_2D_STRIDE_H);
  const sw = opParam(op, DEPTHWISE_CONV_2D_STRIDE_W);
  const dh = opParam(op, DEPTHWISE_CONV_2D_DILATION_H);
  const dw = opParam(op, DEPTHWISE_CONV_2D_DILATION_W);
  const pt = opParam(op, DEPTHWISE_CONV_2D_PAD_TOP);
  const pl = opParam(op, DEPTHWISE_CONV_2D_PAD_LEFT);
  const mult = opParam(op, DEPTHWISE_CONV_2D_DEPTH_MULTIPLIER);
  const io = opParam(op, DEPTHWISE_CONV_2D_INPUT_OFFSET);
  const fo = opParam(op, DEPTHWISE_CONV_2D_FILTER_OFFSET);
  const zp = opParam(op, DEPTHWISE_CONV_2D_OUTPUT_OFFSET);
  const lo = opParam(op, DEPTHWISE_CONV_2D_ACT_MIN);
  const hi = opParam(op, DEPTHWISE_CONV_2D_ACT_MAX);
  const rowStride = <usize>inW * <usize>inC;
  setGeometry(batches, inH, inW, inC, kH, kW, outH, outW, sh, sw, dh, dw, pt, pl, io, fo, zp, lo, hi);

  if (ASC_FEATURE_SIMD) {
    if ((mult == 1 && inC >= 8) || mult >= 8) {
      if (mult >= 8) {
        // The broadcast path has no generic loop of its own: 3x3, offset 0 only.
        if (kH == 3 && kW == 3 && fo == 0) {
          broadcastGroups(xp, wp, bp, mp, sp, yp, inC, mult);
          return;
        }
      } else {
        if (kH == 3 && kW == 3 && fo == 0 && (pt | pl) >= 0) {
          // The padded image's height and width: what the last output row and column reach.
          const hp = max<i64>(<i64>inH + <i64>pt, (<i64>outH - 1) * <i64>sh + 2 * <i64>dh + 1);
          const wq = max<i64>(<i64>inW + <i64>pl, (<i64>outW - 1) * <i64>sw + 2 * <i64>dw + 1);
          if ((pt | pl) != 0 || hp > <i64>inH || wq > <i64>inW) {
            const rowP = wq * <i64>inC;
            if (<i64>batches * hp * rowP <= <i64>PADDED_BYTES) {
              padImage(xp, batches, inH, inW, inC, pt, pl, <i32>hp, <i32>wq, io);
              xp = DW_PADDED;
              setGeometry(batches, <i32>hp, <i32>wq, inC, kH, kW, outH, outW, sh, sw, dh, dw, 0, 0, io, fo, zp, lo, hi);
            } else if (sh == 1 && sw == 1 && outH * outW < 8 * (outH + outW) && <i64>PADDED_BYTES / rowP >= <i64>(2 * dh + MIN_BAND_ROWS)) {
              // Stride 1, too large a padded image, border pixels a quarter or more
              // of the output (narrow or small images: 0.77x the time on 25x5x64,
              // 0.92x on 12x12x64; none to gain on 24x24, a loss on 48x48, and a
              // stride of 2 has too few outputs per copied byte): bands of output
              // rows, each with the padded input rows it reads (the last 2·dh
              // copied again by the next), so that every pixel is an inner one.
              const band = <i32>(<i64>PADDED_BYTES / rowP) - 2 * dh;
              for (let n = 0; n < batches; n++) {
                const xn = xp + <usize>n * <usize>inH * rowStride;
                for (let oy = 0; oy < outH; oy += band) {
                  const rows = min(band, outH - oy);
                  // Padded rows oy.. of the image are its input rows oy - pt..
                  const y0 = max(0, oy - pt), y1 = min(inH, oy + rows + 2 * dh - pt);
                  padImage(xn + <usize>y0 * rowStride, 1, max(0, y1 - y0), inW, inC, y0 + pt - oy, pl, rows + 2 * dh, <i32>wq, io);
                  setGeometry(1, rows + 2 * dh, <i32>wq, inC, kH, kW, rows, outW, 1, 1, dh, dw, 0, 0, io, fo, zp, lo, hi);
                  channelGroups(DW_PADDED, wp, bp, mp, sp, yp + (<usize>n * <usize>outH + <usize>oy) * <usize>outW * <usize>outC, inC);
                }
              }
              return;
            }
          }
        }
        channelGroups(xp, wp, bp, mp, sp, yp, inC);
        return;
      }
    }
  }

  if (!ASC_FEATURE_SIMD && mult == 1 && fo == 0 && inC >= 4) {
    // Groups of 4 channels (the last overlapping an earlier one when C % 4 != 0).
    for (let c0 = 0; c0 < inC; c0 += 4) dwScalar4(xp, wp, bp, mp, sp, yp, min(c0, inC - 4));
    return;
  }

  let out = yp;
  const c = <usize>inC;
  const oc = <usize>outC;
  for (let n = 0; n < batches; n++) {
    const xn = xp + <usize>n * <usize>inH * rowStride;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = <i64>oy * <i64>sh - <i64>pt;
      const ky0 = firstTap(iy0, dh);
      const ky1 = endTap(iy0, dh, inH, kH);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = <i64>ox * <i64>sw - <i64>pl;
        const kx0 = firstTap(ix0, dw);
        const kx1 = endTap(ix0, dw, inW, kW);
        // Taps in [k0, k1) lie inside the input: their positions fit in 32 bits.
        const x0 = xn + <usize>(<i32>iy0 + ky0 * dh) * rowStride + <usize>(<i32>ix0 + kx0 * dw) * c;
        const w0 = wp + <usize>(ky0 * kW + kx0) * oc;
        let o: usize = 0;
        let ic: usize = 0;
        if (!ASC_FEATURE_SIMD) {
          // Scalar builds, multiplier 1: four neighbouring channels per pass over the taps.
          if (mult == 1) {
            for (; ic + 4 <= c; ic += 4) {
              let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
              let xr = x0 + ic;
              let wr = w0 + ic;
              for (let ky = ky0; ky < ky1; ky++) {
                let xt = xr;
                let wt = wr;
                for (let kx = kx0; kx < kx1; kx++) {
                  a0 += (<i32>load<i8>(xt) + io) * (<i32>load<i8>(wt) + fo);
                  a1 += (<i32>load<i8>(xt, 1) + io) * (<i32>load<i8>(wt, 1) + fo);
                  a2 += (<i32>load<i8>(xt, 2) + io) * (<i32>load<i8>(wt, 2) + fo);
                  a3 += (<i32>load<i8>(xt, 3) + io) * (<i32>load<i8>(wt, 3) + fo);
                  xt += <usize>dw * c;
                  wt += oc;
                }
                xr += <usize>dh * rowStride;
                wr += <usize>kW * oc;
              }
              store<i32>(DW_ACC, a0);
              store<i32>(DW_ACC, a1, 4);
              store<i32>(DW_ACC, a2, 8);
              store<i32>(DW_ACC, a3, 12);
              for (let j: usize = 0; j < 4; j++) {
                const q = (ic + j) << 2;
                let acc = load<i32>(DW_ACC + (j << 2));
                if (bp) acc += load<i32>(bp + q);
                store<i8>(out, <i8>requantize(acc, load<i32>(mp + q), load<i32>(sp + q), zp, lo, hi));
                out++;
              }
            }
            o = ic;
          }
        }
        for (; ic < c; ic++) {
          for (let j = 0; j < mult; j++, o++) {
            let acc = 0;
            let xr = x0 + ic;
            let wr = w0 + o;
            for (let ky = ky0; ky < ky1; ky++) {
              let xt = xr;
              let wt = wr;
              for (let kx = kx0; kx < kx1; kx++) {
                acc += (<i32>load<i8>(xt) + io) * (<i32>load<i8>(wt) + fo);
                xt += <usize>dw * c;
                wt += oc;
              }
              xr += <usize>dh * rowStride;
              wr += <usize>kW * oc;
            }
            const q = o << 2;
            if (bp) acc += load<i32>(bp + q);
            store<i8>(out, <i8>requantize(acc, load<i32>(mp + q), load<i32>(sp + q), zp, lo, hi));
            out++;
          }
        }
      }
    }
  }
}
