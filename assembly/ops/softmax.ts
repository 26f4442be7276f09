// SOFTMAX (int8 → int8, output scale 1/256, zero point -128): TFLite's
// fixed-point reference_ops::Softmax over the last axis. See the reference
// (src/reference/ops/softmax.ts) for the arithmetic.
import {
  E_PARAM, E_SHAPE, SOFTMAX_DIFF_MIN, SOFTMAX_INPUT_BETA_LEFT_SHIFT, SOFTMAX_INPUT_BETA_MULTIPLIER, T_SCALE,
} from '../generated/format';
import { fail } from '../errors';
import { lastDim, paramIn } from '../checks';
import { roundingDivideByPOT, srdhm } from '../fixedpoint';
import { opInput, opOutput, opParam, tensorData, tensorElements, tensorRecord, tensorZeroPoint } from '../model';
import { expQ5, oneOverOnePlusX } from './gemmlowp';

export function checkSoftmax(op: usize): i32 {
  const x = opInput(op, 0);
  const y = opOutput(op, 0);
  if (tensorElements(x) != tensorElements(y)) return fail(E_SHAPE, y, tensorElements(y));
  if (lastDim(x) != lastDim(y)) return fail(E_SHAPE, y, lastDim(y));
  if (tensorZeroPoint(y) != -128) return fail(E_PARAM, y, tensorZeroPoint(y));
  if (load<f32>(tensorRecord(y) + T_SCALE) != <f32>(1.0 / 256.0)) return fail(E_PARAM, y);
  let r = paramIn(op, SOFTMAX_INPUT_BETA_MULTIPLIER, 0, i32.MAX_VALUE);
  if (!r) r = paramIn(op, SOFTMAX_INPUT_BETA_LEFT_SHIFT, 0, 31);
  if (!r) r = paramIn(op, SOFTMAX_DIFF_MIN, -i32.MAX_VALUE, 0);
  return r;
}

// exp of every possible difference to the row maximum (0 down to -255), for
// softmaxes large enough that computing 256 exps up front is cheaper.
const EXP_TABLE: usize = memory.data(256 * 4);

export function evalSoftmax(op: usize): void {
  const x = opInput(op, 0);
  let xp = tensorData(x);
  let yp = tensorData(opOutput(op, 0));
  const depth = lastDim(x);
  const rows = tensorElements(x) / depth;
  const m = opParam(op, SOFTMAX_INPUT_BETA_MULTIPLIER);
  const ls = opParam(op, SOFTMAX_INPUT_BETA_LEFT_SHIFT);
  const diffMin = opParam(op, SOFTMAX_DIFF_MIN);
  const tabled = rows * depth >= 512;
  if (tabled) {
    for (let d = 0; d < 256; d++) {
      const diff = -d;
      if (diff >= diffMin) store<i32>(EXP_TABLE + (<usize>d << 2), expQ5(srdhm(diff << ls, m)));
    }
  }
  for (let r = 0; r < rows; r++) {
    let mx: i32 = -128;
    for (let c = 0; c < depth; c++) mx = max(mx, <i32>load<i8>(xp + <usize>c));
    let sum: i32 = 0;
    for (let c = 0; c < depth; c++) {
      const diff = <i32>load<i8>(xp + <usize>c) - mx;
      if (diff >= diffMin) {
        const e = tabled ? load<i32>(EXP_TABLE + (<usize>-diff << 2)) : expQ5(srdhm(diff << ls, m));
        sum += roundingDivideByPOT(e, 12);
      }
    }
    // GetReciprocal: sum in Q12.19 → a Q0.31 scale and the bits above one.
    const headroom = <i32>clz(sum);
    const scale = oneOverOnePlusX((sum << headroom) - i32.MIN_VALUE);
    const exponent = (12 - headroom) + 31 - 8;
    for (let c = 0; c < depth; c++) {
      const diff = <i32>load<i8>(xp + <usize>c) - mx;
      let out: i32 = -128;
      if (diff >= diffMin) {
        const e = tabled ? load<i32>(EXP_TABLE + (<usize>-diff << 2)) : expQ5(srdhm(diff << ls, m));
        out = roundingDivideByPOT(srdhm(scale, e), exponent) - 128;
        out = out > 127 ? 127 : out < -128 ? -128 : out;
      }
      store<i8>(yp + <usize>c, <i8>out);
    }
    xp += <usize>depth;
    yp += <usize>depth;
  }
}
