// Window iteration shared by the pooling reference kernels (TFLite's
// reference_integer_ops::MaxPool / AveragePool): for every output position the
// window starts at out*stride - pad and is cut to the input.
import type { RefOp } from '../types.js';

export function forEachPoolWindow(
  op: RefOp,
  f: (inBase: number, yStart: number, yEnd: number, xStart: number, xEnd: number, outBase: number) => void,
): void {
  const x = op.inputs[0]!;
  const y = op.outputs[0]!;
  const [batches, inH, inW, channels] = x.record.shape as [number, number, number, number];
  const [, outH, outW] = y.record.shape as [number, number, number, number];
  const { filterH, filterW, strideH, strideW, padTop, padLeft } = op.params as Record<string, number>;
  for (let n = 0; n < batches; n++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++) {
        const iy0 = oy * strideH! - padTop!;
        const ix0 = ox * strideW! - padLeft!;
        const fy0 = Math.max(0, -iy0);
        const fy1 = Math.min(filterH!, inH - iy0);
        const fx0 = Math.max(0, -ix0);
        const fx1 = Math.min(filterW!, inW - ix0);
        // Input index of (n, iy0, ix0, 0); taps add (fy*inW + fx)*channels.
        f(((n * inH + iy0) * inW + ix0) * channels, fy0, fy1, fx0, fx1, ((n * outH + oy) * outW + ox) * channels);
      }
}
