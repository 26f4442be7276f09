// SOFTMAX at pack time, as TFLite (Micro) prepares int8 softmax:
// PreprocessSoftmaxScaling(beta, input_scale, 5) gives the Q5.26 input beta
// multiplier and left shift, and diffMin = -CalculateInputRadius(5, shift, 31).
// The output is int8 with scale 1/256 and zero point -128.
import { DType } from '../../../src/format/dtypes.js';
import { quantizeMultiplier } from '../../../src/reference/fixedpoint.js';
import { PackError, type GraphBuilder, type TensorId } from '../graph.js';

const SCALED_DIFF_INTEGER_BITS = 5;

export function softmaxParams(beta: number, inputScale: number): { inputBetaMultiplier: number; inputBetaLeftShift: number; diffMin: number } {
  const real = Math.min(Math.fround(beta) * Math.fround(inputScale) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), 2 ** 31 - 1);
  const q = quantizeMultiplier(real);
  if (q.shift < 0) throw new PackError('E_PARAM', `SOFTMAX: beta × input scale ${real / 2 ** 26} is too small`);
  const radius = Math.floor(((2 ** SCALED_DIFF_INTEGER_BITS - 1) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS)) / 2 ** q.shift);
  return { inputBetaMultiplier: q.multiplier, inputBetaLeftShift: q.shift, diffMin: -radius };
}

export function softmax(g: GraphBuilder, x: TensorId, o: { beta?: number; name?: string } = {}): TensorId {
  const t = g.tensor(x);
  if (t.dtype !== DType.INT8) throw new PackError('E_DTYPE', `SOFTMAX: input "${t.name}" must be int8`);
  const y = g.activation(o.name ?? `${t.name}_softmax`, DType.INT8, t.shape, { scale: 1 / 256, zeroPoint: -128 });
  g.addOp('SOFTMAX', [x], [y], softmaxParams(o.beta ?? 1, t.scale), { label: o.name });
  return y;
}
