// CONV_2D: int8 NHWC convolution with an OHWI filter and per-channel
// requantization (src/reference/ops/conv_2d.ts is the definition).
//
// SIMD builds with a scratch tensor: an implicit GEMM. Four output pixels at a
// time are packed into scratch as int16 rows of (x + inputOffset) over the whole
// window (KH*KW*IC, padded taps as 0, rounded up to 8 by leading zeros), then the
// 4x2 microkernel (kernels/gemm.ts) runs them against every filter row and
// requantizes in the same pass. Scratch bytes: 8 * roundUp8(KH*KW*IC)
// (quantize/pack/ops/conv_2d.ts, conv2dScratchBytes). The leading zeros make the
// first step of each filter row read up to 7 bytes before it (inside the file;
// they are multiplied by 0).
// Pointwise convolutions (1x1, stride 1, no padding) with filter offset 0, IC a
// multiple of 8 up to 32 and OC >= 8: output channels in lanes, straight on the
// input (kernels/pointwise.ts), scratch or not.
// Other pointwise convolutions (IC >= 8) without scratch:
// the input pixels are the GEMM rows, as in FULLY_CONNECTED (a little slower:
// the input offset is added in the inner loop).
// Scalar builds, or no scratch: the direct loop.
import {
  CONV_2D_ACT_MAX, CONV_2D_ACT_MIN, CONV_2D_DILATION_H, CONV_2D_DILATION_W, CONV_2D_FILTER_OFFSET, CONV_2D_INPUT_OFFSET,
  CONV_2D_OUTPUT_OFFSET, CONV_2D_PAD_LEFT, CONV_2D_PAD_TOP, CONV_2D_STRIDE_H, CONV_2D_STRIDE_W, E_SHAPE, NONE,
} from '../generated/format';
import { fail } from '../errors';
import { opInput, opOutput, opParam, opTemp, tensorBytes, tensorData, tensorDim } from '../model';
import { checkConvLike, endTap, firstTap, requantize } from '../kernels/conv_common';
import { gemm1x8, gemm4x2 } from '../kernels/gemm';
import { POINTWISE_MAX_K, pointwiseShortK } from '../kernels/pointwise';
import { accOf, clearAcc, dot1x4, dot2x4 } from '../kernels/scalar';
import { conv1AsDepthwise } from './depthwise_conv_2d';

/** n int16 zeros at d. */
@inline function zero16(d: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) v128.store(d + (i << 1), i32x4.splat(0));
  for (; i < n; i++) store<i16>(d + (i << 1), 0);
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
    const pointwise = kH == 1 && kW == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && outH == inH && outW == inW && inC >= 8;
    if (pointwise && fo == 0 && (inC & 7) == 0 && inC <= POINTWISE_MAX_K && outC >= 8) {
      // Output channels in lanes, straight on the input (kernels/pointwise.ts): 1.1x
      // to 1.4x the speed of a 4x2 GEMM for K <= 32 (on a par at K = 64).
      pointwiseShortK(xp, batches * outH * outW, inC, wp, outC, io, bp, mp, sp, zp, lo, hi, yp);
      return;
    }
    if (inC == 1 && kH == 3 && kW == 3 && fo == 0 &&
      conv1AsDepthwise(xp, wp, bp, mp, sp, yp, batches, inH, inW, outH, outW, outC, sh, sw, dh, dw, pt, pl, io, zp, lo, hi)) return;
    const t = opTemp(op, 0);
    if (t != NONE) {
      const kp = (depth + 7) & ~7;
      const pad = kp - depth;
      const scratch = tensorData(t);
      const rowBytes = <usize>kp << 1;
      const iov = i16x8.splat(<i16>io);
      const total = batches * outH * outW;
      const pixelBytes = <usize>inC;
      const inRow = <usize>inW * pixelBytes;
      const inImage = <usize>inH * inRow;
      // Coordinates of the next pixel to pack.
      let n = 0, oy = 0, ox = 0;
      for (let p = 0; p < total; p += 4) {
        const rows = min(4, total - p);
        for (let j = 0; j < rows; j++) {
          const dst = scratch + <usize>j * rowBytes;
          v128.store(dst, i32x4.splat(0));
          let d = dst + (<usize>pad << 1);
          const iy0 = oy * sh - pt;
          const ix0 = ox * sw - pl;
          const xn = xp + <usize>n * inImage;
          const span = <usize>kW * pixelBytes; // elements per filter row
          // All taps of a filter row inside the input (and contiguous).
          const xin = dw == 1 && ix0 >= 0 && <i64>ix0 + <i64>kW <= <i64>inW;
          for (let ky = 0; ky < kH; ky++) {
            const iy = iy0 + ky * dh;
            if (<u32>iy >= <u32>inH) {
              zero16(d, span);
            } else if (xin) {
              widen16(d, xn + <usize>iy * inRow + <usize>ix0 * pixelBytes, span, iov, io);
            } else if (dw == 1) {
              // The taps of a filter row are one contiguous run of the input row.
              const xr = xn + <usize>iy * inRow;
              const i0 = <i64>ix0;
              const kx0 = i0 >= 0 ? 0 : <i32>min<i64>(-i0, <i64>kW);
              const kx1 = <i32>max<i64>(<i64>kx0, min<i64>(<i64>kW, <i64>inW - i0));
              const before = <usize>kx0 * pixelBytes;
              const inside = <usize>(kx1 - kx0) * pixelBytes;
              zero16(d, before);
              if (inside) widen16(d + (before << 1), xr + <usize>(ix0 + kx0) * pixelBytes, inside, iov, io);
              zero16(d + ((before + inside) << 1), span - before - inside);
            } else {
              const xr = xn + <usize>iy * inRow;
              for (let kx = 0; kx < kW; kx++) {
                const ix = ix0 + kx * dw;
                const dk = d + ((<usize>kx * pixelBytes) << 1);
                if (<u32>ix < <u32>inW) widen16(dk, xr + <usize>ix * pixelBytes, pixelBytes, iov, io);
                else zero16(dk, pixelBytes);
              }
            }
            d += span << 1;
          }
          if (++ox == outW) {
            ox = 0;
            if (++oy == outH) {
              oy = 0;
              n++;
            }
          }
        }
        gemm4x2<i16>(
          scratch, rowBytes, rows, wp - <usize>pad, <usize>depth, outC, kp >> 3, 0,
          io, fo, bp, mp, sp, zp, lo, hi, yp + <usize>p * <usize>outC, <usize>outC,
        );
      }
      return;
    }
    if (pointwise) {
      // Pointwise without scratch: the input pixels are already the GEMM's rows.
      const total = batches * outH * outW;
      const kk = <usize>inC;
      let p = 0;
      for (; p + 4 <= total; p += 4) {
        gemm4x2<i8>(xp + <usize>p * kk, kk, 4, wp, kk, outC, inC >> 3, inC & 7, io, fo, bp, mp, sp, zp, lo, hi, yp + <usize>p * <usize>outC, <usize>outC);
      }
      for (; p < total; p++) gemm1x8(xp + <usize>p * kk, wp, inC, outC, io, fo, bp, mp, sp, zp, lo, hi, yp + <usize>p * <usize>outC);
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
