// CONCATENATION at pack time: the inputs must share one scale and zero point
// (the op is a copy); insert a QUANTIZE (requantize) first where they differ.
import { PackError, type GraphBuilder, type TensorId } from '../graph.js';

export function concatenation(g: GraphBuilder, xs: TensorId[], axis: number, name?: string): TensorId {
  if (!xs.length) throw new PackError('E_SHAPE', 'CONCATENATION: no inputs');
  const first = g.tensor(xs[0]!);
  const rank = first.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank) throw new PackError('E_PARAM', `CONCATENATION: axis ${axis} is outside rank ${rank}`);
  const shape = [...first.shape];
  shape[ax] = 0;
  for (const id of xs) {
    const t = g.tensor(id);
    if (t.dtype !== first.dtype || t.shape.length !== rank || t.shape.some((d, k) => k !== ax && d !== first.shape[k]))
      throw new PackError('E_SHAPE', `CONCATENATION: "${t.name}" [${t.shape}] does not match "${first.name}" [${first.shape}] off axis ${ax}`);
    if (Math.fround(t.scale) !== Math.fround(first.scale) || t.zeroPoint !== first.zeroPoint)
      throw new PackError('E_PARAM', `CONCATENATION: "${t.name}" has scale ${t.scale}/zero point ${t.zeroPoint}, "${first.name}" ${first.scale}/${first.zeroPoint}; requantize first`);
    shape[ax] += t.shape[ax]!;
  }
  const y = g.activation(name ?? `${first.name}_concat`, first.dtype, shape, { scale: first.scale, zeroPoint: first.zeroPoint });
  g.addOp('CONCATENATION', xs, [y], { axis: ax }, { label: name });
  return y;
}
