// QUANTIZE.
// float32 → int8/int16: TFLite's AffineQuantize: round half away from zero of
//   x / scale (a float32 division) plus the zero point, saturated. NaN gives
//   the zero point; magnitudes beyond 2^24 saturate (TFLite leaves both undefined).
// int8/int16 → int8/int16: TFLite's Requantize: MultiplyByQuantizedMultiplier
//   of (x + inputOffset), plus outputOffset, saturated.
import { DType } from '../../format/dtypes.js';
import { qmax, qmin } from '../../format/checks.js';
import type { RefOp } from '../types.js';
import { mbqm } from './gemmlowp.js';

/** float32 → quantized value before saturation, exactly as the wasm kernels compute it. */
export function quantizeF32(x: number, scale: number, zeroPoint: number): number {
  let q = Math.fround(x / scale);
  if (q !== q) return zeroPoint;
  q = q > 16777216 ? 16777216 : q < -16777216 ? -16777216 : q;
  const t = Math.trunc(q);
  return t + (Math.abs(q - t) >= 0.5 ? Math.sign(q) : 0) + zeroPoint;
}

export function quantize(op: RefOp): void {
  const x = op.inputs[0]!;
  const y = op.outputs[0]!;
  const yd = y.data as Int8Array | Int16Array;
  const lo = qmin(y.record.dtype);
  const hi = qmax(y.record.dtype);
  if (x.record.dtype === DType.FLOAT32) {
    const xd = x.data as Float32Array;
    const scale = Math.fround(y.record.scale);
    for (let i = 0; i < xd.length; i++) yd[i] = Math.min(Math.max(quantizeF32(xd[i]!, scale, y.record.zeroPoint), lo), hi);
  } else {
    const xd = x.data as Int8Array | Int16Array;
    const { inputOffset, outputOffset, multiplier, shift } = op.params as Record<string, number>;
    for (let i = 0; i < xd.length; i++) {
      const r = (mbqm(xd[i]! + inputOffset!, multiplier!, shift!) + outputOffset!) | 0;
      yd[i] = Math.min(Math.max(r, lo), hi);
    }
  }
}
