// ADD at pack time, as TFLite prepares its quantized add: both inputs rescaled
// to twice the larger input scale (multipliers below one), a left shift of 20
// (int8) or 15 (int16, zero points 0) for headroom, and the output multiplier
// 2*max(s1, s2) / (2^leftShift * s_out). Output shape: the broadcast of the
// inputs' shapes (≤ 4-D, right-aligned).
import { DType } from '../../../src/format/dtypes.js';
import { quantizeMultiplier } from '../../../src/reference/fixedpoint.js';
import { PackError, type GraphBuilder, type Quant, type TensorId } from '../graph.js';
import { activationRange, type FusedActivation } from './fused_activation.js';

export interface ElementwiseOptions extends Quant {
  activation?: FusedActivation;
  name?: string;
}

/** Right-aligned broadcast of two shapes of rank ≤ 4. */
export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  if (a.length > 4 || b.length > 4) throw new PackError('E_SHAPE', `${op}: inputs [${a}] and [${b}] have rank above 4`);
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    const da = a[a.length - rank + k] ?? 1;
    const db = b[b.length - rank + k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new PackError('E_SHAPE', `${op}: inputs [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

export function add(g: GraphBuilder, a: TensorId, b: TensorId, o: ElementwiseOptions): TensorId {
  const ta = g.tensor(a);
  const tb = g.tensor(b);
  if (ta.dtype !== tb.dtype) throw new PackError('E_DTYPE', `ADD: "${ta.name}" and "${tb.name}" differ in type`);
  const wide = ta.dtype === DType.INT16;
  if (wide && (ta.zeroPoint !== 0 || tb.zeroPoint !== 0 || o.zeroPoint !== 0))
    throw new PackError('E_PARAM', 'ADD: int16 inputs and output need zero point 0');
  const shape = broadcastShape('ADD', ta.shape, tb.shape);
  const y = g.activation(o.name ?? `${ta.name}_add`, ta.dtype, shape, { scale: o.scale, zeroPoint: o.zeroPoint });
  const s1 = Math.fround(ta.scale);
  const s2 = Math.fround(tb.scale);
  const so = Math.fround(o.scale);
  const leftShift = wide ? 15 : 20;
  const twiceMax = 2 * Math.max(s1, s2);
  const q1 = quantizeMultiplier(s1 / twiceMax);
  const q2 = quantizeMultiplier(s2 / twiceMax);
  const qo = quantizeMultiplier(twiceMax / (2 ** leftShift * so));
  const { actMin, actMax } = activationRange(o.activation, o.scale, o.zeroPoint, ta.dtype);
  g.addOp('ADD', [a, b], [y], {
    inputOffset1: -ta.zeroPoint, inputOffset2: -tb.zeroPoint, outputOffset: o.zeroPoint, leftShift,
    multiplier1: q1.multiplier, shift1: q1.shift, multiplier2: q2.multiplier, shift2: q2.shift,
    outputMultiplier: qo.multiplier, outputShift: qo.shift, actMin, actMax,
  }, { label: o.name });
  return y;
}
