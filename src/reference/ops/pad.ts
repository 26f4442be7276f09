// PAD: the input placed at offset (before0..before3) in an output filled with
// padValue; shapes of rank ≤ 4 are read right-aligned.
import { as4d } from '../../format/checks.js';
import type { RefOp } from '../types.js';

export function pad(op: RefOp): void {
  const x = op.inputs[0]!;
  const y = op.outputs[0]!;
  const xd = x.data as Int8Array | Int16Array;
  const yd = y.data as Int8Array | Int16Array;
  const p = op.params as Record<string, number>;
  const [n, h, w, c] = as4d(x.record.shape);
  const [, yh, yw, yc] = as4d(y.record.shape);
  const [b0, b1, b2, b3] = [p.before0!, p.before1!, p.before2!, p.before3!];
  yd.fill(p.padValue!);
  let i = 0;
  for (let a = 0; a < n; a++)
    for (let b = 0; b < h; b++)
      for (let d = 0; d < w; d++) {
        const o = (((a + b0) * yh + b + b1) * yw + d + b2) * yc + b3;
        yd.set(xd.subarray(i, i + c), o);
        i += c;
      }
}
