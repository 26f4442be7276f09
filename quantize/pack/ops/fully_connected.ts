// FULLY_CONNECTED at pack time (TFLite's fully connected Prepare): int8 with
// int32 bias, or 16x8 (int16 activations with zero points 0, int64 bias);
// per-channel (or repeated per-tensor) multipliers and shifts.
import { DType } from '../../../src/format/dtypes.js';
import { PackError, type GraphBuilder, type TensorId } from '../graph.js';
import { activationRange, type FusedActivation } from './fused_activation.js';
import { channelMultipliers, type QuantizedFilter } from './conv_2d.js';

export interface FullyConnectedOptions {
  activation?: FusedActivation;
  output: { scale: number; zeroPoint: number };
  /** Output shape; default: the input's leading dimensions with the last replaced by OC. */
  outputShape?: number[];
  name?: string;
}

/** x [..., K] (int8 or int16), filter [OC, K]; bias int32 (int8) or bigint64 (16x8). */
export function fullyConnected(g: GraphBuilder, x: TensorId, filter: QuantizedFilter, bias: Int32Array | BigInt64Array | undefined, o: FullyConnectedOptions): TensorId {
  const xt = g.tensor(x);
  const name = o.name ?? `fully_connected_${g.ops.length}`;
  const [oc, k] = filter.shape as [number, number];
  if (filter.shape.length !== 2) throw new PackError('E_SHAPE', `${name}: filter must be [OC, K], is [${filter.shape}]`);
  const elements = xt.shape.reduce((a, b) => a * b, 1);
  if (elements % k !== 0) throw new PackError('E_SHAPE', `${name}: input [${xt.shape}] is not a whole number of rows of ${k}`);
  const is16 = xt.dtype === DType.INT16;
  if (is16 && (xt.zeroPoint !== 0 || o.output.zeroPoint !== 0)) throw new PackError('E_PARAM', `${name}: 16x8 needs zero points 0`);
  const outShape = o.outputShape ?? (xt.shape[xt.shape.length - 1] === k ? [...xt.shape.slice(0, -1), oc] : [elements / k, oc]);
  const scales = Float32Array.from(filter.scales.length === 1 ? Array(oc).fill(filter.scales[0]) : Array.from(filter.scales));
  const zp = filter.zeroPoint ?? 0;
  const w = g.constant(`${name}/filter`, DType.INT8, filter.shape, filter.data, { scale: scales[0]!, zeroPoint: zp, perChannel: { axis: 0, scales, zeroPoints: new Int32Array(oc).fill(zp) } });
  let b: TensorId | undefined;
  if (bias) {
    if (bias.length !== oc) throw new PackError('E_SHAPE', `${name}: bias has ${bias.length} values for ${oc} channels`);
    if (is16 !== bias instanceof BigInt64Array) throw new PackError('E_DTYPE', `${name}: bias must be ${is16 ? 'int64' : 'int32'}`);
    b = g.constant(`${name}/bias`, is16 ? DType.INT64 : DType.INT32, [oc], bias);
  }
  const { multiplier, shift } = channelMultipliers(xt.scale, filter.scales, o.output.scale, oc);
  const m = g.constant(`${name}/multiplier`, DType.INT32, [oc], multiplier);
  const s = g.constant(`${name}/shift`, DType.INT32, [oc], shift);
  const y = g.activation(`${name}/output`, xt.dtype, outShape, o.output);
  g.addOp(
    'FULLY_CONNECTED', [x, w, b, m, s], [y],
    {
      inputOffset: -xt.zeroPoint, filterOffset: -zp, outputOffset: o.output.zeroPoint,
      ...activationRange(o.activation, o.output.scale, o.output.zeroPoint, xt.dtype),
    },
    { label: name, macs: elements * oc },
  );
  return y;
}
