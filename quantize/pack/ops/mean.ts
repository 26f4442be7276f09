// MEAN over H and W at pack time, as TFLite Micro prepares and evaluates it:
// QuantizeMultiplier(in_scale / out_scale), then the division by the element
// count folded into the multiplier (QuantizedMeanOrSum):
//   s = min(floor(log2(count)), 32, 31 + shift)
//   multiplier = (multiplier << s) / count (truncated), shift -= s.
import { quantizeMultiplier } from '../../../src/reference/fixedpoint.js';
import { PackError, type GraphBuilder, type Quant, type TensorId } from '../graph.js';

/** The folded multiplier and shift for a mean over `count` elements. */
export function meanMultiplier(inScale: number, outScale: number, count: number): { multiplier: number; shift: number } {
  const q = quantizeMultiplier(Math.fround(inScale) / Math.fround(outScale));
  let s = Math.min(Math.floor(Math.log2(count)), 32, 31 + q.shift);
  // floor(log2) by integer test (Math.log2 may round up just below a power of two).
  while (s > 0 && 2 ** s > count) s--;
  const multiplier = Number((BigInt(q.multiplier) << BigInt(s)) / BigInt(count));
  return { multiplier, shift: q.shift - s };
}

export interface MeanOptions extends Quant {
  /** Keep the reduced dimensions ([N,1,1,C], default) or drop them ([N,C]). */
  keepDims?: boolean;
  name?: string;
}

export function mean(g: GraphBuilder, x: TensorId, o: MeanOptions): TensorId {
  const t = g.tensor(x);
  if (t.shape.length !== 4) throw new PackError('E_SHAPE', `MEAN: input "${t.name}" must be NHWC, has shape [${t.shape}]`);
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const shape = o.keepDims === false ? [n, c] : [n, 1, 1, c];
  const y = g.activation(o.name ?? `${t.name}_mean`, t.dtype, shape, { scale: o.scale, zeroPoint: o.zeroPoint });
  const { multiplier, shift } = meanMultiplier(t.scale, o.scale, h * w);
  g.addOp('MEAN', [x], [y], { inputOffset: -t.zeroPoint, outputOffset: o.zeroPoint, multiplier, shift }, { label: o.name });
  return y;
}
