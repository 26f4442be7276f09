// QUANTIZE at pack time: float32 → int8/int16 needs only the output's scale and
// zero point (parameters unused, 0); int → int requantization gets TFLite's
// QuantizeMultiplier(in_scale / out_scale) and the offsets.
import { DType } from '../../../src/format/dtypes.js';
import { quantizeMultiplier } from '../../../src/reference/fixedpoint.js';
import { PackError, type GraphBuilder, type Quant, type TensorId } from '../graph.js';

export function quantize(g: GraphBuilder, x: TensorId, dtype: DType, o: Quant & { name?: string }): TensorId {
  const t = g.tensor(x);
  if (dtype !== DType.INT8 && dtype !== DType.INT16) throw new PackError('E_DTYPE', 'QUANTIZE: the output must be int8 or int16');
  if (!(o.scale > 0)) throw new PackError('E_PARAM', `QUANTIZE: output scale ${o.scale} must be positive`);
  const y = g.activation(o.name ?? `${t.name}_q`, dtype, t.shape, { scale: o.scale, zeroPoint: o.zeroPoint });
  let params = { inputOffset: 0, outputOffset: 0, multiplier: 0, shift: 0 };
  if (t.dtype !== DType.FLOAT32) {
    const q = quantizeMultiplier(Math.fround(t.scale) / Math.fround(o.scale));
    params = { inputOffset: -t.zeroPoint, outputOffset: o.zeroPoint, multiplier: q.multiplier, shift: q.shift };
  }
  g.addOp('QUANTIZE', [x], [y], params, { label: o.name });
  return y;
}
