// CONCATENATION: the inputs side by side along `axis`. All inputs share the
// output's scale and zero point (checked), so this is a copy of contiguous
// runs: for each index before the axis, each input contributes one run.
import { CONCATENATION_AXIS, E_PARAM, E_SHAPE, T_SCALE, T_ZERO_POINT } from '../generated/format';
import { fail } from '../errors';
import { paramIn, sameDtype } from '../checks';
import { copyBytes } from './copy';
import { dtypeBytes, opInput, opInputCount, opOutput, opParam, tensorData, tensorDim, tensorDtype, tensorRank, tensorRecord } from '../model';

export function checkConcatenation(op: usize): i32 {
  const y = opOutput(op, 0);
  const rank = tensorRank(y);
  let r = paramIn(op, CONCATENATION_AXIS, 0, rank - 1);
  if (r) return r;
  const axis = opParam(op, CONCATENATION_AXIS);
  let sum: i64 = 0;
  const yr = tensorRecord(y);
  for (let k = 0; k < opInputCount(op); k++) {
    const x = opInput(op, k);
    r = sameDtype(x, y);
    if (r) return r;
    if (tensorRank(x) != rank) return fail(E_SHAPE, x, tensorRank(x));
    for (let d = 0; d < rank; d++)
      if (d != axis && tensorDim(x, d) != tensorDim(y, d)) return fail(E_SHAPE, x, tensorDim(x, d));
    sum += <i64>tensorDim(x, axis);
    const xr = tensorRecord(x);
    if (load<f32>(xr + T_SCALE) != load<f32>(yr + T_SCALE) || load<i32>(xr + T_ZERO_POINT) != load<i32>(yr + T_ZERO_POINT))
      return fail(E_PARAM, x, load<i32>(xr + T_ZERO_POINT));
  }
  if (sum != <i64>tensorDim(y, axis)) return fail(E_SHAPE, y, tensorDim(y, axis));
  return 0;
}

export function evalConcatenation(op: usize): void {
  const y = opOutput(op, 0);
  const axis = opParam(op, CONCATENATION_AXIS);
  const rank = tensorRank(y);
  let outer: usize = 1;
  for (let d = 0; d < axis; d++) outer *= <usize>tensorDim(y, d);
  let inner: usize = <usize>dtypeBytes(tensorDtype(y));
  for (let d = axis + 1; d < rank; d++) inner *= <usize>tensorDim(y, d);
  const rowOut = <usize>tensorDim(y, axis) * inner;
  const yp = tensorData(y);
  let at: usize = 0;
  for (let k = 0; k < opInputCount(op); k++) {
    const x = opInput(op, k);
    const xp = tensorData(x);
    const run = <usize>tensorDim(x, axis) * inner;
    for (let o: usize = 0; o < outer; o++) copyBytes(yp + o * rowOut + at, xp + o * run, run);
    at += run;
  }
}
