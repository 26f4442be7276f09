// Shared by the pooling kernels: the check (mirrors src/format/checks.ts) and
// the window of one output position cut to the input, as TFLite's reference
// pooling computes it (window origin out*stride - pad).
import { DT_INT8, E_SHAPE } from '../generated/format';
import { fail } from '../errors';
import { clampParams, paramIn, rankIs, sameDtype } from '../checks';
import { opInput, opOutput, tensorDim, tensorDtype } from '../model';

/** Filter/stride/pad/clamp parameters sit at first..first+5 and actMin, actMin+1. */
export function checkPool(op: usize, first: i32, actMin: i32): i32 {
  const x = opInput(op, 0);
  const y = opOutput(op, 0);
  let r = rankIs(x, 4);
  if (!r) r = rankIs(y, 4);
  if (!r) r = sameDtype(x, y);
  if (r) return r;
  if (tensorDim(x, 0) != tensorDim(y, 0)) return fail(E_SHAPE, y, tensorDim(y, 0));
  if (tensorDim(x, 3) != tensorDim(y, 3)) return fail(E_SHAPE, y, tensorDim(y, 3));
  for (let k = 0; k < 4; k++) {
    r = paramIn(op, first + k, 1, 65535);
    if (r) return r;
  }
  for (let k = 4; k < 6; k++) {
    r = paramIn(op, first + k, 0, 65535);
    if (r) return r;
  }
  return clampParams(op, actMin, actMin + 1, tensorDtype(y));
}

/** Address of the window's first in-bounds tap, and its size in rows and columns (≥ 0). */
export let wInBase: usize = 0;
export let wRows: i32 = 0;
export let wCols: i32 = 0;

@inline export function poolWindow(
  xp: usize, n: i32, oy: i32, ox: i32, inH: i32, inW: i32, ch: i32,
  fh: i32, fw: i32, sh: i32, sw: i32, pt: i32, pl: i32,
): void {
  const iy0 = <i64>oy * <i64>sh - <i64>pt;
  const ix0 = <i64>ox * <i64>sw - <i64>pl;
  const fy0 = iy0 < 0 ? -iy0 : 0;
  const fx0 = ix0 < 0 ? -ix0 : 0;
  const fy1 = min<i64>(<i64>fh, <i64>inH - iy0);
  const fx1 = min<i64>(<i64>fw, <i64>inW - ix0);
  wRows = fy1 > fy0 ? <i32>(fy1 - fy0) : 0;
  wCols = fx1 > fx0 ? <i32>(fx1 - fx0) : 0;
  if (wRows == 0 || wCols == 0) {
    wRows = 0;
    wCols = 0;
    return;
  }
  const y0 = <usize>(iy0 + fy0);
  const x0 = <usize>(ix0 + fx0);
  wInBase = xp + ((<usize>n * <usize>inH + y0) * <usize>inW + x0) * <usize>ch;
}
