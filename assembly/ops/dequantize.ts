// DEQUANTIZE: int8/int16 → float32, (q - zero point) * scale rounded once to
// float32 (TFLite's double product of these values is exact, so its one cast
// is the same rounding). SIMD: four at a time.
import { DT_INT16 } from '../generated/format';
import { sameElements } from '../checks';
import { opInput, opOutput, tensorData, tensorDtype, tensorElements, tensorScale, tensorZeroPoint } from '../model';

export function checkDequantize(op: usize): i32 {
  return sameElements(opInput(op, 0), opOutput(op, 0));
}

export function evalDequantize(op: usize): void {
  const x = opInput(op, 0);
  const xp = tensorData(x);
  const yp = tensorData(opOutput(op, 0));
  const n = <usize>tensorElements(x);
  const wide = tensorDtype(x) == DT_INT16;
  const scale = tensorScale(x);
  const zp = tensorZeroPoint(x);
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(scale);
    const vz = i32x4.splat(zp);
    for (; i + 4 <= n; i += 4) {
      const v = wide ? i32x4.extend_low_i16x8_s(v128.load64_zero(xp + (i << 1))) : i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(xp + i)));
      v128.store(yp + (i << 2), f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(v, vz)), vs));
    }
  }
  for (; i < n; i++) {
    const q = wide ? <i32>load<i16>(xp + (i << 1)) : <i32>load<i8>(xp + i);
    store<f32>(yp + (i << 2), <f32>(q - zp) * scale);
  }
}
