// MUL: TFLite's reference_integer_ops::Mul / BroadcastMul4DSlow (int8): the
// product of the offset inputs, requantized by the output multiplier, offset
// and clamped, with ≤4-D right-aligned broadcasting.
import type { RefOp } from '../types.js';
import { forEachBroadcast } from './broadcast.js';
import { mbqm } from './gemmlowp.js';

export function mul(op: RefOp): void {
  const [a, b] = op.inputs;
  const y = op.outputs[0]!;
  const ad = a!.data as Int8Array;
  const bd = b!.data as Int8Array;
  const yd = y.data as Int8Array;
  const p = op.params as Record<string, number>;
  const { inputOffset1, inputOffset2, outputOffset, outputMultiplier, outputShift, actMin, actMax } = p;
  forEachBroadcast(a!.record.shape, b!.record.shape, y.record.shape, (i1, i2, o) => {
    const prod = (ad[i1]! + inputOffset1!) * (bd[i2]! + inputOffset2!);
    const r = (mbqm(prod, outputMultiplier!, outputShift!) + outputOffset!) | 0;
    yd[o] = r < actMin! ? actMin! : r > actMax! ? actMax! : r;
  });
}
