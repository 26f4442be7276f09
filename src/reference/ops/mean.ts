// MEAN over H and W of an NHWC int8 tensor, as TFLite Micro's reference runs it
// (reference_ops::QuantizedMeanOrSum): the int32 sum of (x + inputOffset) over
// the H*W positions, MultiplyByQuantizedMultiplier with `multiplier`/`shift`,
// plus outputOffset, saturated to int8.
//
// TFLite Micro folds the division by the element count into the multiplier
// (multiplier << s / count, shift - s with s = min(floor(log2(count)), 32,
// 31 + shift)); the packer does that fold (quantize/pack/ops/mean.ts), so the
// stored multiplier/shift already include 1/(H*W).
import type { RefOp } from '../types.js';
import { mbqm } from './gemmlowp.js';

export function mean(op: RefOp): void {
  const x = op.inputs[0]!;
  const xd = x.data as Int8Array;
  const yd = op.outputs[0]!.data as Int8Array;
  const [batches, h, w, channels] = x.record.shape as [number, number, number, number];
  const { inputOffset, outputOffset, multiplier, shift } = op.params as Record<string, number>;
  const hw = h * w;
  for (let n = 0; n < batches; n++)
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let k = 0; k < hw; k++) sum = (sum + xd[(n * hw + k) * channels + c]! + inputOffset!) | 0;
      const r = (mbqm(sum, multiplier!, shift!) + outputOffset!) | 0;
      yd[n * channels + c] = Math.min(Math.max(r, -128), 127);
    }
}
