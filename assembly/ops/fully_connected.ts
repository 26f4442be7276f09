// FULLY_CONNECTED: int8 (int32 bias) or 16x8 (int16 activations, int8 filter,
// int64 bias and accumulator) rows of K times filter [OC, K]
// (src/reference/ops/fully_connected.ts is the definition).
//
// SIMD builds, K >= 8: int8 rows four at a time through the 4x2 GEMM
// microkernel (K up to 1023), other rows through the 1x8 kernel (gemmRows in
// kernels/gemm.ts; relaxed builds whose fused int8 dot reads u8 exactly, input
// offset 128, filter offset 0, K >= 16: their u8 forms); 16x8 one
// row × 4 channels with i32 partial sums flushed to int64 every 512 taps (no
// partial sum can overflow). K % 8 is handled by one masked step at K - 8.
// Otherwise: the direct loop.
import {
  DT_INT16, DT_INT32, DT_INT64, E_DTYPE, E_SHAPE, FULLY_CONNECTED_ACT_MAX, FULLY_CONNECTED_ACT_MIN,
  FULLY_CONNECTED_FILTER_OFFSET, FULLY_CONNECTED_INPUT_OFFSET, FULLY_CONNECTED_OUTPUT_OFFSET, NONE,
} from '../generated/format';
import { fail } from '../errors';
import { clampParams, inputOffsetParam, outputOffsetParam, paramIn, preparedChannels, rankIs, sameDtype, vectorOf } from '../checks';
import { lastDim, opInput, opOutput, opParam, tensorData, tensorDim, tensorDtype, tensorElements } from '../model';
import { mulByQuantizedMultiplier64, requantize } from '../kernels/conv_common';
import { accOf, clearAcc, dot1x4 } from '../kernels/scalar';
import { gemmRows, tailMask } from '../kernels/gemm';

/** Checks shapes and parameters (mirrors src/format/checks.ts); 0 or an error code. */
export function checkFullyConnected(op: usize): i32 {
  const x = opInput(op, 0);
  const w = opInput(op, 1);
  const b = opInput(op, 2);
  const y = opOutput(op, 0);
  let r = rankIs(w, 2);
  if (!r) r = sameDtype(x, y);
  if (r) return r;
  const oc = tensorDim(w, 0);
  const k = tensorDim(w, 1);
  const n = tensorElements(x);
  if (n % k != 0) return fail(E_SHAPE, x, n);
  const rows = n / k;
  if (lastDim(y) != oc || <i64>tensorElements(y) != <i64>rows * <i64>oc) return fail(E_SHAPE, y, tensorElements(y));
  const dt = tensorDtype(x);
  if (b != NONE) {
    r = vectorOf(b, oc);
    if (r) return r;
    if (tensorDtype(b) != (dt == DT_INT16 ? DT_INT64 : DT_INT32)) return fail(E_DTYPE, b, tensorDtype(b));
  }
  // 16x8: TFLite's int64 requantization is defined for shifts below 8.
  r = preparedChannels(op, 3, 4, oc, dt == DT_INT16 ? 7 : 30);
  if (!r) r = inputOffsetParam(op, FULLY_CONNECTED_INPUT_OFFSET, dt);
  if (!r) r = outputOffsetParam(op, FULLY_CONNECTED_OUTPUT_OFFSET, dt);
  if (!r) r = paramIn(op, FULLY_CONNECTED_FILTER_OFFSET, -255, 255);
  if (!r) r = clampParams(op, FULLY_CONNECTED_ACT_MIN, FULLY_CONNECTED_ACT_MAX, tensorDtype(y));
  return r;
}

export function evalFullyConnected(op: usize): void {
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
  const oc = tensorDim(w, 0);
  const k = tensorDim(w, 1);
  const rows = tensorElements(x) / k;
  const io = opParam(op, FULLY_CONNECTED_INPUT_OFFSET);
  const fo = opParam(op, FULLY_CONNECTED_FILTER_OFFSET);
  const zp = opParam(op, FULLY_CONNECTED_OUTPUT_OFFSET);
  const lo = opParam(op, FULLY_CONNECTED_ACT_MIN);
  const hi = opParam(op, FULLY_CONNECTED_ACT_MAX);
  const kk = <usize>k;

  if (tensorDtype(x) == DT_INT16) {
    if (ASC_FEATURE_SIMD) {
      if (k >= 8) {
        fc16x8Simd(xp, wp, bp, mp, sp, yp, rows, oc, k, fo, zp, lo, hi);
        return;
      }
    }
    for (let r = 0; r < rows; r++) {
      const a = xp + (<usize>r * kk << 1);
      for (let o = 0; o < oc; o++) {
        const f = wp + <usize>o * kk;
        let acc: i64 = 0;
        for (let i = 0; i < k; i++) acc += <i64>((<i32>load<i16>(a + (<usize>i << 1)) + io) * (<i32>load<i8>(f + <usize>i) + fo));
        const j = <usize>o << 2;
        if (bp) acc += load<i64>(bp + (<usize>o << 3));
        const v = mulByQuantizedMultiplier64(acc, load<i32>(mp + j), load<i32>(sp + j)) + zp;
        store<i16>(yp + ((<usize>r * <usize>oc + <usize>o) << 1), <i16>(v < lo ? lo : v > hi ? hi : v));
      }
    }
    return;
  }

  if (ASC_FEATURE_SIMD) {
    if (k >= 8) {
      gemmRows(xp, rows, wp, k, oc, io, fo, bp, mp, sp, zp, lo, hi, yp);
      return;
    }
  }

  let out = yp;
  for (let r = 0; r < rows; r++) {
    const a = xp + <usize>r * kk;
    let o = 0;
    // Scalar builds: four output channels at a time, each input value loaded once for four filter rows.
    if (!ASC_FEATURE_SIMD) {
      for (; o + 4 <= oc; o += 4) {
        clearAcc();
        dot1x4(a, kk, wp + <usize>o * kk, kk, io);
        for (let j = 0; j < 4; j++) {
          const q = <usize>(o + j) << 2;
          let acc = accOf(0, j, fo);
          if (bp) acc += load<i32>(bp + q);
          store<i8>(out, <i8>requantize(acc, load<i32>(mp + q), load<i32>(sp + q), zp, lo, hi));
          out++;
        }
      }
    }
    for (; o < oc; o++) {
      const f = wp + <usize>o * kk;
      let acc = 0;
      for (let i = 0; i < k; i++) acc += (<i32>load<i8>(a + <usize>i) + io) * (<i32>load<i8>(f + <usize>i) + fo);
      const j = <usize>o << 2;
      if (bp) acc += load<i32>(bp + j);
      store<i8>(out, <i8>requantize(acc, load<i32>(mp + j), load<i32>(sp + j), zp, lo, hi));
      out++;
    }
  }
}

/** Lanes of an i32x4 summed as int64. */
@inline function sum64(v: v128): i64 {
  return <i64>i32x4.extract_lane(v, 0) + <i64>i32x4.extract_lane(v, 1) + <i64>i32x4.extract_lane(v, 2) + <i64>i32x4.extract_lane(v, 3);
}

/** 16x8 rows (input offset 0, checked), one row × 4 channels at a time; K >= 8. */
function fc16x8Simd(xp: usize, wp: usize, bp: usize, mp: usize, sp: usize, yp: usize, rows: i32, oc: i32, k: i32, fo: i32, zp: i32, lo: i32, hi: i32): void {
  const steps = k >> 3;
  const tail = k & 7;
  const mask = tailMask(tail);
  const kk = <usize>k;
  const last = oc - 1;
  for (let r = 0; r < rows; r++) {
    const a = xp + (<usize>r * kk << 1);
    const out = yp + (<usize>r * <usize>oc << 1);
    // Σ x·(w + fo) = Σ x·w + fo·Σ x: the filter offset once per row.
    let corr: i64 = 0;
    if (fo) {
      for (let i = 0; i < k; i++) corr += <i64>load<i16>(a + (<usize>i << 1));
      corr *= <i64>fo;
    }
    for (let o = 0; o < oc; o += 4) {
      const b0 = wp + <usize>o * kk;
      const b1 = wp + <usize>min(o + 1, last) * kk;
      const b2 = wp + <usize>min(o + 2, last) * kk;
      const b3 = wp + <usize>min(o + 3, last) * kk;
      let t0 = corr, t1 = corr, t2 = corr, t3 = corr;
      let s = 0;
      // |x·w| <= 2^22, so 64 steps (two products per lane each) stay far below 2^31.
      while (s < steps) {
        const end = min(s + 64, steps);
        let c0 = i32x4.splat(0), c1 = i32x4.splat(0), c2 = i32x4.splat(0), c3 = i32x4.splat(0);
        for (; s < end; s++) {
          const p = <usize>s << 3;
          const xv = v128.load(a + (p << 1));
          c0 = i32x4.add(c0, i32x4.dot_i16x8_s(xv, v128.load8x8_s(b0 + p)));
          c1 = i32x4.add(c1, i32x4.dot_i16x8_s(xv, v128.load8x8_s(b1 + p)));
          c2 = i32x4.add(c2, i32x4.dot_i16x8_s(xv, v128.load8x8_s(b2 + p)));
          c3 = i32x4.add(c3, i32x4.dot_i16x8_s(xv, v128.load8x8_s(b3 + p)));
        }
        t0 += sum64(c0);
        t1 += sum64(c1);
        t2 += sum64(c2);
        t3 += sum64(c3);
      }
      if (tail) {
        const p = kk - 8;
        const xv = v128.and(v128.load(a + (p << 1)), mask);
        t0 += sum64(i32x4.dot_i16x8_s(xv, v128.load8x8_s(b0 + p)));
        t1 += sum64(i32x4.dot_i16x8_s(xv, v128.load8x8_s(b1 + p)));
        t2 += sum64(i32x4.dot_i16x8_s(xv, v128.load8x8_s(b2 + p)));
        t3 += sum64(i32x4.dot_i16x8_s(xv, v128.load8x8_s(b3 + p)));
      }
      store<i64>(SUMS, t0);
      store<i64>(SUMS, t1, 8);
      store<i64>(SUMS, t2, 16);
      store<i64>(SUMS, t3, 24);
      const n = min(4, oc - o);
      for (let j = 0; j < n; j++) store16x8(load<i64>(SUMS + (<usize>j << 3)), o + j, bp, mp, sp, zp, lo, hi, out);
    }
  }
}

// Four channels' int64 sums on their way to requantization (one copy of the code, not four).
const SUMS = memory.data(32, 16);

function store16x8(acc: i64, o: i32, bp: usize, mp: usize, sp: usize, zp: i32, lo: i32, hi: i32, out: usize): void {
  if (bp) acc += load<i64>(bp + (<usize>o << 3));
  const j = <usize>o << 2;
  const v = mulByQuantizedMultiplier64(acc, load<i32>(mp + j), load<i32>(sp + j)) + zp;
  store<i16>(out + (<usize>o << 1), <i16>(v < lo ? lo : v > hi ? hi : v));
}
