// Float ↔ integer conversion at the model's edges, exactly as the QUANTIZE and
// DEQUANTIZE ops compute it (TFLite's reference: f32 division, round half away
// from zero, saturate; dequantize in double precision, then to f32).
import { DType } from '../format/dtypes.js';

/** One float32 value quantized to the integer type's range. */
export function quantizeValue(x: number, scale: number, zeroPoint: number, dtype: DType): number {
  const q = Math.fround(Math.fround(x) / Math.fround(scale));
  const r = q < 0 ? -Math.floor(-q + 0.5) : Math.floor(q + 0.5);
  const lo = dtype === DType.INT16 ? -32768 : dtype === DType.UINT8 ? 0 : -128;
  const hi = dtype === DType.INT16 ? 32767 : dtype === DType.UINT8 ? 255 : 127;
  const v = r + zeroPoint;
  return v < lo ? lo : v > hi ? hi : v;
}

/** One integer value as a real number: (q - zeroPoint) * scale, rounded to float32. */
export function dequantizeValue(q: number, scale: number, zeroPoint: number): number {
  return Math.fround(Math.fround(scale) * (q - zeroPoint));
}
