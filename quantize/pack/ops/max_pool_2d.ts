// MAX_POOL_2D at pack time: output shape from the padding, the clamp from the
// fused activation. Output scale and zero point are the input's (TFLite
// requires them equal).
import { PackError, type GraphBuilder, type TensorId } from '../graph.js';
import { activationRange, outputSize, type FusedActivation, type Padding } from './fused_activation.js';

export interface PoolOptions {
  filter: [number, number];
  stride?: [number, number];
  padding?: Padding;
  activation?: FusedActivation;
  name?: string;
}

/** Shared by the two pooling ops: adds the op and returns the output tensor. */
export function pool2d(g: GraphBuilder, op: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D', x: TensorId, o: PoolOptions): TensorId {
  const t = g.tensor(x);
  if (t.shape.length !== 4) throw new PackError('E_SHAPE', `${op}: input "${t.name}" must be NHWC, has shape [${t.shape}]`);
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const [fh, fw] = o.filter;
  const [sh, sw] = o.stride ?? [1, 1];
  const padding = o.padding ?? 'valid';
  const ex = typeof padding === 'object' ? padding : { top: 0, bottom: 0, left: 0, right: 0 };
  const ry = outputSize(h, fh, sh, padding, ex.top, ex.bottom);
  const rx = outputSize(w, fw, sw, padding, ex.left, ex.right);
  if (ry.out < 1 || rx.out < 1) throw new PackError('E_SHAPE', `${op}: a ${fh}x${fw} window does not fit input [${t.shape}]`);
  const y = g.activation(o.name ?? `${t.name}_${op === 'MAX_POOL_2D' ? 'maxpool' : 'avgpool'}`, t.dtype, [n, ry.out, rx.out, c], { scale: t.scale, zeroPoint: t.zeroPoint });
  const { actMin, actMax } = activationRange(o.activation, t.scale, t.zeroPoint, t.dtype);
  g.addOp(op, [x], [y], { filterH: fh, filterW: fw, strideH: sh, strideW: sw, padTop: ry.pad, padLeft: rx.pad, actMin, actMax }, { label: o.name });
  return y;
}

export function maxPool2d(g: GraphBuilder, x: TensorId, o: PoolOptions): TensorId {
  return pool2d(g, 'MAX_POOL_2D', x, o);
}
