// Shared by the elementwise binary ops (ADD, MUL): the shape check and
// right-aligned ≤4-D broadcasting, walked as rows of the last dimension.
import { E_SHAPE } from '../generated/format';
import { fail } from '../errors';
import { rankAtMost, sameDtype } from '../checks';
import { dim4, tensorElements } from '../model';

/** Same dtype as the output, rank ≤ 4, and each input dim equal to the output's or 1. */
export function checkBroadcast(a: i32, b: i32, y: i32): i32 {
  let r = sameDtype(a, y);
  if (!r) r = sameDtype(b, y);
  if (!r) r = rankAtMost(a, 4);
  if (!r) r = rankAtMost(b, 4);
  if (!r) r = rankAtMost(y, 4);
  if (r) return r;
  for (let d = 0; d < 4; d++) {
    const o = dim4(y, d);
    if (dim4(a, d) != o && dim4(a, d) != 1) return fail(E_SHAPE, a, dim4(a, d));
    if (dim4(b, d) != o && dim4(b, d) != 1) return fail(E_SHAPE, b, dim4(b, d));
  }
  return 0;
}

// The walk: `rows` rows of `rowLen` output elements; row r reads input 1 from
// element rowOffset1(r) with step rowStep1 (0 or 1), input 2 likewise.
export let rows: i32 = 0;
export let rowLen: i32 = 0;
export let rowStep1: i32 = 0;
export let rowStep2: i32 = 0;
let st1_0: i32 = 0, st1_1: i32 = 0, st1_2: i32 = 0;
let st2_0: i32 = 0, st2_1: i32 = 0, st2_2: i32 = 0;
let d1: i32 = 0, d2: i32 = 0;
let rowsFlat: bool = false;

function stride(t: i32, d: i32, inner: i32): i32 {
  return dim4(t, d) == 1 ? 0 : inner;
}

/** Plans the walk for inputs a, b and output y (after checkBroadcast accepted them). */
export function planBroadcast(a: i32, b: i32, y: i32): void {
  const total = tensorElements(y);
  const na = tensorElements(a);
  const nb = tensorElements(b);
  rowsFlat = true;
  // One row over everything when each input is either complete or a single value.
  if ((na == total || na == 1) && (nb == total || nb == 1)) {
    rows = 1;
    rowLen = total;
    rowStep1 = na == 1 ? 0 : 1;
    rowStep2 = nb == 1 ? 0 : 1;
    return;
  }
  rowsFlat = false;
  rowLen = dim4(y, 3);
  d1 = dim4(y, 1);
  d2 = dim4(y, 2);
  rows = dim4(y, 0) * d1 * d2;
  rowStep1 = stride(a, 3, 1);
  rowStep2 = stride(b, 3, 1);
  const a3 = dim4(a, 3), a2 = dim4(a, 2), a1 = dim4(a, 1);
  const b3 = dim4(b, 3), b2 = dim4(b, 2), b1 = dim4(b, 1);
  st1_2 = stride(a, 2, a3);
  st1_1 = stride(a, 1, a3 * a2);
  st1_0 = stride(a, 0, a3 * a2 * a1);
  st2_2 = stride(b, 2, b3);
  st2_1 = stride(b, 1, b3 * b2);
  st2_0 = stride(b, 0, b3 * b2 * b1);
}

export let rowOffset1: i32 = 0;
export let rowOffset2: i32 = 0;

/** Sets rowOffset1/rowOffset2 (in elements) for row r. */
export function seekRow(r: i32): void {
  if (rowsFlat) {
    rowOffset1 = 0;
    rowOffset2 = 0;
    return;
  }
  const w = r % d2;
  const q = r / d2;
  const h = q % d1;
  const n = q / d1;
  rowOffset1 = n * st1_0 + h * st1_1 + w * st1_2;
  rowOffset2 = n * st2_0 + h * st2_1 + w * st2_2;
}
