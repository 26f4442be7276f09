// Pointwise convolution with a short reduction (K = input channels, a multiple
// of 8 up to 32), filter offset 0, at least 8 output channels (SIMD builds).
//
// Output channels lie in lanes, so no horizontal sums are needed (a 4x2 GEMM
// spends as much on those as on the MACs when K is this short): for 8 channels
// at a time, the weights are repacked into PW_W as int16 pairs
// [w[o][2t], w[o][2t+1]] for 4 channels per vector; each input pair
// (x[2t], x[2t+1]) goes to every lane, and one i32x4.dot_i16x8_s adds 2 MACs to
// each of 4 channels. Four pixels per pass share each weight load. The input
// offset is folded into the bias; requantization per lane, in f32 when
// certified (conv_common.ts).
import { beginPerLane8, FQ_MAGIC_BITS, PERLANE_BYTES, storePerLane8 } from './conv_common';

export const POINTWISE_MAX_K = 32;

// The current 8 channels' weights: K/2 pairs × 2 groups of 4 channels × 8 int16.
const PW_W = memory.data(POINTWISE_MAX_K / 2 * 2 * 16, 16);
// Their per-lane requantization constants (two groups), and biases with the input offset folded in.
const PW_Q = memory.data(2 * <i32>PERLANE_BYTES, 16);
const PW_B = memory.data(32, 16);

/** acc + Σ over the pair in b (broadcast) of b·w, per lane. */
@inline function mac(acc: v128, b: v128, w: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(b, w));
}

/**
 * y[r][o] = requantize(bias[o] + Σ_k (x[r][k] + io)·w[o][k]) for `rows` int8 rows
 * of k values at a, filter [oc, k] at w, output rows of oc at out.
 */
export function pointwiseShortK(
  a: usize, rows: i32, k: i32, w: usize, oc: i32,
  io: i32, bias: usize, mul: usize, sft: usize, zp: i32, lo: i32, hi: i32, out: usize,
): void {
  const kk = <usize>k;
  const ocs = <usize>oc;
  const steps = k >> 3;
  const zpv = i32x4.splat(zp);
  const lov = i32x4.splat(lo);
  const hiv = i32x4.splat(hi);
  const flo = f32x4.splat(<f32>(lo - zp));
  const fhi = f32x4.splat(<f32>(hi - zp));
  const magicZp = i32x4.splat(FQ_MAGIC_BITS - zp);
  const lastRow = a + <usize>(rows - 1) * kk;
  for (let c0 = 0; c0 < oc; c0 += 8) {
    // The last group overlaps an earlier one when oc % 8 != 0 (it rewrites the same values).
    const co = min(c0, oc - 8);
    // Repack: pair t of channel co+i at PW_W + t*32 + (i >> 2)*16 + (i & 3)*4; bias + io·Σ_k w.
    for (let i = 0; i < 8; i++) {
      const row = w + <usize>(co + i) * kk;
      let dst = PW_W + (<usize>(i >> 2) << 4) + (<usize>(i & 3) << 2);
      let sum = i32x4.splat(0);
      for (let j = 0; j < steps; j++) {
        const v = v128.load8x8_s(row + (<usize>j << 3)); // four pairs, one per i32 lane
        v128.store32_lane(dst, v, 0);
        v128.store32_lane(dst, v, 1, 32);
        v128.store32_lane(dst, v, 2, 64);
        v128.store32_lane(dst, v, 3, 96);
        sum = i32x4.add(sum, i32x4.extadd_pairwise_i16x8_s(v));
        dst += 128;
      }
      const total = i32x4.extract_lane(sum, 0) + i32x4.extract_lane(sum, 1) + i32x4.extract_lane(sum, 2) + i32x4.extract_lane(sum, 3);
      store<i32>(PW_B + (<usize>i << 2), (bias ? load<i32>(bias + (<usize>(co + i) << 2)) : 0) + io * total);
    }
    const f0 = v128.load(PW_B);
    const f1 = v128.load(PW_B, 16);
    const useFloat = beginPerLane8(PW_Q, mul, sft, co);
    const s0 = v128.load(PW_Q, 80), s1 = v128.load(PW_Q + PERLANE_BYTES, 80);
    const t0 = v128.load(PW_Q, 96), t1 = v128.load(PW_Q + PERLANE_BYTES, 96);
    let y = out + <usize>co;
    for (let r = 0; r < rows; r += 4) {
      // A last partial pass repeats the last row (computed, not stored).
      const p0 = a + <usize>r * kk;
      const p1 = min(p0 + kk, lastRow);
      const p2 = min(p0 + 2 * kk, lastRow);
      const p3 = min(p0 + 3 * kk, lastRow);
      let a00 = f0, a01 = f1, a10 = f0, a11 = f1, a20 = f0, a21 = f1, a30 = f0, a31 = f1;
      let pk: usize = 0;
      let wq = PW_W;
      for (let j = 0; j < steps; j++) {
        const x0 = v128.load8x8_s(p0 + pk);
        const x1 = v128.load8x8_s(p1 + pk);
        const x2 = v128.load8x8_s(p2 + pk);
        const x3 = v128.load8x8_s(p3 + pk);
        let wa = v128.load(wq), wb = v128.load(wq, 16);
        let b = i32x4.shuffle(x0, x0, 0, 0, 0, 0); a00 = mac(a00, b, wa); a01 = mac(a01, b, wb);
        b = i32x4.shuffle(x1, x1, 0, 0, 0, 0); a10 = mac(a10, b, wa); a11 = mac(a11, b, wb);
        b = i32x4.shuffle(x2, x2, 0, 0, 0, 0); a20 = mac(a20, b, wa); a21 = mac(a21, b, wb);
        b = i32x4.shuffle(x3, x3, 0, 0, 0, 0); a30 = mac(a30, b, wa); a31 = mac(a31, b, wb);
        wa = v128.load(wq, 32); wb = v128.load(wq, 48);
        b = i32x4.shuffle(x0, x0, 1, 1, 1, 1); a00 = mac(a00, b, wa); a01 = mac(a01, b, wb);
        b = i32x4.shuffle(x1, x1, 1, 1, 1, 1); a10 = mac(a10, b, wa); a11 = mac(a11, b, wb);
        b = i32x4.shuffle(x2, x2, 1, 1, 1, 1); a20 = mac(a20, b, wa); a21 = mac(a21, b, wb);
        b = i32x4.shuffle(x3, x3, 1, 1, 1, 1); a30 = mac(a30, b, wa); a31 = mac(a31, b, wb);
        wa = v128.load(wq, 64); wb = v128.load(wq, 80);
        b = i32x4.shuffle(x0, x0, 2, 2, 2, 2); a00 = mac(a00, b, wa); a01 = mac(a01, b, wb);
        b = i32x4.shuffle(x1, x1, 2, 2, 2, 2); a10 = mac(a10, b, wa); a11 = mac(a11, b, wb);
        b = i32x4.shuffle(x2, x2, 2, 2, 2, 2); a20 = mac(a20, b, wa); a21 = mac(a21, b, wb);
        b = i32x4.shuffle(x3, x3, 2, 2, 2, 2); a30 = mac(a30, b, wa); a31 = mac(a31, b, wb);
        wa = v128.load(wq, 96); wb = v128.load(wq, 112);
        b = i32x4.shuffle(x0, x0, 3, 3, 3, 3); a00 = mac(a00, b, wa); a01 = mac(a01, b, wb);
        b = i32x4.shuffle(x1, x1, 3, 3, 3, 3); a10 = mac(a10, b, wa); a11 = mac(a11, b, wb);
        b = i32x4.shuffle(x2, x2, 3, 3, 3, 3); a20 = mac(a20, b, wa); a21 = mac(a21, b, wb);
        b = i32x4.shuffle(x3, x3, 3, 3, 3, 3); a30 = mac(a30, b, wa); a31 = mac(a31, b, wb);
        pk += 8;
        wq += 128;
      }
      const n = rows - r;
      storePerLane8(PW_Q, y, a00, a01, useFloat, s0, s1, t0, t1, flo, fhi, magicZp, zpv, lov, hiv);
      if (n > 1) storePerLane8(PW_Q, y + ocs, a10, a11, useFloat, s0, s1, t0, t1, flo, fhi, magicZp, zpv, lov, hiv);
      if (n > 2) storePerLane8(PW_Q, y + 2 * ocs, a20, a21, useFloat, s0, s1, t0, t1, flo, fhi, magicZp, zpv, lov, hiv);
      if (n > 3) storePerLane8(PW_Q, y + 3 * ocs, a30, a31, useFloat, s0, s1, t0, t1, flo, fhi, magicZp, zpv, lov, hiv);
      y += 4 * ocs;
    }
  }
}
