// DEPTHWISE_CONV_2D: int8 depthwise convolution, filter [1, KH, KW, C*mult],
// per-channel requantization (src/reference/ops/depthwise_conv_2d.ts is the
// definition).
//
// SIMD builds, depth multiplier 1 and at least 8 channels: vectorized over
// channels, 16 at a time as two groups of 8 (the last groups overlap earlier
// ones when C is not a multiple of 16; they rewrite the same values), taps
// clipped to the input per row and pixel (no per-tap branches), int16 products;
// interior pixels two at a time sharing weight loads. Requantization per group
// of 4 channels: uniform when their shifts agree, per lane otherwise
// (kernels/conv_common.ts).
// Otherwise: the direct loop.
import {
  DEPTHWISE_CONV_2D_ACT_MAX, DEPTHWISE_CONV_2D_ACT_MIN, DEPTHWISE_CONV_2D_DEPTH_MULTIPLIER, DEPTHWISE_CONV_2D_DILATION_H,
  DEPTHWISE_CONV_2D_DILATION_W, DEPTHWISE_CONV_2D_FILTER_OFFSET, DEPTHWISE_CONV_2D_INPUT_OFFSET,
  DEPTHWISE_CONV_2D_OUTPUT_OFFSET, DEPTHWISE_CONV_2D_PAD_LEFT, DEPTHWISE_CONV_2D_PAD_TOP, DEPTHWISE_CONV_2D_STRIDE_H,
  DEPTHWISE_CONV_2D_STRIDE_W, NONE,
} from '../generated/format';
import { opInput, opOutput, opParam, tensorData, tensorDim } from '../model';
import { checkConvLike, endTap, firstTap, PERLANE_BYTES, preparePerLane, requantize, requantizeGroup } from '../kernels/conv_common';

/** Per-lane requantization constants of the current 16 channels (four groups of 4). */
const DW_Q = memory.data(4 * <i32>PERLANE_BYTES, 16);

// The current op's geometry, for dwChunk.
let gBatches = 0, gInH = 0, gInW = 0, gInC = 0, gKH = 0, gKW = 0, gOutH = 0, gOutW = 0;
let gSH = 0, gSW = 0, gDH = 0, gDW = 0, gPT = 0, gPL = 0, gIO = 0, gFO = 0, gZP = 0, gLO = 0, gHI = 0;

// Accumulators of up to two pixels × 16 channels on their way to requantization
// (one copy of the requantization code instead of eight).
const DW_ACC = memory.data(128, 16);

/**
 * All output pixels for channels cs0..cs0+7 and cs1..cs1+7 (multiplier 1).
 * (x + inputOffset)·w fits int16 (|.| <= 255·128), so one i16x8.mul serves 8
 * channels; a filter offset adds filterOffset·Σ(x + inputOffset) afterwards.
 * With filter offset 0, pairs of neighbouring pixels whose taps all lie inside
 * the input share the weight loads, and their input offset is folded into the
 * bias (inputOffset·Σw over all taps): x·w alone still fits int16.
 */
function dwChunk(xp: usize, wp: usize, bp: usize, yp: usize, cs0: i32, cs1: i32): void {
  const batches = gBatches, inH = gInH, inW = gInW, inC = gInC, kH = gKH, kW = gKW, outH = gOutH, outW = gOutW;
  const sh = gSH, sw = gSW, dh = gDH, dw = gDW, pt = gPT, pl = gPL;
  const io = gIO;
  const iov = i16x8.splat(<i16>io);
  const fo = gFO;
  const fov = i32x4.splat(fo);
  const zpv = i32x4.splat(gZP);
  const lov = i32x4.splat(gLO);
  const hiv = i32x4.splat(gHI);
  const c = <usize>inC;
  const rowStride = <usize>inW * c;
  const b0 = bp ? v128.load(bp + (<usize>cs0 << 2)) : i32x4.splat(0);
  const b1 = bp ? v128.load(bp + (<usize>cs0 << 2), 16) : i32x4.splat(0);
  const b2 = bp ? v128.load(bp + (<usize>cs1 << 2)) : i32x4.splat(0);
  const b3 = bp ? v128.load(bp + (<usize>cs1 << 2), 16) : i32x4.splat(0);
  const d1 = <usize>(cs1 - cs0);
  const tapX = <usize>dw * c;
  const pixX = <usize>sw * c;
  // Bias plus inputOffset·Σw over every tap, for pixels whose taps are all inside.
  let s0 = i32x4.splat(0), s1 = i32x4.splat(0), s2 = i32x4.splat(0), s3 = i32x4.splat(0);
  for (let t = 0, taps = kH * kW; t < taps; t++) {
    const w0 = v128.load8x8_s(wp + <usize>t * c + <usize>cs0);
    const w1 = v128.load8x8_s(wp + <usize>t * c + <usize>cs1);
    s0 = i32x4.add(s0, i32x4.extend_low_i16x8_s(w0));
    s1 = i32x4.add(s1, i32x4.extend_high_i16x8_s(w0));
    s2 = i32x4.add(s2, i32x4.extend_low_i16x8_s(w1));
    s3 = i32x4.add(s3, i32x4.extend_high_i16x8_s(w1));
  }
  const iov32 = i32x4.splat(io);
  const f0 = i32x4.add(b0, i32x4.mul(s0, iov32));
  const f1 = i32x4.add(b1, i32x4.mul(s1, iov32));
  const f2 = i32x4.add(b2, i32x4.mul(s2, iov32));
  const f3 = i32x4.add(b3, i32x4.mul(s3, iov32));
  const lastX = <i64>(kW - 1) * <i64>dw;
  let out = yp + <usize>cs0;
  for (let n = 0; n < batches; n++) {
    const xn = xp + <usize>n * <usize>inH * rowStride + <usize>cs0;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = <i64>oy * <i64>sh - <i64>pt;
      const ky0 = firstTap(iy0, dh);
      const ky1 = endTap(iy0, dh, inH, kH);
      const rowFull = fo == 0 && ky0 == 0 && ky1 == kH;
      let ox = 0;
      while (ox < outW) {
        const ix0 = <i64>ox * <i64>sw - <i64>pl;
        const kx0 = firstTap(ix0, dw);
        const kx1 = endTap(ix0, dw, inW, kW);
        let npx = 1;
        if (rowFull && kx0 == 0 && kx1 == kW && ox + 1 < outW && ix0 + <i64>sw + lastX < <i64>inW) {
          npx = 2;
          let a0 = f0, a1 = f1, a2 = f2, a3 = f3, e0 = f0, e1 = f1, e2 = f2, e3 = f3;
          for (let ky = 0; ky < kH; ky++) {
            let xr = xn + <usize>(<i32>iy0 + ky * dh) * rowStride + <usize>(<i32>ix0) * c;
            let wr = wp + <usize>(ky * kW) * c + <usize>cs0;
            for (let kx = 0; kx < kW; kx++) {
              const w0 = v128.load8x8_s(wr);
              const w1 = v128.load8x8_s(wr + d1);
              const p0 = i16x8.mul(v128.load8x8_s(xr), w0);
              const p1 = i16x8.mul(v128.load8x8_s(xr + d1), w1);
              const q0 = i16x8.mul(v128.load8x8_s(xr + pixX), w0);
              const q1 = i16x8.mul(v128.load8x8_s(xr + pixX + d1), w1);
              a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p0));
              a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p0));
              a2 = i32x4.add(a2, i32x4.extend_low_i16x8_s(p1));
              a3 = i32x4.add(a3, i32x4.extend_high_i16x8_s(p1));
              e0 = i32x4.add(e0, i32x4.extend_low_i16x8_s(q0));
              e1 = i32x4.add(e1, i32x4.extend_high_i16x8_s(q0));
              e2 = i32x4.add(e2, i32x4.extend_low_i16x8_s(q1));
              e3 = i32x4.add(e3, i32x4.extend_high_i16x8_s(q1));
              xr += tapX;
              wr += c;
            }
          }
          v128.store(DW_ACC, a0);
          v128.store(DW_ACC, a1, 16);
          v128.store(DW_ACC, a2, 32);
          v128.store(DW_ACC, a3, 48);
          v128.store(DW_ACC, e0, 64);
          v128.store(DW_ACC, e1, 80);
          v128.store(DW_ACC, e2, 96);
          v128.store(DW_ACC, e3, 112);
        } else {
          let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
          for (let ky = ky0; ky < ky1; ky++) {
            // Positions of taps in [k0, k1) lie inside the input, so they fit in 32 bits.
            let xr = xn + <usize>(<i32>iy0 + ky * dh) * rowStride + <usize>(<i32>ix0 + kx0 * dw) * c;
            let wr = wp + <usize>(ky * kW + kx0) * c + <usize>cs0;
            for (let kx = kx0; kx < kx1; kx++) {
              const p0 = i16x8.mul(i16x8.add(v128.load8x8_s(xr), iov), v128.load8x8_s(wr));
              const p1 = i16x8.mul(i16x8.add(v128.load8x8_s(xr + d1), iov), v128.load8x8_s(wr + d1));
              a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p0));
              a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p0));
              a2 = i32x4.add(a2, i32x4.extend_low_i16x8_s(p1));
              a3 = i32x4.add(a3, i32x4.extend_high_i16x8_s(p1));
              xr += tapX;
              wr += c;
            }
          }
          if (fo) {
            // Σ(x + io)(w + fo) = Σ(x + io)·w + fo·Σ(x + io), all mod 2^32.
            let t0 = i32x4.splat(0), t1 = i32x4.splat(0), t2 = i32x4.splat(0), t3 = i32x4.splat(0);
            for (let ky = ky0; ky < ky1; ky++) {
              let xr = xn + <usize>(<i32>iy0 + ky * dh) * rowStride + <usize>(<i32>ix0 + kx0 * dw) * c;
              for (let kx = kx0; kx < kx1; kx++) {
                const x0 = i16x8.add(v128.load8x8_s(xr), iov);
                const x1 = i16x8.add(v128.load8x8_s(xr + d1), iov);
                t0 = i32x4.add(t0, i32x4.extend_low_i16x8_s(x0));
                t1 = i32x4.add(t1, i32x4.extend_high_i16x8_s(x0));
                t2 = i32x4.add(t2, i32x4.extend_low_i16x8_s(x1));
                t3 = i32x4.add(t3, i32x4.extend_high_i16x8_s(x1));
                xr += tapX;
              }
            }
            a0 = i32x4.add(a0, i32x4.mul(t0, fov));
            a1 = i32x4.add(a1, i32x4.mul(t1, fov));
            a2 = i32x4.add(a2, i32x4.mul(t2, fov));
            a3 = i32x4.add(a3, i32x4.mul(t3, fov));
          }
          v128.store(DW_ACC, a0);
          v128.store(DW_ACC, a1, 16);
          v128.store(DW_ACC, a2, 32);
          v128.store(DW_ACC, a3, 48);
        }
        for (let i = 0, nv = npx << 2; i < nv; i++) {
          const at = DW_ACC + (<usize>i << 4);
          v128.store(at, requantizeGroup(v128.load(at), DW_Q + <usize>(i & 3) * PERLANE_BYTES, zpv, lov, hiv));
        }
        for (let px = 0; px < npx; px++) {
          const at = DW_ACC + (<usize>px << 6);
          const v = i8x16.narrow_i16x8_s(
            i16x8.narrow_i32x4_s(v128.load(at), v128.load(at, 16)),
            i16x8.narrow_i32x4_s(v128.load(at, 32), v128.load(at, 48)),
          );
          v128.store64_lane(out, v, 0);
          v128.store64_lane(out + d1, v, 1);
          out += c;
        }
        ox += npx;
      }
    }
  }
}

/** Eight raw int8 input values at p as int16, or the one at p in all lanes (bcast). */
@inline function tap8(p: usize, bcast: bool): v128 {
  return bcast ? i16x8.splat(<i16>load<i8>(p)) : v128.load8x8_s(p);
}

/**
 * All output pixels for the 8 output channels co..co+7 (per-lane constants of
 * those channels in DW_Q groups 0 and 1): input channels xc..xc+7 (multiplier 1),
 * or input channel xc in all lanes (bcast: multiplier >= 8, the 8 outputs of one
 * input channel). Products (x + io)·(w + fo) as exact int32 (extmul of int16).
 */
function dw8(xp: usize, wp: usize, bp: usize, yp: usize, oc: i32, co: i32, xc: i32, bcast: bool): void {
  const batches = gBatches, inH = gInH, inW = gInW, inC = gInC, kH = gKH, kW = gKW, outH = gOutH, outW = gOutW;
  const sh = gSH, sw = gSW, dh = gDH, dw = gDW, pt = gPT, pl = gPL;
  const io = gIO;
  const iov = i16x8.splat(<i16>io);
  const fov = i16x8.splat(<i16>gFO);
  const zpv = i32x4.splat(gZP);
  const lov = i32x4.splat(gLO);
  const hiv = i32x4.splat(gHI);
  const c = <usize>inC;
  const wc = <usize>oc;
  const rowStride = <usize>inW * c;
  const b0 = bp ? v128.load(bp + (<usize>co << 2)) : i32x4.splat(0);
  const b1 = bp ? v128.load(bp + (<usize>co << 2), 16) : i32x4.splat(0);
  const tapX = <usize>dw * c;
  // 3x3 with filter offset 0: interior pixels unrolled, the nine taps' weights in
  // registers, the input offset folded into the bias (x·w fits int16).
  const fast = kH == 3 && kW == 3 && gFO == 0;
  let w0 = i32x4.splat(0), w1 = w0, w2 = w0, w3 = w0, w4 = w0, w5 = w0, w6 = w0, w7 = w0, w8 = w0;
  let f0 = b0, f1 = b1;
  if (fast) {
    const wb = wp + <usize>co;
    w0 = v128.load8x8_s(wb); w1 = v128.load8x8_s(wb + wc); w2 = v128.load8x8_s(wb + 2 * wc);
    w3 = v128.load8x8_s(wb + 3 * wc); w4 = v128.load8x8_s(wb + 4 * wc); w5 = v128.load8x8_s(wb + 5 * wc);
    w6 = v128.load8x8_s(wb + 6 * wc); w7 = v128.load8x8_s(wb + 7 * wc); w8 = v128.load8x8_s(wb + 8 * wc);
    const sum = i16x8.add(i16x8.add(i16x8.add(w0, w1), i16x8.add(w2, w3)), i16x8.add(i16x8.add(w4, w5), i16x8.add(i16x8.add(w6, w7), w8)));
    const iov32 = i32x4.splat(io);
    f0 = i32x4.add(b0, i32x4.mul(i32x4.extend_low_i16x8_s(sum), iov32));
    f1 = i32x4.add(b1, i32x4.mul(i32x4.extend_high_i16x8_s(sum), iov32));
  }
  let out = yp + <usize>co;
  for (let n = 0; n < batches; n++) {
    const xn = xp + <usize>n * <usize>inH * rowStride + <usize>xc;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = <i64>oy * <i64>sh - <i64>pt;
      const ky0 = firstTap(iy0, dh);
      const ky1 = endTap(iy0, dh, inH, kH);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = <i64>ox * <i64>sw - <i64>pl;
        const kx0 = firstTap(ix0, dw);
        const kx1 = endTap(ix0, dw, inW, kW);
        let a0 = b0, a1 = b1;
        if (fast && ky0 == 0 && ky1 == 3 && kx0 == 0 && kx1 == 3) {
          a0 = f0;
          a1 = f1;
          let r = xn + <usize>(<i32>iy0) * rowStride + <usize>(<i32>ix0) * c;
          const rs = <usize>dh * rowStride;
          let p = i16x8.mul(tap8(r, bcast), w0);
          a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p)); a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
          p = i16x8.mul(tap8(r + tapX, bcast), w1);
          a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p)); a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
          p = i16x8.mul(tap8(r + 2 * tapX, bcast), w2);
          a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p)); a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
          r += rs;
          p = i16x8.mul(tap8(r, bcast), w3);
          a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p)); a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
          p = i16x8.mul(tap8(r + tapX, bcast), w4);
          a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p)); a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
          p = i16x8.mul(tap8(r + 2 * tapX, bcast), w5);
          a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p)); a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
          r += rs;
          p = i16x8.mul(tap8(r, bcast), w6);
          a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p)); a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
          p = i16x8.mul(tap8(r + tapX, bcast), w7);
          a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p)); a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
          p = i16x8.mul(tap8(r + 2 * tapX, bcast), w8);
          a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(p)); a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(p));
        } else for (let ky = ky0; ky < ky1; ky++) {
          let xr = xn + <usize>(<i32>iy0 + ky * dh) * rowStride + <usize>(<i32>ix0 + kx0 * dw) * c;
          let wr = wp + <usize>(ky * kW + kx0) * wc + <usize>co;
          for (let kx = kx0; kx < kx1; kx++) {
            const xv = bcast ? i16x8.splat(<i16>(<i32>load<i8>(xr) + io)) : i16x8.add(v128.load8x8_s(xr), iov);
            const wv = i16x8.add(v128.load8x8_s(wr), fov);
            a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_s(xv, wv));
            a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_s(xv, wv));
            xr += tapX;
            wr += wc;
          }
        }
        const r0 = requantizeGroup(a0, DW_Q, zpv, lov, hiv);
        const r1 = requantizeGroup(a1, DW_Q + PERLANE_BYTES, zpv, lov, hiv);
        v128.store64_lane(out, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(r0, r1), r0), 0);
        out += wc;
      }
    }
  }
}

/** Prepares the per-lane requantization constants of channels co..co+7 (DW_Q groups 0 and 1). */
function prepare8(mp: usize, sp: usize, co: i32): void {
  for (let i = 0; i < 8; i++) {
    const ch = <usize>(co + i) << 2;
    preparePerLane(DW_Q + <usize>(i >> 2) * PERLANE_BYTES, i & 3, load<i32>(mp + ch), load<i32>(sp + ch));
  }
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
    if ((mult == 1 && inC >= 8) || mult >= 8) {
      gBatches = batches; gInH = inH; gInW = inW; gInC = inC; gKH = kH; gKW = kW;
      gOutH = outH; gOutW = outW; gSH = sh; gSW = sw; gDH = dh; gDW = dw; gPT = pt; gPL = pl;
      gIO = io; gFO = fo; gZP = zp; gLO = lo; gHI = hi;
      if (mult >= 8) {
        // Each input channel's mult outputs, 8 at a time (the last group overlaps when mult % 8 != 0).
        for (let ic = 0; ic < inC; ic++) {
          for (let j = 0; j < mult; j += 8) {
            const co = ic * mult + min(j, mult - 8);
            prepare8(mp, sp, co);
            dw8(xp, wp, bp, yp, outC, co, ic, true);
          }
        }
        return;
      }
      const full = inC & ~15;
      for (let c0 = 0; c0 < full; c0 += 16) {
        const cs0 = c0;
        const cs1 = c0 + 8;
        for (let i = 0; i < 8; i++) {
          const ch0 = <usize>(cs0 + i) << 2;
          const ch1 = <usize>(cs1 + i) << 2;
          preparePerLane(DW_Q + <usize>(i >> 2) * PERLANE_BYTES, i & 3, load<i32>(mp + ch0), load<i32>(sp + ch0));
          preparePerLane(DW_Q + <usize>(2 + (i >> 2)) * PERLANE_BYTES, i & 3, load<i32>(mp + ch1), load<i32>(sp + ch1));
        }
        dwChunk(xp, wp, bp, yp, cs0, cs1);
      }
      // The last 1..15 channels as groups of 8 (the last overlapping an earlier one).
      for (let c0 = full; c0 < inC; c0 += 8) {
        const co = min(c0, inC - 8);
        prepare8(mp, sp, co);
        dw8(xp, wp, bp, yp, outC, co, co, false);
      }
      return;
    }
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
