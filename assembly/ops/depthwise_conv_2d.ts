// DEPTHWISE_CONV_2D: int8 depthwise convolution, filter [1, KH, KW, C*mult],
// per-channel requantization (src/reference/ops/depthwise_conv_2d.ts is the
// definition).
//
// SIMD builds, depth multiplier 1 and at least 8 channels: vectorized over
// channels, 8 at a time (the last group overlaps the previous one when C is not
// a multiple of 8; it rewrites the same values). Accumulators in i32 lanes, so
// any filter offset is exact; requantization per lane (kernels/conv_common.ts).
// Otherwise: the direct loop.
import {
  DEPTHWISE_CONV_2D_ACT_MAX, DEPTHWISE_CONV_2D_ACT_MIN, DEPTHWISE_CONV_2D_DEPTH_MULTIPLIER, DEPTHWISE_CONV_2D_DILATION_H,
  DEPTHWISE_CONV_2D_DILATION_W, DEPTHWISE_CONV_2D_FILTER_OFFSET, DEPTHWISE_CONV_2D_INPUT_OFFSET,
  DEPTHWISE_CONV_2D_OUTPUT_OFFSET, DEPTHWISE_CONV_2D_PAD_LEFT, DEPTHWISE_CONV_2D_PAD_TOP, DEPTHWISE_CONV_2D_STRIDE_H,
  DEPTHWISE_CONV_2D_STRIDE_W, NONE,
} from '../generated/format';
import { opInput, opOutput, opParam, tensorData, tensorDim } from '../model';
import { checkConvLike, PERLANE_BYTES, preparePerLane, requantize, requantizePerLane } from '../kernels/conv_common';

/** Per-lane requantization constants of the current 8 channels (two groups of 4). */
const DW_Q = memory.data(192, 16);

/** Checks shapes and parameters (mirrors src/format/checks.ts); 0 or an error code. */
export function checkDepthwiseConv2d(op: usize): i32 {
  return checkConvLike(op, DEPTHWISE_CONV_2D_DEPTH_MULTIPLIER, DEPTHWISE_CONV_2D_INPUT_OFFSET);
}

export function evalDepthwiseConv2d(op: usize): void {
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

  if (ASC_FEATURE_SIMD) {
    if (mult == 1 && inC >= 8) {
      const iov = i16x8.splat(<i16>io);
      const fov = i16x8.splat(<i16>fo);
      const zpv = i32x4.splat(zp);
      const lov = i32x4.splat(lo);
      const hiv = i32x4.splat(hi);
      const q1 = DW_Q + PERLANE_BYTES;
      for (let c0 = 0; c0 < inC; c0 += 8) {
        const cs = min(c0, inC - 8);
        for (let i = 0; i < 8; i++) {
          const ch = <usize>(cs + i) << 2;
          preparePerLane(i < 4 ? DW_Q : q1, i & 3, load<i32>(mp + ch), load<i32>(sp + ch));
        }
        const bias0 = bp ? v128.load(bp + (<usize>cs << 2)) : i32x4.splat(0);
        const bias1 = bp ? v128.load(bp + (<usize>cs << 2), 16) : i32x4.splat(0);
        const wc = wp + <usize>cs;
        let out = yp + <usize>cs;
        for (let n = 0; n < batches; n++) {
          const xn = xp + <usize>n * <usize>inH * rowStride + <usize>cs;
          for (let oy = 0; oy < outH; oy++) {
            const iy0 = oy * sh - pt;
            for (let ox = 0; ox < outW; ox++) {
              const ix0 = ox * sw - pl;
              let a0 = bias0;
              let a1 = bias1;
              for (let ky = 0; ky < kH; ky++) {
                const iy = iy0 + ky * dh;
                if (<u32>iy >= <u32>inH) continue;
                const xr = xn + <usize>iy * rowStride;
                const wr = wc + <usize>(ky * kW) * <usize>inC;
                for (let kx = 0; kx < kW; kx++) {
                  const ix = ix0 + kx * dw;
                  if (<u32>ix >= <u32>inW) continue;
                  const xv = i16x8.add(v128.load8x8_s(xr + <usize>ix * <usize>inC), iov);
                  const wv = i16x8.add(v128.load8x8_s(wr + <usize>kx * <usize>inC), fov);
                  a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(xv, wv));
                  a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(xv, wv));
                }
              }
              const r0 = requantizePerLane(a0, DW_Q, zpv, lov, hiv);
              const r1 = requantizePerLane(a1, q1, zpv, lov, hiv);
              const v = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(r0, r1), r0);
              v128.store64_lane(out, v, 0);
              out += <usize>outC;
            }
          }
        }
      }
      return;
    }
  }

  let out = yp;
  for (let n = 0; n < batches; n++) {
    const xn = xp + <usize>n * <usize>inH * rowStride;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * sh - pt;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * sw - pl;
        for (let oc = 0; oc < outC; oc++) {
          const ic = oc / mult;
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = iy0 + ky * dh;
            if (<u32>iy >= <u32>inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = ix0 + kx * dw;
              if (<u32>ix >= <u32>inW) continue;
              const xv = <i32>load<i8>(xn + <usize>iy * rowStride + <usize>ix * <usize>inC + <usize>ic);
              const wv = <i32>load<i8>(wp + <usize>((ky * kW + kx) * outC + oc));
              acc += (xv + io) * (wv + fo);
            }
          }
          const i = <usize>oc << 2;
          if (bp) acc += load<i32>(bp + i);
          store<i8>(out, <i8>requantize(acc, load<i32>(mp + i), load<i32>(sp + i), zp, lo, hi));
          out++;
        }
      }
    }
  }
}
