// PAD: constant padding of up to 4 dimensions (shapes read right-aligned): the
// output is filled with padValue, then the input's rows are copied into place
// (a row is the last dimension, or the last two when the last is unpadded).
import {
  DT_INT16, E_SHAPE, PAD_AFTER0, PAD_BEFORE0, PAD_PAD_VALUE,
} from '../generated/format';
import { fail } from '../errors';
import { paramIn, qmax, qmin, rankAtMost, sameDtype } from '../checks';
import { copyBytes, fillPattern } from './copy';
import { dim4, opInput, opOutput, opParam, tensorData, tensorDtype, tensorElements, tensorRank } from '../model';

export function checkPad(op: usize): i32 {
  const x = opInput(op, 0);
  const y = opOutput(op, 0);
  let r = sameDtype(x, y);
  if (!r) r = rankAtMost(x, 4);
  if (r) return r;
  if (tensorRank(x) != tensorRank(y)) return fail(E_SHAPE, y, tensorRank(y));
  for (let d = 0; d < 4; d++) {
    r = paramIn(op, PAD_BEFORE0 + 2 * d, 0, 65535);
    if (!r) r = paramIn(op, PAD_AFTER0 + 2 * d, 0, 65535);
    if (r) return r;
    if (dim4(x, d) + opParam(op, PAD_BEFORE0 + 2 * d) + opParam(op, PAD_AFTER0 + 2 * d) != dim4(y, d))
      return fail(E_SHAPE, y, dim4(y, d));
  }
  const dt = tensorDtype(x);
  return paramIn(op, PAD_PAD_VALUE, qmin(dt), qmax(dt));
}

export function evalPad(op: usize): void {
  const x = opInput(op, 0);
  const y = opOutput(op, 0);
  const wide = tensorDtype(y) == DT_INT16;
  const shift: usize = wide ? 1 : 0;
  const yp = tensorData(y);
  const value = opParam(op, PAD_PAD_VALUE);
  const total = <usize>tensorElements(y);
  // The pad value repeated over 8 bytes (4 int16 or 8 int8 values).
  let pattern = wide ? <u64><u16>value : <u64><u8>value;
  pattern |= pattern << (wide ? 16 : 8);
  if (!wide) pattern |= pattern << 16;
  pattern |= pattern << 32;
  fillPattern(yp, pattern, total << shift);
  const n = dim4(x, 0), h = dim4(x, 1), w = dim4(x, 2), c = dim4(x, 3);
  const yh = <usize>dim4(y, 1), yw = <usize>dim4(y, 2), yc = <usize>dim4(y, 3);
  const b0 = <usize>opParam(op, PAD_BEFORE0), b1 = <usize>opParam(op, PAD_BEFORE0 + 2);
  const b2 = <usize>opParam(op, PAD_BEFORE0 + 4), b3 = <usize>opParam(op, PAD_BEFORE0 + 6);
  // Copy whole (w, c) planes when the last dimension is not padded.
  const merged = <usize>c == yc;
  const run = (merged ? <usize>w * <usize>c : <usize>c) << shift;
  const runs = merged ? 1 : w;
  let xp = tensorData(x);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < h; b++)
      for (let d = 0; d < runs; d++) {
        const o = (((<usize>a + b0) * yh + <usize>b + b1) * yw + <usize>d + b2) * yc + b3;
        copyBytes(yp + (o << shift), xp, run);
        xp += run;
      }
}
