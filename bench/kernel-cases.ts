// The kernel shapes of `npm run bench:kernels` and `npm run bench:browser`:
// conv-like ops with seeded random weights and plausible requantization.
import { DType } from '../src/format/dtypes.js';
import { GraphBuilder } from '../quantize/pack/graph.js';
import { conv2dScratchBytes } from '../quantize/pack/ops/conv_2d.js';

export interface KernelCase {
  name: string;
  macs: number;
  graph(): GraphBuilder;
}

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
export const int8s = (n: number) => Int8Array.from({ length: n }, () => Math.floor(rand() * 255) - 127);

/** A conv-like op (CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED) with random weights and plausible requantization. */
function convLike(
  op: 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED',
  inShape: number[],
  filterShape: number[],
  outShape: number[],
  extra: Record<string, number> = {},
): GraphBuilder {
  const g = new GraphBuilder();
  const oc = op === 'FULLY_CONNECTED' ? filterShape[0]! : filterShape[op === 'CONV_2D' ? 0 : 3]!;
  const x = g.input('x', DType.INT8, inShape, { scale: 0.05, zeroPoint: -3 });
  const w = g.constant('w', DType.INT8, filterShape, int8s(filterShape.reduce((a, b) => a * b, 1)));
  const b = g.constant('b', DType.INT32, [oc], Int32Array.from({ length: oc }, () => Math.floor(rand() * 2000) - 1000));
  const m = g.constant('m', DType.INT32, [oc], Int32Array.from({ length: oc }, () => 0x40000000 + Math.floor(rand() * 0x3fffffff)));
  const s = g.constant('s', DType.INT32, [oc], Int32Array.from({ length: oc }, () => -9));
  const y = g.activation('y', DType.INT8, outShape, { scale: 0.1, zeroPoint: 2 });
  const common = { inputOffset: 3, filterOffset: 0, outputOffset: 2, actMin: -128, actMax: 127 };
  const params =
    op === 'FULLY_CONNECTED'
      ? common
      : { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, ...common, ...extra };
  // CONV_2D's SIMD kernel packs rows into a scratch tensor, as the packer plans it (quantize/pack/ops/conv_2d.ts).
  const temps = op === 'CONV_2D' ? [g.scratch('scratch', conv2dScratchBytes({ filter: filterShape, input: inShape, output: outShape, stride: [1, 1], dilation: [1, 1], filterOffset: 0 }))] : [];
  g.addOp(op, [x, w, b, m, s], [y], params, { temps });
  g.output(y);
  return g;
}

export const CASES: KernelCase[] = [
  {
    name: 'conv 3x3 28x28x8→16',
    macs: 28 * 28 * 16 * 9 * 8,
    graph: () => convLike('CONV_2D', [1, 28, 28, 8], [16, 3, 3, 8], [1, 28, 28, 16], { padTop: 1, padLeft: 1 }),
  },
  {
    name: 'depthwise 3x3 48x48x32',
    macs: 48 * 48 * 32 * 9,
    graph: () => convLike('DEPTHWISE_CONV_2D', [1, 48, 48, 32], [1, 3, 3, 32], [1, 48, 48, 32], { padTop: 1, padLeft: 1, depthMultiplier: 1 }),
  },
  {
    name: 'pointwise 48x48x32→64',
    macs: 48 * 48 * 64 * 32,
    graph: () => convLike('CONV_2D', [1, 48, 48, 32], [64, 1, 1, 32], [1, 48, 48, 64]),
  },
  {
    name: 'fully connected 1024→256',
    macs: 1024 * 256,
    graph: () => convLike('FULLY_CONNECTED', [1, 1024], [256, 1024], [1, 256]),
  },
];
