// PAD at pack time: [before, after] per dimension (rank ≤ 4), filled with the
// quantized padValue (default: the zero point, i.e. real 0, as TFLite pads).
import { qmax, qmin } from '../../../src/format/checks.js';
import { PackError, type GraphBuilder, type TensorId } from '../graph.js';

export function pad(g: GraphBuilder, x: TensorId, paddings: [number, number][], o: { padValue?: number; name?: string } = {}): TensorId {
  const t = g.tensor(x);
  const rank = t.shape.length;
  if (rank > 4 || paddings.length !== rank) throw new PackError('E_SHAPE', `PAD: need one [before, after] per dimension of [${t.shape}] (rank ≤ 4)`);
  const value = o.padValue ?? t.zeroPoint;
  if (!Number.isInteger(value) || value < qmin(t.dtype) || value > qmax(t.dtype)) throw new PackError('E_PARAM', `PAD: pad value ${value} is outside the type's range`);
  const shape = t.shape.map((d, k) => d + paddings[k]![0] + paddings[k]![1]);
  const y = g.activation(o.name ?? `${t.name}_pad`, t.dtype, shape, { scale: t.scale, zeroPoint: t.zeroPoint });
  const p4 = [...Array(4 - rank).fill([0, 0]), ...paddings] as [number, number][];
  const params: Record<string, number> = { padValue: value };
  p4.forEach(([b, a], d) => {
    if (b < 0 || a < 0) throw new PackError('E_PARAM', `PAD: negative padding [${b}, ${a}]`);
    params[`before${d}`] = b;
    params[`after${d}`] = a;
  });
  g.addOp('PAD', [x], [y], params, { label: o.name });
  return y;
}
