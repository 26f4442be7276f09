// DEPTHWISE_CONV_2D: TFLite's reference_integer_ops::DepthwiseConvPerChannel
// (int8), with an optional filter offset. Output channel c*multiplier + j reads
// input channel c; filter [1, KH, KW, C*multiplier]. Padded taps contribute
// nothing; the accumulator wraps as int32.
import type { RefOp } from '../types.js';
import { multiplyByQuantizedMultiplierFast } from '../fixedpoint.js';

export function depthwiseConv2d(op: RefOp): void {
  const [x, w, b, m, s] = op.inputs;
  const y = op.outputs[0]!;
  const xd = x!.data as Int8Array;
  const wd = w!.data as Int8Array;
  const bd = b ? (b.data as Int32Array) : undefined;
  const md = m!.data as Int32Array;
  const sd = s!.data as Int32Array;
  const yd = y.data as Int8Array;
  const [batches, inH, inW, inC] = x!.record.shape as [number, number, number, number];
  const [, kH, kW] = w!.record.shape as [number, number, number, number];
  const [, outH, outW, outC] = y.record.shape as [number, number, number, number];
  const p = op.params as Record<string, number>;
  const strideH = p.strideH!, strideW = p.strideW!, dilationH = p.dilationH!, dilationW = p.dilationW!;
  const padTop = p.padTop!, padLeft = p.padLeft!, mult = p.depthMultiplier!;
  const inputOffset = p.inputOffset!, filterOffset = p.filterOffset!, outputOffset = p.outputOffset!;
  const actMin = p.actMin!, actMax = p.actMax!;
  const accs = op.accumulators;

  let o = 0;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padLeft;
        for (let oc = 0; oc < outC; oc++, o++) {
          const ic = (oc / mult) | 0;
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = iy0 + ky * dilationH;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = ix0 + kx * dilationW;
              if (ix < 0 || ix >= inW) continue;
              acc += (xd[((n * inH + iy) * inW + ix) * inC + ic]! + inputOffset) * (wd[(ky * kW + kx) * outC + oc]! + filterOffset);
            }
          }
          acc = bd ? (acc + bd[oc]!) | 0 : acc | 0;
          if (accs) accs[o] = acc;
          const v = multiplyByQuantizedMultiplierFast(acc, md[oc]!, sd[oc]!) + outputOffset;
          yd[o] = v < actMin ? actMin : v > actMax ? actMax : v;
        }
      }
    }
  }
}
