// Helpers for the per-op checks each kernel file exports (checkXxx). They mirror
// src/format/checks.ts: a kernel may rely on everything its check accepted.
import { E_DTYPE, E_PARAM, E_SHAPE, DT_INT16, NONE } from './generated/format';
import { fail } from './errors';
import { constBase, opInput, opParam, tensorData, tensorDim, tensorDtype, tensorRank, lastDim, tensorElements } from './model';

@inline export function qmin(dt: u8): i32 {
  return dt == DT_INT16 ? -32768 : -128;
}
@inline export function qmax(dt: u8): i32 {
  return dt == DT_INT16 ? 32767 : 127;
}

/** 0 when parameter k of op lies in [lo, hi], else E_PARAM. */
export function paramIn(op: usize, k: i32, lo: i32, hi: i32): i32 {
  const x = opParam(op, k);
  return x < lo || x > hi ? fail(E_PARAM, -1, x) : 0;
}

export function rankIs(t: i32, r: i32): i32 {
  return tensorRank(t) != r ? fail(E_SHAPE, t, tensorRank(t)) : 0;
}

export function rankAtMost(t: i32, r: i32): i32 {
  return tensorRank(t) > r ? fail(E_SHAPE, t, tensorRank(t)) : 0;
}

export function sameDtype(a: i32, b: i32): i32 {
  return tensorDtype(a) != tensorDtype(b) ? fail(E_DTYPE, b, tensorDtype(b)) : 0;
}

export function dimIs(t: i32, k: i32, want: i32): i32 {
  return tensorDim(t, k) != want ? fail(E_SHAPE, t, tensorDim(t, k)) : 0;
}

export function sameElements(a: i32, b: i32): i32 {
  return tensorElements(a) != tensorElements(b) ? fail(E_SHAPE, b, tensorElements(b)) : 0;
}

/** A 1-D tensor of exactly `count` entries (bias, prepared multipliers). */
export function vectorOf(t: i32, count: i32): i32 {
  if (t == NONE) return 0;
  if (tensorRank(t) != 1) return fail(E_SHAPE, t, tensorRank(t));
  return tensorDim(t, 0) != count ? fail(E_SHAPE, t, tensorDim(t, 0)) : 0;
}

/** Prepared per-channel multipliers in [0, 2^31) and shifts in [-31, maxShift]. */
export function preparedChannels(op: usize, mIn: i32, sIn: i32, count: i32, maxShift: i32 = 30): i32 {
  const m = opInput(op, mIn);
  const s = opInput(op, sIn);
  let r = vectorOf(m, count);
  if (r) return r;
  r = vectorOf(s, count);
  if (r) return r;
  const mp = tensorData(m);
  const sp = tensorData(s);
  for (let k = 0; k < count; k++) {
    const mv = load<i32>(mp + (<usize>k << 2));
    if (mv < 0) return fail(E_PARAM, m, mv);
    const sv = load<i32>(sp + (<usize>k << 2));
    if (sv < -31 || sv > maxShift) return fail(E_PARAM, s, sv);
  }
  return 0;
}

/** A scalar multiplier/shift pair held in parameters. */
export function multiplierParams(op: usize, m: i32, s: i32): i32 {
  let r = paramIn(op, m, 0, i32.MAX_VALUE);
  if (r) return r;
  return paramIn(op, s, -31, 30);
}

/** actMin/actMax within the output type's range and ordered. */
export function clampParams(op: usize, minK: i32, maxK: i32, dt: u8): i32 {
  let r = paramIn(op, minK, qmin(dt), qmax(dt));
  if (r) return r;
  return paramIn(op, maxK, opParam(op, minK), qmax(dt));
}

/** Offsets as src/format/checks.ts allows: int8 in [-127,128] (input) / [-128,127] (output), int16 exactly 0. */
export function inputOffsetParam(op: usize, k: i32, dt: u8): i32 {
  return dt == DT_INT16 ? paramIn(op, k, 0, 0) : paramIn(op, k, -127, 128);
}
export function outputOffsetParam(op: usize, k: i32, dt: u8): i32 {
  return dt == DT_INT16 ? paramIn(op, k, 0, 0) : paramIn(op, k, -128, 127);
}

// Re-exported so op files import their helpers from one place.
export { lastDim, constBase };
