// CONCATENATION: the inputs' bytes, side by side along `axis` (all inputs share
// the output's scale and zero point, so this is a copy).
import type { RefOp } from '../types.js';

export function concatenation(op: RefOp): void {
  const y = op.outputs[0]!;
  const axis = op.params.axis!;
  const outer = y.record.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = y.record.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const yd = y.data as Int8Array | Int16Array;
  const rowOut = y.record.shape[axis]! * inner;
  let at = 0;
  for (const x of op.inputs) {
    const xd = x!.data as Int8Array | Int16Array;
    const row = x!.record.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) yd.set(xd.subarray(o * row, (o + 1) * row), o * rowOut + at);
    at += row;
  }
}
