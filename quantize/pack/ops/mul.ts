// MUL at pack time, as TFLite prepares its quantized mul: one multiplier
// s1 * s2 / s_out; output shape the broadcast of the inputs' shapes.
import { quantizeMultiplier } from '../../../src/reference/fixedpoint.js';
import { PackError, type GraphBuilder, type TensorId } from '../graph.js';
import { broadcastShape, type ElementwiseOptions } from './add.js';
import { activationRange } from './fused_activation.js';

export function mul(g: GraphBuilder, a: TensorId, b: TensorId, o: ElementwiseOptions): TensorId {
  const ta = g.tensor(a);
  const tb = g.tensor(b);
  if (ta.dtype !== tb.dtype) throw new PackError('E_DTYPE', `MUL: "${ta.name}" and "${tb.name}" differ in type`);
  const shape = broadcastShape('MUL', ta.shape, tb.shape);
  const y = g.activation(o.name ?? `${ta.name}_mul`, ta.dtype, shape, { scale: o.scale, zeroPoint: o.zeroPoint });
  const q = quantizeMultiplier((Math.fround(ta.scale) * Math.fround(tb.scale)) / Math.fround(o.scale));
  const { actMin, actMax } = activationRange(o.activation, o.scale, o.zeroPoint, ta.dtype);
  g.addOp('MUL', [a, b], [y], {
    inputOffset1: -ta.zeroPoint, inputOffset2: -tb.zeroPoint, outputOffset: o.zeroPoint,
    outputMultiplier: q.multiplier, outputShift: q.shift, actMin, actMax,
  }, { label: o.name });
  return y;
}
