// DEQUANTIZE: (q - zero point) * scale, rounded once to float32 (TFLite computes
// it in double from the float scale and casts; the product is exact in double,
// so this is the same single rounding).
import type { RefOp } from '../types.js';

export function dequantize(op: RefOp): void {
  const x = op.inputs[0]!;
  const xd = x.data as Int8Array | Int16Array;
  const yd = op.outputs[0]!.data as Float32Array;
  const scale = Math.fround(x.record.scale);
  const zp = x.record.zeroPoint;
  for (let i = 0; i < xd.length; i++) yd[i] = (xd[i]! - zp) * scale;
}
