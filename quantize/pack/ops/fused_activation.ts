// Pack-time helpers shared by the ops in this folder: a fused activation as a
// clamp in the output's quantized domain (TFLite's
// CalculateActivationRangeQuantized), output sizes for 'same'/'valid'/explicit
// padding (TFLite's ComputePaddingHeightWidth), and float32 rounding helpers.
import { DType } from '../../../src/format/dtypes.js';
import { qmax, qmin } from '../../../src/format/checks.js';
import { PackError } from '../graph.js';

export type FusedActivation = 'none' | 'relu' | 'relu6' | 'relu_n1_to_1';

/** TfLiteRound on a float32: half away from zero. */
export function roundF32(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** actMin/actMax for a fused activation with the output's scale and zero point. */
export function activationRange(act: FusedActivation | undefined, scale: number, zeroPoint: number, dtype: DType): { actMin: number; actMax: number } {
  const s = Math.fround(scale);
  const q = (f: number) => zeroPoint + roundF32(Math.fround(f / s));
  let lo = qmin(dtype);
  let hi = qmax(dtype);
  switch (act ?? 'none') {
    case 'none':
      break;
    case 'relu':
      lo = Math.max(lo, q(0));
      break;
    case 'relu6':
      lo = Math.max(lo, q(0));
      hi = Math.min(hi, q(6));
      break;
    case 'relu_n1_to_1':
      lo = Math.max(lo, q(-1));
      hi = Math.min(hi, q(1));
      break;
    default:
      throw new PackError('E_PARAM', `unknown fused activation "${act as string}"`);
  }
  if (lo > hi) throw new PackError('E_PARAM', `fused activation ${act} leaves an empty output range [${lo}, ${hi}]`);
  return { actMin: lo, actMax: hi };
}

export type Padding = 'same' | 'valid' | { top: number; bottom: number; left: number; right: number };

/** One spatial dimension: output size and the padding before it (TFLite's rules). */
export function outputSize(inSize: number, filter: number, stride: number, padding: Padding, before: number, after: number): { out: number; pad: number } {
  if (padding === 'same') {
    const out = Math.floor((inSize + stride - 1) / stride);
    return { out, pad: Math.max(0, Math.floor(((out - 1) * stride + filter - inSize) / 2)) };
  }
  if (padding === 'valid') return { out: Math.floor((inSize - filter + stride) / stride), pad: 0 };
  return { out: Math.floor((inSize + before + after - filter) / stride) + 1, pad: before };
}
