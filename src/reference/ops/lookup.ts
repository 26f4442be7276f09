// LOOKUP: an elementwise function as a table computed at pack time.
// int8: table[x + 128] (256 entries).
// int16: TFLite's lut_lookup (lut_lookup_with_interpolation<int16_t>): entry
// 256 + (x >> 7) and the next one, interpolated by the low 7 bits with
// rounding; the slope and the result are int16 casts (they wrap).
import type { RefOp } from '../types.js';

export function lut16(x: number, t: Int16Array): number {
  const index = 256 + (x >> 7);
  const base = t[index]!;
  const slope = ((t[index + 1]! - base) << 16) >> 16;
  const delta = (slope * (x & 0x7f) + 64) >> 7;
  return ((base + delta) << 16) >> 16;
}

export function lookup(op: RefOp): void {
  const [x, table] = op.inputs;
  const y = op.outputs[0]!;
  if (x!.data instanceof Int8Array) {
    const xd = x!.data;
    const t = table!.data as Int8Array;
    const yd = y.data as Int8Array;
    for (let i = 0; i < xd.length; i++) yd[i] = t[xd[i]! + 128]!;
  } else {
    const xd = x!.data as Int16Array;
    const t = table!.data as Int16Array;
    const yd = y.data as Int16Array;
    for (let i = 0; i < xd.length; i++) yd[i] = lut16(xd[i]!, t);
  }
}
