// QUANTIZE.
// float32 → int8/int16 (TFLite's AffineQuantize): round half away from zero of
//   x / scale (float32 division), plus the zero point, saturated. NaN gives the
//   zero point; quotients beyond ±2^24 are clamped there first (then saturate).
// int8/int16 → int8/int16 (TFLite's Requantize): MultiplyByQuantizedMultiplier
//   of (x + inputOffset), plus outputOffset, saturated. May run in place.
import {
  DT_FLOAT32, DT_INT16, DT_INT8, E_PARAM, QUANTIZE_INPUT_OFFSET, QUANTIZE_MULTIPLIER, QUANTIZE_OUTPUT_OFFSET, QUANTIZE_SHIFT,
} from '../generated/format';
import { fail } from '../errors';
import { multiplierParams, paramIn, qmax, qmin, sameElements } from '../checks';
import { mbqm4, mulByQuantizedMultiplier } from '../fixedpoint';
import { opInput, opOutput, opParam, tensorData, tensorDtype, tensorElements, tensorScale, tensorZeroPoint } from '../model';

export function checkQuantize(op: usize): i32 {
  const x = opInput(op, 0);
  const y = opOutput(op, 0);
  let r = sameElements(x, y);
  if (r) return r;
  const dy = tensorDtype(y);
  if (tensorDtype(x) == DT_FLOAT32) {
    if (!(tensorScale(y) > 0)) return fail(E_PARAM, y);
    const zp = tensorZeroPoint(y);
    if (zp < qmin(dy) || zp > qmax(dy)) return fail(E_PARAM, y, zp);
    return 0;
  }
  const dx = tensorDtype(x);
  r = paramIn(op, QUANTIZE_INPUT_OFFSET, -qmax(dx), -qmin(dx));
  if (!r) r = paramIn(op, QUANTIZE_OUTPUT_OFFSET, qmin(dy), qmax(dy));
  if (!r) r = multiplierParams(op, QUANTIZE_MULTIPLIER, QUANTIZE_SHIFT);
  return r;
}

const LIMIT: f32 = 16777216.0;

@inline function quantizeF32(v: f32, scale: f32, zp: i32): i32 {
  let q = v / scale;
  if (q != q) return zp;
  q = q > LIMIT ? LIMIT : q < -LIMIT ? -LIMIT : q;
  const t = Mathf.trunc(q);
  // t is an integer of magnitude ≤ 2^24: the 1.5 * 2^52 bias leaves it in the
  // low bits of the double (no float → int instruction, which may trap or be missing).
  const ti = <i32>reinterpret<i64>(<f64>t + 6755399441055744.0);
  return ti + (Mathf.abs(q - t) >= 0.5 ? (q < 0 ? -1 : 1) : 0) + zp;
}

export function evalQuantize(op: usize): void {
  const x = opInput(op, 0);
  const y = opOutput(op, 0);
  const xp = tensorData(x);
  const yp = tensorData(y);
  const n = <usize>tensorElements(x);
  const dx = tensorDtype(x);
  const dy = tensorDtype(y);
  const lo = qmin(dy);
  const hi = qmax(dy);
  const wideOut = dy == DT_INT16;
  let i: usize = 0;
  if (dx == DT_FLOAT32) {
    const scale = tensorScale(y);
    const zp = tensorZeroPoint(y);
    if (ASC_FEATURE_SIMD) {
      const vs = f32x4.splat(scale);
      const vz = i32x4.splat(zp);
      const lim = f32x4.splat(LIMIT);
      const nlim = f32x4.splat(-LIMIT);
      const halfv = f32x4.splat(0.5);
      const sign = i32x4.splat(0x80000000);
      const one = f32x4.splat(1.0);
      for (; i + 4 <= n; i += 4) {
        let q = f32x4.div(v128.load(xp + (i << 2)), vs);
        q = v128.and(q, f32x4.eq(q, q)); // NaN → 0
        q = f32x4.pmax(f32x4.pmin(q, lim), nlim);
        const t = f32x4.trunc(q);
        const up = f32x4.ge(f32x4.abs(f32x4.sub(q, t)), halfv);
        const adj = v128.and(up, v128.or(v128.and(q, sign), one)); // ±1 where |q - t| ≥ 0.5
        const r = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.add(t, adj)), vz);
        const h = i16x8.narrow_i32x4_s(r, r);
        if (wideOut) v128.store64_lane(yp + (i << 1), h, 0);
        else v128.store32_lane(yp + i, i8x16.narrow_i16x8_s(h, h), 0);
      }
    }
    for (; i < n; i++) {
      let r = quantizeF32(load<f32>(xp + (i << 2)), scale, zp);
      r = r < lo ? lo : r > hi ? hi : r;
      if (wideOut) store<i16>(yp + (i << 1), <i16>r);
      else store<i8>(yp + i, <i8>r);
    }
    return;
  }
  const inOff = opParam(op, QUANTIZE_INPUT_OFFSET);
  const outOff = opParam(op, QUANTIZE_OUTPUT_OFFSET);
  const m = opParam(op, QUANTIZE_MULTIPLIER);
  const s = opParam(op, QUANTIZE_SHIFT);
  const wideIn = dx == DT_INT16;
  if (ASC_FEATURE_SIMD) {
    const vm = i32x4.splat(m);
    const vin = i32x4.splat(inOff);
    const vout = i32x4.splat(outOff);
    const left = s > 0 ? s : 0;
    const right = s > 0 ? 0 : -s;
    for (; i + 8 <= n; i += 8) {
      // Eight inputs widened to int16 (an in-place run reads all eight first).
      const v = wideIn ? v128.load(xp + (i << 1)) : i16x8.extend_low_i8x16_s(v128.load64_zero(xp + i));
      const a = i32x4.add(mbqm4(i32x4.add(i32x4.extend_low_i16x8_s(v), vin), vm, left, right), vout);
      const b = i32x4.add(mbqm4(i32x4.add(i32x4.extend_high_i16x8_s(v), vin), vm, left, right), vout);
      const h = i16x8.narrow_i32x4_s(a, b);
      if (wideOut) v128.store(yp + (i << 1), h);
      else v128.store64_lane(yp + i, i8x16.narrow_i16x8_s(h, h), 0);
    }
  }
  for (; i < n; i++) {
    const v = wideIn ? <i32>load<i16>(xp + (i << 1)) : <i32>load<i8>(xp + i);
    let r = mulByQuantizedMultiplier(v + inOff, m, s) + outOff;
    r = r < lo ? lo : r > hi ? hi : r;
    if (wideOut) store<i16>(yp + (i << 1), <i16>r);
    else store<i8>(yp + i, <i8>r);
  }
}
