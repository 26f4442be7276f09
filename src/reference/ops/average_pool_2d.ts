// AVERAGE_POOL_2D: TFLite's reference_integer_ops::AveragePool (int8): the sum
// of the in-bounds taps divided by their count, rounding half away from zero,
// clamped to [actMin, actMax]. A window with no in-bounds tap (TFLite reports
// an error) gives 0 before the clamp.
import type { RefOp } from '../types.js';
import { forEachPoolWindow } from './pool.js';

export function averagePool2d(op: RefOp): void {
  const xd = op.inputs[0]!.data as Int8Array;
  const yd = op.outputs[0]!.data as Int8Array;
  const [, , inW, channels] = op.inputs[0]!.record.shape as [number, number, number, number];
  const { actMin, actMax } = op.params as Record<string, number>;
  forEachPoolWindow(op, (inBase, fy0, fy1, fx0, fx1, outBase) => {
    const count = Math.max(0, fy1 - fy0) * Math.max(0, fx1 - fx0);
    for (let c = 0; c < channels; c++) {
      let acc = 0;
      for (let fy = fy0; fy < fy1; fy++)
        for (let fx = fx0; fx < fx1; fx++) acc = (acc + xd[inBase + (fy * inW + fx) * channels + c]!) | 0;
      let avg = 0;
      if (count > 0) {
        const half = Math.trunc(count / 2);
        avg = Math.trunc(acc > 0 ? (acc + half) / count : (acc - half) / count);
      }
      yd[outBase + c] = Math.min(Math.max(avg, actMin!), actMax!);
    }
  });
}
