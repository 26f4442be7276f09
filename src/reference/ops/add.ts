// ADD: TFLite's quantized add (reference_integer_ops::Add for int8, the general
// int16 path with zero points 0) with ≤4-D right-aligned broadcasting: both
// inputs are offset, shifted left by leftShift (20 for int8, 15 for int16),
// scaled to a common scale by their multipliers, summed, requantized by the
// output multiplier, offset and clamped. Arithmetic wraps as int32.
import type { RefOp } from '../types.js';
import { forEachBroadcast } from './broadcast.js';
import { mbqm } from './gemmlowp.js';

export function add(op: RefOp): void {
  const [a, b] = op.inputs;
  const y = op.outputs[0]!;
  const ad = a!.data as Int8Array | Int16Array;
  const bd = b!.data as Int8Array | Int16Array;
  const yd = y.data as Int8Array | Int16Array;
  const p = op.params as Record<string, number>;
  const { inputOffset1, inputOffset2, outputOffset, leftShift, multiplier1, shift1, multiplier2, shift2, outputMultiplier, outputShift, actMin, actMax } = p;
  forEachBroadcast(a!.record.shape, b!.record.shape, y.record.shape, (i1, i2, o) => {
    const x1 = (ad[i1]! + inputOffset1!) << leftShift!;
    const x2 = (bd[i2]! + inputOffset2!) << leftShift!;
    const sum = (mbqm(x1, multiplier1!, shift1!) + mbqm(x2, multiplier2!, shift2!)) | 0;
    const r = (mbqm(sum, outputMultiplier!, outputShift!) + outputOffset!) | 0;
    yd[o] = r < actMin! ? actMin! : r > actMax! ? actMax! : r;
  });
}
