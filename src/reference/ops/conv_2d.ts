// CONV_2D: TFLite's reference_integer_ops::ConvPerChannel (int8), with an
// optional filter offset (ONNX weight zero points). NHWC input, OHWI filter.
// Taps that fall in the padding contribute nothing; the accumulator wraps as
// int32; bias is added before the per-channel requantization.
import type { RefOp } from '../types.js';
import { multiplyByQuantizedMultiplierFast } from '../fixedpoint.js';

export function conv2d(op: RefOp): void {
  const [x, w, b, m, s] = op.inputs;
  const y = op.outputs[0]!;
  const xd = x!.data as Int8Array;
  const wd = w!.data as Int8Array;
  const bd = b ? (b.data as Int32Array) : undefined;
  const md = m!.data as Int32Array;
  const sd = s!.data as Int32Array;
  const yd = y.data as Int8Array;
  const [batches, inH, inW, inC] = x!.record.shape as [number, number, number, number];
  const [outC, kH, kW] = w!.record.shape as [number, number, number, number];
  const [, outH, outW] = y.record.shape as [number, number, number, number];
  const p = op.params;
  const { strideH, strideW, dilationH, dilationW, padTop, padLeft } = p as Record<string, number>;
  const inputOffset = p.inputOffset!;
  const filterOffset = p.filterOffset!;
  const outputOffset = p.outputOffset!;
  const actMin = p.actMin!;
  const actMax = p.actMax!;
  const accs = op.accumulators;
  const filterSize = kH * kW * inC;

  let o = 0;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH! - padTop!;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW! - padLeft!;
        for (let oc = 0; oc < outC; oc++, o++) {
          // Each term is below 2^17 in magnitude, so the double sum is exact.
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = iy0 + ky * dilationH!;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = ix0 + kx * dilationW!;
              if (ix < 0 || ix >= inW) continue;
              const xi = ((n * inH + iy) * inW + ix) * inC;
              const wi = oc * filterSize + (ky * kW + kx) * inC;
              for (let c = 0; c < inC; c++) acc += (xd[xi + c]! + inputOffset) * (wd[wi + c]! + filterOffset);
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
