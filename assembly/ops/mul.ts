// MUL (int8): TFLite's reference_integer_ops::Mul / BroadcastMul4DSlow. The
// product of the offset inputs, requantized by the output multiplier, offset
// and clamped, with ≤4-D right-aligned broadcasting. May run in place (output =
// input 1's bytes): every element is read before it is written. SIMD: 16
// elements per step, products by i32x4.extmul of the offset int16 halves.
import {
  MUL_ACT_MAX, MUL_ACT_MIN, MUL_INPUT_OFFSET1, MUL_INPUT_OFFSET2, MUL_OUTPUT_MULTIPLIER, MUL_OUTPUT_OFFSET, MUL_OUTPUT_SHIFT,
} from '../generated/format';
import { clampParams, inputOffsetParam, multiplierParams, outputOffsetParam } from '../checks';
import { mbqm4, mulByQuantizedMultiplier } from '../fixedpoint';
import { opInput, opOutput, opParam, tensorData, tensorDtype } from '../model';
import { checkBroadcast, planBroadcast, rowLen, rowOffset1, rowOffset2, rows, rowStep1, rowStep2, seekRow } from './broadcast';

export function checkMul(op: usize): i32 {
  const y = opOutput(op, 0);
  const dt = tensorDtype(y);
  let r = checkBroadcast(opInput(op, 0), opInput(op, 1), y);
  if (!r) r = inputOffsetParam(op, MUL_INPUT_OFFSET1, dt);
  if (!r) r = inputOffsetParam(op, MUL_INPUT_OFFSET2, dt);
  if (!r) r = outputOffsetParam(op, MUL_OUTPUT_OFFSET, dt);
  if (!r) r = multiplierParams(op, MUL_OUTPUT_MULTIPLIER, MUL_OUTPUT_SHIFT);
  if (!r) r = clampParams(op, MUL_ACT_MIN, MUL_ACT_MAX, dt);
  return r;
}

let off1: i32 = 0, off2: i32 = 0, outOff: i32 = 0, m: i32 = 0, s: i32 = 0, lo: i32 = 0, hi: i32 = 0;

function row(pa: usize, sa: i32, pb: usize, sb: i32, po: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const left = s > 0 ? s : 0;
    const right = s > 0 ? 0 : -s;
    const vm = i32x4.splat(m);
    const vo1 = i16x8.splat(<i16>off1);
    const vo2 = i16x8.splat(<i16>off2);
    const vout = i32x4.splat(outOff);
    const vlo = i8x16.splat(<i8>lo);
    const vhi = i8x16.splat(<i8>hi);
    for (; i + 16 <= n; i += 16) {
      const a = sa ? v128.load(pa + <usize>i) : i8x16.splat(load<i8>(pa));
      const b = sb ? v128.load(pb + <usize>i) : i8x16.splat(load<i8>(pb));
      const al = i16x8.add(i16x8.extend_low_i8x16_s(a), vo1);
      const ah = i16x8.add(i16x8.extend_high_i8x16_s(a), vo1);
      const bl = i16x8.add(i16x8.extend_low_i8x16_s(b), vo2);
      const bh = i16x8.add(i16x8.extend_high_i8x16_s(b), vo2);
      const q0 = i32x4.add(mbqm4(i32x4.extmul_low_i16x8_s(al, bl), vm, left, right), vout);
      const q1 = i32x4.add(mbqm4(i32x4.extmul_high_i16x8_s(al, bl), vm, left, right), vout);
      const q2 = i32x4.add(mbqm4(i32x4.extmul_low_i16x8_s(ah, bh), vm, left, right), vout);
      const q3 = i32x4.add(mbqm4(i32x4.extmul_high_i16x8_s(ah, bh), vm, left, right), vout);
      const o = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3));
      v128.store(po + <usize>i, i8x16.min_s(i8x16.max_s(o, vlo), vhi));
    }
  }
  for (; i < n; i++) {
    const a = <i32>load<i8>(pa + <usize>(i * sa)) + off1;
    const b = <i32>load<i8>(pb + <usize>(i * sb)) + off2;
    const r = mulByQuantizedMultiplier(a * b, m, s) + outOff;
    store<i8>(po + <usize>i, <i8>(r < lo ? lo : r > hi ? hi : r));
  }
}

export function evalMul(op: usize): void {
  const a = opInput(op, 0);
  const b = opInput(op, 1);
  const y = opOutput(op, 0);
  off1 = opParam(op, MUL_INPUT_OFFSET1);
  off2 = opParam(op, MUL_INPUT_OFFSET2);
  outOff = opParam(op, MUL_OUTPUT_OFFSET);
  m = opParam(op, MUL_OUTPUT_MULTIPLIER);
  s = opParam(op, MUL_OUTPUT_SHIFT);
  lo = opParam(op, MUL_ACT_MIN);
  hi = opParam(op, MUL_ACT_MAX);
  planBroadcast(a, b, y);
  const pa = tensorData(a);
  const pb = tensorData(b);
  let po = tensorData(y);
  for (let r = 0; r < rows; r++) {
    seekRow(r);
    row(pa + <usize>rowOffset1, rowStep1, pb + <usize>rowOffset2, rowStep2, po, rowLen);
    po += <usize>rowLen;
  }
}
