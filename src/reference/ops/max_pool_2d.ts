// MAX_POOL_2D: TFLite's reference_integer_ops::MaxPool (int8): the maximum of
// the in-bounds taps (starting from -128), clamped to [actMin, actMax].
import type { RefOp } from '../types.js';
import { forEachPoolWindow } from './pool.js';

export function maxPool2d(op: RefOp): void {
  const xd = op.inputs[0]!.data as Int8Array;
  const yd = op.outputs[0]!.data as Int8Array;
  const [, , inW, channels] = op.inputs[0]!.record.shape as [number, number, number, number];
  const { actMin, actMax } = op.params as Record<string, number>;
  forEachPoolWindow(op, (inBase, fy0, fy1, fx0, fx1, outBase) => {
    for (let c = 0; c < channels; c++) {
      let m = -128;
      for (let fy = fy0; fy < fy1; fy++)
        for (let fx = fx0; fx < fx1; fx++) m = Math.max(m, xd[inBase + (fy * inW + fx) * channels + c]!);
      yd[outBase + c] = Math.min(Math.max(m, actMin!), actMax!);
    }
  });
}
