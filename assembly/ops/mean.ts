// MEAN over H and W of an NHWC int8 tensor, as TFLite Micro's reference
// (QuantizedMeanOrSum): the int32 sum of (x + inputOffset) over H*W, then
// MultiplyByQuantizedMultiplier with the prepared multiplier/shift (which fold
// in 1/(H*W), see quantize/pack/ops/mean.ts), plus outputOffset, saturated.
// SIMD: 16 channels at a time in four i32x4 sums.
import { E_SHAPE, MEAN_INPUT_OFFSET, MEAN_MULTIPLIER, MEAN_OUTPUT_OFFSET, MEAN_SHIFT } from '../generated/format';
import { fail } from '../errors';
import { inputOffsetParam, lastDim, multiplierParams, outputOffsetParam, rankIs, sameDtype } from '../checks';
import { mbqm4, mulByQuantizedMultiplier } from '../fixedpoint';
import { opInput, opOutput, opParam, tensorData, tensorDim, tensorDtype, tensorElements } from '../model';

export function checkMean(op: usize): i32 {
  const x = opInput(op, 0);
  const y = opOutput(op, 0);
  let r = rankIs(x, 4);
  if (!r) r = sameDtype(x, y);
  if (r) return r;
  const c = tensorDim(x, 3);
  if (lastDim(y) != c) return fail(E_SHAPE, y, lastDim(y));
  if (tensorElements(y) != tensorDim(x, 0) * c) return fail(E_SHAPE, y, tensorElements(y));
  const dt = tensorDtype(x);
  r = inputOffsetParam(op, MEAN_INPUT_OFFSET, dt);
  if (!r) r = outputOffsetParam(op, MEAN_OUTPUT_OFFSET, dt);
  if (!r) r = multiplierParams(op, MEAN_MULTIPLIER, MEAN_SHIFT);
  return r;
}

export function evalMean(op: usize): void {
  const x = opInput(op, 0);
  let xp = tensorData(x);
  let yp = tensorData(opOutput(op, 0));
  const batches = tensorDim(x, 0);
  const hw = tensorDim(x, 1) * tensorDim(x, 2);
  const ch = tensorDim(x, 3);
  const inOff = opParam(op, MEAN_INPUT_OFFSET);
  const outOff = opParam(op, MEAN_OUTPUT_OFFSET);
  const m = opParam(op, MEAN_MULTIPLIER);
  const s = opParam(op, MEAN_SHIFT);
  const left = s > 0 ? s : 0;
  const right = s > 0 ? 0 : -s;
  // The offset is added once per tap: fold it into the starting value.
  const start = inOff * hw;
  for (let n = 0; n < batches; n++) {
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const vm = i32x4.splat(m);
      const voff = i32x4.splat(outOff);
      for (; c + 16 <= ch; c += 16) {
        let s0 = i32x4.splat(start);
        let s1 = s0;
        let s2 = s0;
        let s3 = s0;
        let p = xp + <usize>c;
        for (let k = 0; k < hw; k++) {
          const v = v128.load(p);
          const l = i16x8.extend_low_i8x16_s(v);
          const h = i16x8.extend_high_i8x16_s(v);
          s0 = i32x4.add(s0, i32x4.extend_low_i16x8_s(l));
          s1 = i32x4.add(s1, i32x4.extend_high_i16x8_s(l));
          s2 = i32x4.add(s2, i32x4.extend_low_i16x8_s(h));
          s3 = i32x4.add(s3, i32x4.extend_high_i16x8_s(h));
          p += <usize>ch;
        }
        s0 = i32x4.add(mbqm4(s0, vm, left, right), voff);
        s1 = i32x4.add(mbqm4(s1, vm, left, right), voff);
        s2 = i32x4.add(mbqm4(s2, vm, left, right), voff);
        s3 = i32x4.add(mbqm4(s3, vm, left, right), voff);
        v128.store(yp + <usize>c, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(s0, s1), i16x8.narrow_i32x4_s(s2, s3)));
      }
    }
    for (; c < ch; c++) {
      let sum = start;
      let p = xp + <usize>c;
      for (let k = 0; k < hw; k++) {
        sum += <i32>load<i8>(p);
        p += <usize>ch;
      }
      const r = mulByQuantizedMultiplier(sum, m, s) + outOff;
      store<i8>(yp + <usize>c, <i8>(r < -128 ? -128 : r > 127 ? 127 : r));
    }
    xp += <usize>hw * <usize>ch;
    yp += <usize>ch;
  }
}
