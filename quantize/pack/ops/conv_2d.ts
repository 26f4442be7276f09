// CONV_2D at pack time (TFLite's conv Prepare): per-channel multipliers and
// shifts from float scales, offsets, output shape from the padding, the clamp
// from the fused activation, and the scratch tensor the SIMD kernel packs rows
// into (assembly/ops/conv_2d.ts).
import { DType } from '../../../src/format/dtypes.js';
import { quantizeMultiplier } from '../../../src/reference/fixedpoint.js';
import { PackError, type GraphBuilder, type Quant, type TensorId } from '../graph.js';
import { activationRange, outputSize, type FusedActivation, type Padding } from './fused_activation.js';

/** A quantized int8 filter: data in the op's layout, a scale per output channel (or one), zero point (ONNX; TFLite: 0). */
export interface QuantizedFilter {
  data: Int8Array;
  shape: number[];
  scales: ArrayLike<number>;
  zeroPoint?: number;
}

export interface ConvOptions {
  stride?: [number, number];
  dilation?: [number, number];
  padding?: Padding;
  activation?: FusedActivation;
  /** The output's quantization. */
  output: { scale: number; zeroPoint: number };
  name?: string;
}

/** A convolution's shape, as far as its scratch is concerned. */
export interface ConvGeometry {
  /** [OC, KH, KW, IC] */
  filter: readonly number[];
  /** [N, H, W, IC] */
  input: readonly number[];
  /** [N, OH, OW, OC] */
  output: readonly number[];
  stride: readonly [number, number];
  dilation: readonly [number, number];
  /** The filter's offset (-zero point): odd KW·IC runs need 0. */
  filterOffset: number;
}

/**
 * Scratch bytes CONV_2D's SIMD kernels use. The loader asks for at least 4 rows
 * of int16 over K = KH*KW*IC rounded up to 8 (Kp). The
 * output-channels-in-lanes GEMM (assembly/kernels/lanes.ts) takes groups of 8
 * channels' weights as int16 (16·Kp + 32 bytes each) and
 * - other than for pointwise convolutions, with dilation width 1 (and
 *   filter offset 0 where KW·IC is odd: runs are then read one value long
 *   against a filter copy with a 0 after each run): one group's weights, that
 *   copy, and the padded int16 input rows of a band of output rows (about 16
 *   KB of them, and 32 output pixels or more; at most 64 KB), 16 bytes after;
 * - else a block of packed rows (2·Kp bytes each), and every group's weights,
 *   packed once per run, when the rows take more than one block and the groups
 *   fit in 32 KB (blocks of up to 16 KB of rows), or one group's, repacked for
 *   each block (blocks of up to 32 KB). Blocks hold 16 to 128 rows.
 * Pointwise convolutions under 16 pixels keep the least (repacking the weights
 * would cost more than the lanes save: they run on the 4x2 GEMM straight from
 * the input). Without the lanes' room, convolutions other than pointwise run
 * the direct loop.
 */
export function conv2dScratchBytes(c: ConvGeometry): number {
  const [oc, kh, kw, ic] = c.filter as [number, number, number, number];
  const [n, oh, ow] = c.output as [number, number, number, number];
  // 1x1, stride 1, no padding (what the runtime treats as pointwise).
  const pointwise = kh === 1 && kw === 1 && c.stride[0] === 1 && c.stride[1] === 1 && oh === c.input[1] && ow === c.input[2];
  const pixels = n * oh * ow;
  const kp = depth8(c.filter);
  const minimum = conv2dMinScratchBytes(c.filter);
  const group = 16 * kp + 32;
  if (pointwise && pixels < 16) return minimum;
  const odd = (kw * ic) % 2;
  if (!pointwise && c.dilation[1] === 1 && (!odd || c.filterOffset === 0)) {
    const kk = kh * (kw * ic + odd);
    const copy = odd ? 16 * Math.ceil((oc * kk) / 16) : 0;
    const rowStride = ((ow - 1) * c.stride[1] + kw) * ic * 2;
    const reach = (kh - 1) * c.dilation[0] + 1;
    const band = Math.min(oh, Math.max(1, Math.ceil(32 / ow), Math.floor((Math.floor(16384 / rowStride) - reach) / c.stride[0]) + 1));
    const image = ((band - 1) * c.stride[0] + reach) * rowStride;
    if (image <= 65536) return Math.max(minimum, 16 * roundUp8(kk) + 32 + copy + image + 16);
  }
  const rows = 4 * Math.ceil(pixels / 4);
  const block = (bytes: number) => Math.min(rows, Math.max(16, Math.min(128, Math.floor(bytes / (2 * kp)) & ~3)));
  const groups = group * Math.ceil(oc / 8);
  const one = block(32768);
  const size = one < rows && groups <= 32768 ? groups + 2 * kp * block(16384) : group + 2 * kp * one;
  return Math.max(minimum, size);
}

/** K = KH*KW*IC of a filter [OC, KH, KW, IC], rounded up to 8 (the kernels' step). */
function depth8(filterShape: readonly number[]): number {
  return roundUp8(filterShape[1]! * filterShape[2]! * filterShape[3]!);
}

function roundUp8(k: number): number {
  return 8 * Math.ceil(k / 8);
}

/** The least scratch the lanes GEMM can use for a filter [OC, KH, KW, IC]: one group's weights and 4 rows (repacked for every 4 rows). */
export function conv2dLeastLanesBytes(filterShape: readonly number[]): number {
  const kp = depth8(filterShape);
  return Math.max(conv2dMinScratchBytes(filterShape), 16 * kp + 32 + 8 * kp);
}

/** The least scratch the loader accepts for a filter [OC, KH, KW, IC]: 4 rows of int16 over K rounded up to 8. */
export function conv2dMinScratchBytes(filterShape: readonly number[]): number {
  return 8 * depth8(filterShape);
}

/**
 * CONV_2D's scratch tensor as the SIMD kernels want it (conv2dScratchBytes),
 * allowed to shrink to conv2dLeastLanesBytes when the arena is over budget.
 */
export function conv2dScratch(g: GraphBuilder, name: string, c: ConvGeometry): TensorId {
  const bytes = conv2dScratchBytes(c);
  return g.scratch(name, bytes, Math.min(bytes, conv2dLeastLanesBytes(c.filter)));
}

/** Per-channel (multiplier, shift) of s_in * s_w[oc] / s_out, as TFLite's PopulateConvolutionQuantizationParams. */
export function channelMultipliers(inScale: number, filterScales: ArrayLike<number>, outScale: number, channels: number): { multiplier: Int32Array; shift: Int32Array } {
  if (filterScales.length !== 1 && filterScales.length !== channels)
    throw new PackError('E_PARAM', `filter has ${filterScales.length} scales for ${channels} output channels`);
  const multiplier = new Int32Array(channels);
  const shift = new Int32Array(channels);
  for (let c = 0; c < channels; c++) {
    const ws = filterScales.length === 1 ? filterScales[0]! : filterScales[c]!;
    const q = quantizeMultiplier((Math.fround(inScale) * Math.fround(ws)) / Math.fround(outScale));
    multiplier[c] = q.multiplier;
    shift[c] = q.shift;
  }
  return { multiplier, shift };
}

/** Adds the filter, bias and prepared constants of a conv-like op. */
export function convConstants(g: GraphBuilder, name: string, filter: QuantizedFilter, channelAxis: number, bias: Int32Array | undefined, inScale: number, outScale: number) {
  const channels = filter.shape[channelAxis]!;
  const scales = Float32Array.from(filter.scales.length === 1 ? Array(channels).fill(filter.scales[0]) : Array.from(filter.scales));
  const zp = filter.zeroPoint ?? 0;
  const wq: Quant = { scale: scales[0]!, zeroPoint: zp, perChannel: { axis: channelAxis, scales, zeroPoints: new Int32Array(channels).fill(zp) } };
  const w = g.constant(`${name}/filter`, DType.INT8, filter.shape, filter.data, wq);
  if (bias && bias.length !== channels) throw new PackError('E_SHAPE', `${name}: bias has ${bias.length} values for ${channels} channels`);
  const b = bias ? g.constant(`${name}/bias`, DType.INT32, [channels], bias) : undefined;
  const { multiplier, shift } = channelMultipliers(inScale, filter.scales, outScale, channels);
  const m = g.constant(`${name}/multiplier`, DType.INT32, [channels], multiplier);
  const s = g.constant(`${name}/shift`, DType.INT32, [channels], shift);
  return { w, b, m, s, filterOffset: -zp };
}

/** CONV_2D: x [N, H, W, IC] int8, filter [OC, KH, KW, IC]; returns the output tensor. */
export function conv2d(g: GraphBuilder, x: TensorId, filter: QuantizedFilter, bias: Int32Array | undefined, o: ConvOptions): TensorId {
  const xt = g.tensor(x);
  const name = o.name ?? `conv2d_${g.ops.length}`;
  if (xt.shape.length !== 4 || filter.shape.length !== 4) throw new PackError('E_SHAPE', `${name}: input and filter must be 4-D`);
  const [n, h, w, c] = xt.shape as [number, number, number, number];
  const [oc, kh, kw, ic] = filter.shape as [number, number, number, number];
  if (ic !== c) throw new PackError('E_SHAPE', `${name}: filter has ${ic} input channels, input has ${c}`);
  const [sh, sw] = o.stride ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  const padding = o.padding ?? 'valid';
  const ex = typeof padding === 'object' ? padding : { top: 0, bottom: 0, left: 0, right: 0 };
  const ry = outputSize(h, (kh - 1) * dh + 1, sh, padding, ex.top, ex.bottom);
  const rx = outputSize(w, (kw - 1) * dw + 1, sw, padding, ex.left, ex.right);
  if (ry.out < 1 || rx.out < 1) throw new PackError('E_SHAPE', `${name}: the filter does not fit the input [${xt.shape}]`);
  const k = convConstants(g, name, filter, 0, bias, xt.scale, o.output.scale);
  const outShape = [n, ry.out, rx.out, oc];
  const y = g.activation(`${name}/output`, DType.INT8, outShape, o.output);
  const temps = [conv2dScratch(g, `${name}/scratch`, { filter: filter.shape, input: xt.shape, output: outShape, stride: [sh, sw], dilation: [dh, dw], filterOffset: k.filterOffset })];
  g.addOp(
    'CONV_2D', [x, k.w, k.b, k.m, k.s], [y],
    {
      strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop: ry.pad, padLeft: rx.pad,
      inputOffset: -xt.zeroPoint, filterOffset: k.filterOffset, outputOffset: o.output.zeroPoint,
      ...activationRange(o.activation, o.output.scale, o.output.zeroPoint, DType.INT8),
    },
    { temps, label: name, macs: n * ry.out * rx.out * oc * kh * kw * ic },
  );
  return y;
}
