// CONV_2D: int8 NHWC convolution with an OHWI filter and per-channel
// requantization (src/reference/ops/conv_2d.ts is the definition).
//
// SIMD builds with a scratch tensor that has room for it
// (quantize/pack/ops/conv_2d.ts, conv2dScratchBytes): an implicit GEMM with
// output channels in lanes (kernels/lanes.ts), every 8 channels' weights
// repacked as int16 pairs into the scratch. Its rows of K = KH*KW*IC values
// (x + inputOffset, padded taps 0) come
// - for convolutions other than pointwise with dilation width 1 (and filter
//   offset 0 where KW*IC is odd): straight from a padded int16 copy of the
//   input rows a band of output rows reads, one run of KW*IC values per filter
//   row (nothing packed per pixel; bandGemm);
// - else from a block of output pixels' windows packed into the scratch
//   (pointwise: the input pixels widened), the weights packed once per run if
//   they fit, else per block.
// Relaxed builds where the fused int8 dot reads u8 exactly (probe.ts,
// dotU8Exact), filter offset 0: the band copy and the pointwise rows are u8
// x + 128 instead, and the weights int8 quads (kernels/lanes.ts).
// Pointwise convolutions (1x1, stride 1, no padding; IC >= 8) otherwise: the
// input pixels are the rows of the 4x2 and 1x8 GEMMs (gemmRows in
// kernels/gemm.ts), as in FULLY_CONNECTED. One input channel, 3x3, without that room: a depthwise
// convolution (conv1AsDepthwise).
// Scalar builds, or none of those: the direct loop.
import {
  CONV_2D_ACT_MAX, CONV_2D_ACT_MIN, CONV_2D_DILATION_H, CONV_2D_DILATION_W, CONV_2D_FILTER_OFFSET, CONV_2D_INPUT_OFFSET,
  CONV_2D_OUTPUT_OFFSET, CONV_2D_PAD_LEFT, CONV_2D_PAD_TOP, CONV_2D_STRIDE_H, CONV_2D_STRIDE_W, E_SHAPE, NONE,
} from '../generated/format';
import { fail } from '../errors';
import { opInput, opOutput, opParam, opTemp, tensorBytes, tensorData, tensorDim } from '../model';
import { checkConvLike, endTap, firstTap, requantize } from '../kernels/conv_common';
import { gemmRows } from '../kernels/gemm';
import { lanesBlock, lanesDepth, lanesGemm, lanesGroupBytes, lanesGroupBytesU8, lanesPackAll, lanesRows } from '../kernels/lanes';
import { accOf, clearAcc, dot1x4, dot2x4 } from '../kernels/scalar';
import { conv1AsDepthwise } from './depthwise_conv_2d';
import { dotU8Exact } from '../probe';
import { fillPattern } from './copy';

// Scratch bytes after the padded input rows: a run's last pair or quad reads up to 3 values past them.
const ODD_RUN_SLACK: i64 = 16;

/** n int16 zeros at d. */
@inline function zero16(d: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) v128.store(d + (i << 1), i32x4.splat(0));
  for (; i < n; i++) store<i16>(d + (i << 1), 0);
}

/**
 * The filter [oc, kH, run] at wp copied to d with every filter row's run of
 * values followed by zeros up to `runP`: the weights of the values an implicit
 * GEMM reads past a run. Returns d.
 */
function padRuns(d: usize, wp: usize, oc: i32, kH: i32, run: i32, runP: i32): usize {
  let dst = d, src = wp;
  for (let r = 0; r < oc * kH; r++) {
    for (let i = 0; i < run; i++) store<i8>(dst + <usize>i, load<i8>(src + <usize>i));
    for (let i = run; i < runP; i++) store<i8>(dst + <usize>i, 0);
    dst += <usize>runP;
    src += <usize>run;
  }
  return d;
}

/**
 * The implicit GEMM straight on a padded copy of the input rows a band of
 * output rows reads (dilation width 1): no rows to pack. Each filter row is one
 * run of KW*IC values. False (nothing done) when the scratch lacks room.
 * - int16 copy (x + io; widenBand): an odd run is read one value long, against
 *   a 0 inserted into a copy of the filter (so only with filter offset 0).
 * - u8 copy (x + 128; flipBand; relaxed builds whose fused int8 dot reads u8
 *   exactly, filter offset 0): runs read as whole quads, up to 3 values past
 *   each, against 0s inserted the same way.
 */
function bandGemm(
  xp: usize, wp: usize, bp: usize, mp: usize, sp: usize, yp: usize, scratch: usize, bytes: i32,
  batches: i32, inH: i32, inW: i32, inC: i32, kH: i32, kW: i32, outH: i32, outW: i32, outC: i32,
  sh: i32, sw: i32, dh: i32, pt: i32, pl: i32, io: i32, fo: i32, zp: i32, lo: i32, hi: i32, u8: bool,
): bool {
  const run = kW * inC;
  // Values per run as read: whole pairs (int16) or quads (u8).
  const runP = u8 ? (run + 3) & ~3 : (run + 1) & ~1;
  const kk = kH * runP;
  const copy = runP != run ? (<i64>outC * <i64>kk + 15) & ~15 : 0;
  const wpad = (outW - 1) * sw + kW;
  const pixel = <usize>inC << (u8 ? 0 : 1);
  const rowStride = <i64>wpad * <i64>pixel;
  const reach = (kH - 1) * dh + 1;
  const weights = u8 ? lanesGroupBytesU8(kk) : lanesGroupBytes(kk);
  const avail = <i64>bytes - weights - copy - ODD_RUN_SLACK;
  if (avail < <i64>reach * rowStride) return false;
  const band = <i32>min<i64>(<i64>outH, (avail / rowStride - reach) / sh + 1);
  const filter = copy ? padRuns(scratch + <usize>weights, wp, outC, kH, run, runP) : wp;
  const img = scratch + <usize>(weights + copy);
  const rs = <usize>rowStride;
  for (let n = 0; n < batches; n++) {
    const xn = xp + <usize>n * <usize>inH * <usize>inW * <usize>inC;
    for (let oy = 0; oy < outH; oy += band) {
      const rows = min(band, outH - oy);
      const hb = (rows - 1) * sh + reach;
      if (ASC_FEATURE_RELAXED_SIMD && u8) flipBand(img, xn, inH, inW, inC, hb, wpad, oy * sh - pt, pl, io);
      else widenBand(img, xn, inH, inW, inC, hb, wpad, oy * sh - pt, pl, io);
      lanesGemm(
        scratch, false, rows * outW, kk, filter, outC, fo, bp, mp, sp, zp, lo, hi, yp + <usize>((n * outH + oy) * outW) * <usize>outC,
        img, outW, rows, <usize>sw * pixel, <usize>sh * rs, 0, kH, runP >> (u8 ? 2 : 1), <usize>dh * rs, u8, io,
      );
    }
  }
  return true;
}

/** n int8 values at s as u8 x + 128 at d (the sign bit flipped). */
function flipSigns(d: usize, s: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) v128.store(d + i, v128.xor(v128.load(s + i), i8x16.splat(-128)));
  for (; i < n; i++) store<u8>(d + i, load<u8>(s + i) ^ 0x80);
}

/** n int8 values at s as int16 plus the input offset, at d (n >= 8: the last step overlaps, no scalar tail). */
@inline function widen16(d: usize, s: usize, n: usize, iov: v128, io: i32): void {
  if (n >= 8) {
    let i: usize = 0;
    for (; i + 8 < n; i += 8) v128.store(d + (i << 1), i16x8.add(v128.load8x8_s(s + i), iov));
    const e = n - 8;
    v128.store(d + (e << 1), i16x8.add(v128.load8x8_s(s + e), iov));
  } else {
    for (let i: usize = 0; i < n; i++) store<i16>(d + (i << 1), <i16>(<i32>load<i8>(s + i) + io));
  }
}

/**
 * Packs the rows of output pixels p..p+count-1 (flat over batch, y, x) at d, one
 * per rowBytes: x + io over the window (taps outside the input 0). The rest of
 * the row is left as it is (the lanes GEMM's weights there are 0).
 */
function packRows(
  d: usize, rowBytes: usize, xp: usize, p: i32, count: i32,
  inH: i32, inW: i32, inC: i32, kH: i32, kW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, outH: i32, outW: i32, io: i32,
): void {
  const iov = i16x8.splat(<i16>io);
  const pixelBytes = <usize>inC;
  const inRow = <usize>inW * pixelBytes;
  const inImage = <usize>inH * inRow;
  const span = <usize>kW * pixelBytes; // elements per filter row
  // Coordinates of pixel p.
  const image = outH * outW;
  let n = p / image;
  let oy = (p - n * image) / outW;
  let ox = p - n * image - oy * outW;
  for (let j = 0; j < count; j++) {
    const dst = d + <usize>j * rowBytes;
    let r = dst;
    const iy0 = oy * sh - pt;
    const ix0 = ox * sw - pl;
    const xn = xp + <usize>n * inImage;
    // All taps of a filter row inside the input (and contiguous).
    const xin = dw == 1 && ix0 >= 0 && <i64>ix0 + <i64>kW <= <i64>inW;
    for (let ky = 0; ky < kH; ky++) {
      const iy = iy0 + ky * dh;
      if (<u32>iy >= <u32>inH) {
        zero16(r, span);
      } else if (xin) {
        widen16(r, xn + <usize>iy * inRow + <usize>ix0 * pixelBytes, span, iov, io);
      } else if (dw == 1) {
        // The taps of a filter row are one contiguous run of the input row.
        const xr = xn + <usize>iy * inRow;
        const i0 = <i64>ix0;
        const kx0 = i0 >= 0 ? 0 : <i32>min<i64>(-i0, <i64>kW);
        const kx1 = <i32>max<i64>(<i64>kx0, min<i64>(<i64>kW, <i64>inW - i0));
        const before = <usize>kx0 * pixelBytes;
        const inside = <usize>(kx1 - kx0) * pixelBytes;
        zero16(r, before);
        if (inside) widen16(r + (before << 1), xr + <usize>(ix0 + kx0) * pixelBytes, inside, iov, io);
        zero16(r + ((before + inside) << 1), span - before - inside);
      } else {
        const xr = xn + <usize>iy * inRow;
        for (let kx = 0; kx < kW; kx++) {
          const ix = ix0 + kx * dw;
          const dk = r + ((<usize>kx * pixelBytes) << 1);
          if (<u32>ix < <u32>inW) widen16(dk, xr + <usize>ix * pixelBytes, pixelBytes, iov, io);
          else zero16(dk, pixelBytes);
        }
      }
      r += span << 1;
    }
    if (++ox == outW) {
      ox = 0;
      if (++oy == outH) {
        oy = 0;
        n++;
      }
    }
  }
}

/**
 * The padded image rows the implicit GEMM reads for a band of output rows: hb
 * rows of wpad pixels of c values, row y and pixel x holding input pixel
 * (iy0 + y, x - pl) of the image at xn, as int16 x + io and 0 where that lies
 * outside it, or (u8: flipBand) as u8 x + 128 and 128 - io outside (x + io = 0 there).
 */
@inline function copyBand(d: usize, xn: usize, inH: i32, inW: i32, c: i32, hb: i32, wpad: i32, iy0: i32, pl: i32, io: i32, u8: bool): void {
  const iov = i16x8.splat(<i16>io);
  const pad = <u64>(<u8>(128 - io)) * 0x0101010101010101;
  const w: usize = u8 ? 0 : 1; // log2 of a value's bytes
  const pixel = <usize>c;
  const rowElems = <usize>wpad * pixel;
  // Input columns [0, inside) land at [left, left + inside) (pl may cut off none, some or all of them).
  const left = <usize>min(pl, wpad);
  const inside = <usize>max(0, min(inW, wpad - pl));
  for (let y = 0; y < hb; y++) {
    const iy = iy0 + y;
    const end = (left + inside) * pixel;
    if (iy < 0 || iy >= inH || !inside) {
      if (u8) fillPattern(d, pad, rowElems);
      else zero16(d, rowElems);
    } else if (u8) {
      fillPattern(d, pad, left * pixel);
      flipSigns(d + left * pixel, xn + <usize>iy * <usize>inW * pixel, inside * pixel);
      fillPattern(d + end, pad, rowElems - end);
    } else {
      zero16(d, left * pixel);
      widen16(d + ((left * pixel) << 1), xn + <usize>iy * <usize>inW * pixel, inside * pixel, iov, io);
      zero16(d + (end << 1), rowElems - end);
    }
    d += rowElems << w;
  }
}
function widenBand(d: usize, xn: usize, inH: i32, inW: i32, c: i32, hb: i32, wpad: i32, iy0: i32, pl: i32, io: i32): void {
  copyBand(d, xn, inH, inW, c, hb, wpad, iy0, pl, io, false);
}
function flipBand(d: usize, xn: usize, inH: i32, inW: i32, c: i32, hb: i32, wpad: i32, iy0: i32, pl: i32, io: i32): void {
  copyBand(d, xn, inH, inW, c, hb, wpad, iy0, pl, io, true);
}

/** Checks shapes and parameters (mirrors src/format/checks.ts); 0 or an error code. */
export function checkConv2d(op: usize): i32 {
  const r = checkConvLike(op, -1, CONV_2D_INPUT_OFFSET);
  if (r) return r;
  const t = opTemp(op, 0);
  if (t != NONE) {
    const w = opInput(op, 1);
    const k = <u64>tensorDim(w, 1) * <u64>tensorDim(w, 2) * <u64>tensorDim(w, 3);
    const need = ((k + 7) & ~7) * 8;
    if (<u64>tensorBytes(t) < need) return fail(E_SHAPE, t, tensorBytes(t));
  }
  return 0;
}

export function evalConv2d(op: usize): void {
  const x = opInput(op, 0);
  const w = opInput(op, 1);
  const b = opInput(op, 2);
  const y = opOutput(op, 0);
  const xp = tensorData(x);
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
  const sh = opParam(op, CONV_2D_STRIDE_H);
  const sw = opParam(op, CONV_2D_STRIDE_W);
  const dh = opParam(op, CONV_2D_DILATION_H);
  const dw = opParam(op, CONV_2D_DILATION_W);
  const pt = opParam(op, CONV_2D_PAD_TOP);
  const pl = opParam(op, CONV_2D_PAD_LEFT);
  const io = opParam(op, CONV_2D_INPUT_OFFSET);
  const fo = opParam(op, CONV_2D_FILTER_OFFSET);
  const zp = opParam(op, CONV_2D_OUTPUT_OFFSET);
  const lo = opParam(op, CONV_2D_ACT_MIN);
  const hi = opParam(op, CONV_2D_ACT_MAX);
  const depth = kH * kW * inC;

  if (ASC_FEATURE_SIMD) {
    const oneByOne = kH == 1 && kW == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && outH == inH && outW == inW;
    const t = opTemp(op, 0);
    const total = batches * outH * outW;
    if (t != NONE) {
      const scratch = tensorData(t);
      const bytes = tensorBytes(t);
      const kp = lanesDepth(depth);
      // Convolutions other than pointwise: straight on a padded copy of the
      // input rows, when the scratch holds one (the packer's choice): u8 where
      // the relaxed build's fused dot reads it exactly, else int16.
      if (!oneByOne && dw == 1) {
        const u8 = ASC_FEATURE_RELAXED_SIMD && fo == 0 && dotU8Exact();
        // An odd run needs filter offset 0 (see bandGemm).
        const evenOrPlain = ((kW * inC) & 1) == 0 || fo == 0;
        if (
          (u8 && bandGemm(xp, wp, bp, mp, sp, yp, scratch, bytes, batches, inH, inW, inC, kH, kW, outH, outW, outC, sh, sw, dh, pt, pl, io, 0, zp, lo, hi, true)) ||
          (evenOrPlain && bandGemm(xp, wp, bp, mp, sp, yp, scratch, bytes, batches, inH, inW, inC, kH, kW, outH, outW, outC, sh, sw, dh, pt, pl, io, fo, zp, lo, hi, false))
        ) return;
      }
      // Relaxed builds whose fused int8 dot reads u8 exactly, pointwise with
      // filter offset 0: rows of u8 values (kernels/lanes.ts), half the bytes.
      const u8 = ASC_FEATURE_RELAXED_SIMD && oneByOne && fo == 0 && dotU8Exact();
      const rowBytes = <usize>kp << (u8 ? 0 : 1);
      // Packed rows: every group's weights packed once when they fit, else one group's per block.
      let all = true;
      let block = lanesBlock(bytes, depth, outC, true);
      if (!block) {
        all = false;
        block = lanesBlock(bytes, depth, outC, false);
      }
      if (block) {
        // Output channels in lanes (kernels/lanes.ts), a block of rows at a time.
        if (all) lanesPackAll(scratch, depth, wp, outC, fo, bp, u8, io);
        const rows = lanesRows(scratch, depth, outC, all);
        for (let p = 0; p < total; p += block) {
          const n = min(block, total - p);
          if (oneByOne) {
            const iov = i16x8.splat(<i16>io);
            // Rows without padding (IC a multiple of 8) make the block one run.
            const whole = <usize>inC << (u8 ? 0 : 1) == rowBytes;
            const runs = whole ? 1 : n, len = <usize>(whole ? n : 1) * <usize>inC;
            for (let j = 0; j < runs; j++) {
              const d = rows + <usize>j * rowBytes, s = xp + <usize>(p + j) * <usize>inC;
              if (u8) flipSigns(d, s, len);
              else widen16(d, s, len, iov, io);
            }
          } else {
            packRows(rows, rowBytes, xp, p, n, inH, inW, inC, kH, kW, sh, sw, dh, dw, pt, pl, outH, outW, io);
          }
          lanesGemm(
            scratch, all, n, depth, wp, outC, fo, bp, mp, sp, zp, lo, hi, yp + <usize>p * <usize>outC,
            rows, n, 1, rowBytes, 0, 0, 1, kp >> (u8 ? 2 : 1), 0, u8, io,
          );
        }
        return;
      }
    }
    if (inC == 1 && kH == 3 && kW == 3 && fo == 0 &&
      conv1AsDepthwise(xp, wp, bp, mp, sp, yp, batches, inH, inW, outH, outW, outC, sh, sw, dh, dw, pt, pl, io, zp, lo, hi)) return;
    if (oneByOne && inC >= 8) {
      // Pointwise without the lanes' scratch: the input pixels are already the GEMM's rows.
      gemmRows(xp, total, wp, inC, outC, io, fo, bp, mp, sp, zp, lo, hi, yp);
      return;
    }
  }

  // Direct loop. The taps of a pixel that lie inside the input form a rectangle;
  // with dilation 1 each of its rows is one contiguous run of input and filter.
  // Scalar builds: four output channels at a time (kernels/scalar.ts), and two
  // neighbouring pixels together when their rectangles match, so that each
  // filter value loaded serves eight multiply-adds.
  let out = yp;
  const c = <usize>inC;
  const inRow = <usize>inW * c;
  const pixX = <usize>sw * c;
  const dd = <usize>depth;
  const oc4 = ASC_FEATURE_SIMD ? 0 : outC & ~3;
  for (let n = 0; n < batches; n++) {
    const xn = xp + <usize>n * <usize>inH * inRow;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = <i64>oy * <i64>sh - <i64>pt;
      const ky0 = firstTap(iy0, dh);
      const ky1 = endTap(iy0, dh, inH, kH);
      let ox = 0;
      while (ox < outW) {
        const ix0 = <i64>ox * <i64>sw - <i64>pl;
        const kx0 = firstTap(ix0, dw);
        const kx1 = endTap(ix0, dw, inW, kW);
        const runs = dw == 1 ? 1 : kx1 - kx0;
        const runLen = dw == 1 ? <usize>(kx1 - kx0) * c : c;
        // Taps in [k0, k1) lie inside the input: their positions fit in 32 bits.
        const x0 = xn + <usize>(<i32>iy0 + ky0 * dh) * inRow + <usize>(<i32>ix0 + kx0 * dw) * c;
        const f0 = wp + <usize>(ky0 * kW + kx0) * c;
        let npx = 1;
        if (!ASC_FEATURE_SIMD && oc4 && ox + 1 < outW) {
          const ix1 = ix0 + <i64>sw;
          if (firstTap(ix1, dw) == kx0 && endTap(ix1, dw, inW, kW) == kx1) npx = 2;
        }
        if (!ASC_FEATURE_SIMD) for (let oc = 0; oc < oc4; oc += 4) {
          clearAcc();
          let xr = x0;
          let wr = f0 + <usize>oc * dd;
          for (let ky = ky0; ky < ky1; ky++) {
            for (let r = 0; r < runs; r++) {
              const s = xr + <usize>r * <usize>dw * c;
              if (npx == 2) dot2x4(s, s + pixX, runLen, wr + <usize>r * c, dd, io);
              else dot1x4(s, runLen, wr + <usize>r * c, dd, io);
            }
            xr += <usize>dh * inRow;
            wr += <usize>kW * c;
          }
          for (let p = 0; p < npx; p++) {
            for (let j = 0; j < 4; j++) {
              const q = <usize>(oc + j) << 2;
              let acc = accOf(p, j, fo);
              if (bp) acc += load<i32>(bp + q);
              store<i8>(out + <usize>p * <usize>outC + <usize>(oc + j), <i8>requantize(acc, load<i32>(mp + q), load<i32>(sp + q), zp, lo, hi));
            }
          }
        }
        for (let p = 0; p < npx; p++) {
          for (let oc = oc4; oc < outC; oc++) {
            let acc = 0;
            let xr = x0 + <usize>p * pixX;
            let wr = f0 + <usize>oc * dd;
            for (let ky = ky0; ky < ky1; ky++) {
              for (let r = 0; r < runs; r++) {
                const s = xr + <usize>r * <usize>dw * c;
                const f = wr + <usize>r * c;
                for (let i: usize = 0; i < runLen; i++) acc += (<i32>load<i8>(s + i) + io) * (<i32>load<i8>(f + i) + fo);
              }
              xr += <usize>dh * inRow;
              wr += <usize>kW * c;
            }
            if (bp) acc += load<i32>(bp + (<usize>oc << 2));
            store<i8>(out + <usize>p * <usize>outC + <usize>oc, <i8>requantize(acc, load<i32>(mp + (<usize>oc << 2)), load<i32>(sp + (<usize>oc << 2)), zp, lo, hi));
          }
        }
        out += <usize>npx * <usize>outC;
        ox += npx;
      }
    }
  }
}
