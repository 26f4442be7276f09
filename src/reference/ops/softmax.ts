// SOFTMAX: TFLite's fixed-point softmax (reference_ops::Softmax, int8 in, int8
// out with scale 1/256 and zero point -128) over the last axis. Differences to
// the row maximum at or above diffMin are rescaled by inputBetaMultiplier <<
// inputBetaLeftShift into Q5.26, exponentiated with gemmlowp's
// exp_on_negative_values, summed in Q12.19, and divided through GetReciprocal
// (gemmlowp's 1/(1+x)); the rest give -128.
import type { RefOp } from '../types.js';
import { expOnNegativeValues, getReciprocal, rdbpot, srdhm } from './gemmlowp.js';

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

export function softmax(op: RefOp): void {
  const x = op.inputs[0]!;
  const xd = x.data as Int8Array;
  const yd = op.outputs[0]!.data as Int8Array;
  const shape = x.record.shape;
  const depth = shape.length ? shape[shape.length - 1]! : 1;
  const rows = depth ? xd.length / depth : 0;
  const { inputBetaMultiplier, inputBetaLeftShift, diffMin } = op.params as Record<string, number>;
  const expOf = (diff: number) =>
    expOnNegativeValues(srdhm(diff << inputBetaLeftShift!, inputBetaMultiplier!), SCALED_DIFF_INTEGER_BITS);
  for (let r = 0; r < rows; r++) {
    const base = r * depth;
    let max = -128;
    for (let c = 0; c < depth; c++) max = Math.max(max, xd[base + c]!);
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const diff = xd[base + c]! - max;
      if (diff >= diffMin!) sum = (sum + rdbpot(expOf(diff), ACCUMULATION_INTEGER_BITS)) | 0;
    }
    const { scale, bitsOverUnit } = getReciprocal(sum, ACCUMULATION_INTEGER_BITS);
    const exponent = bitsOverUnit + 31 - 8;
    for (let c = 0; c < depth; c++) {
      const diff = xd[base + c]! - max;
      if (diff >= diffMin!) {
        const out = (rdbpot(srdhm(scale, expOf(diff)), exponent) - 128) | 0;
        yd[base + c] = Math.min(Math.max(out, -128), 127);
      } else {
        yd[base + c] = -128;
      }
    }
  }
}
