// DEPTHWISE_CONV_2D at pack time (TFLite's depthwise Prepare): as CONV_2D, with
// the filter [1, KH, KW, C*multiplier] and per-channel constants along axis 3.
import { DType } from '../../../src/format/dtypes.js';
import { PackError, type GraphBuilder, type TensorId } from '../graph.js';
import { activationRange, outputSize } from './fused_activation.js';
import { convConstants, type ConvOptions, type QuantizedFilter } from './conv_2d.js';

export function depthwiseConv2d(g: GraphBuilder, x: TensorId, filter: QuantizedFilter, bias: Int32Array | undefined, o: ConvOptions & { depthMultiplier?: number }): TensorId {
  const xt = g.tensor(x);
  const name = o.name ?? `depthwise_conv2d_${g.ops.length}`;
  if (xt.shape.length !== 4 || filter.shape.length !== 4) throw new PackError('E_SHAPE', `${name}: input and filter must be 4-D`);
  const [n, h, w, c] = xt.shape as [number, number, number, number];
  const [one, kh, kw, oc] = filter.shape as [number, number, number, number];
  const mult = o.depthMultiplier ?? oc / c;
  if (one !== 1 || !Number.isInteger(mult) || mult < 1 || oc !== c * mult)
    throw new PackError('E_SHAPE', `${name}: filter [${filter.shape}] does not fit ${c} input channels with depth multiplier ${mult}`);
  const [sh, sw] = o.stride ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  const padding = o.padding ?? 'valid';
  const ex = typeof padding === 'object' ? padding : { top: 0, bottom: 0, left: 0, right: 0 };
  const ry = outputSize(h, (kh - 1) * dh + 1, sh, padding, ex.top, ex.bottom);
  const rx = outputSize(w, (kw - 1) * dw + 1, sw, padding, ex.left, ex.right);
  if (ry.out < 1 || rx.out < 1) throw new PackError('E_SHAPE', `${name}: the filter does not fit the input [${xt.shape}]`);
  const k = convConstants(g, name, filter, 3, bias, xt.scale, o.output.scale);
  const y = g.activation(`${name}/output`, DType.INT8, [n, ry.out, rx.out, oc], o.output);
  g.addOp(
    'DEPTHWISE_CONV_2D', [x, k.w, k.b, k.m, k.s], [y],
    {
      strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop: ry.pad, padLeft: rx.pad, depthMultiplier: mult,
      inputOffset: -xt.zeroPoint, filterOffset: k.filterOffset, outputOffset: o.output.zeroPoint,
      ...activationRange(o.activation, o.output.scale, o.output.zeroPoint, DType.INT8),
    },
    { label: name, macs: n * ry.out * rx.out * oc * kh * kw },
  );
  return y;
}
