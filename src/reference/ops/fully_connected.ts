// FULLY_CONNECTED: TFLite's reference_integer_ops::FullyConnected(PerChannel).
// int8: int32 accumulator (wrapping), int32 bias, int32 requantization.
// 16x8: int16 input and output, int8 filter, int64 bias and accumulator, TFLite's
// int64 MultiplyByQuantizedMultiplier; offsets are 0 except the filter offset.
// The input is read as rows of K = filter.shape[1]; filter [OC, K].
import type { RefOp } from '../types.js';
import { DType } from '../../format/dtypes.js';
import { multiplyByQuantizedMultiplier64, multiplyByQuantizedMultiplierFast } from '../fixedpoint.js';

export function fullyConnected(op: RefOp): void {
  const [x, w, b, m, s] = op.inputs;
  const y = op.outputs[0]!;
  const wd = w!.data as Int8Array;
  const md = m!.data as Int32Array;
  const sd = s!.data as Int32Array;
  const [outC, depth] = w!.record.shape as [number, number];
  const rows = x!.data.length / depth;
  const p = op.params as Record<string, number>;
  const inputOffset = p.inputOffset!, filterOffset = p.filterOffset!, outputOffset = p.outputOffset!;
  const actMin = p.actMin!, actMax = p.actMax!;
  const accs = op.accumulators;

  if (x!.record.dtype === DType.INT16) {
    const xd = x!.data as Int16Array;
    const yd = y.data as Int16Array;
    const bd = b ? (b.data as BigInt64Array) : undefined;
    for (let r = 0, o = 0; r < rows; r++) {
      for (let oc = 0; oc < outC; oc++, o++) {
        // |term| < 2^24; the double sum is exact for any K that fits in memory.
        let sum = 0;
        const xi = r * depth;
        const wi = oc * depth;
        for (let k = 0; k < depth; k++) sum += (xd[xi + k]! + inputOffset) * (wd[wi + k]! + filterOffset);
        let acc = BigInt(sum);
        if (bd) acc = BigInt.asIntN(64, acc + bd[oc]!);
        if (accs) accs[o] = Number(BigInt.asIntN(32, acc));
        const v = multiplyByQuantizedMultiplier64(acc, md[oc]!, sd[oc]!) + outputOffset;
        yd[o] = v < actMin ? actMin : v > actMax ? actMax : v;
      }
    }
    return;
  }

  const xd = x!.data as Int8Array;
  const yd = y.data as Int8Array;
  const bd = b ? (b.data as Int32Array) : undefined;
  for (let r = 0, o = 0; r < rows; r++) {
    for (let oc = 0; oc < outC; oc++, o++) {
      let acc = 0;
      const xi = r * depth;
      const wi = oc * depth;
      for (let k = 0; k < depth; k++) acc += (xd[xi + k]! + inputOffset) * (wd[wi + k]! + filterOffset);
      acc = bd ? (acc + bd[oc]!) | 0 : acc | 0;
      if (accs) accs[o] = acc;
      const v = multiplyByQuantizedMultiplierFast(acc, md[oc]!, sd[oc]!) + outputOffset;
      yd[o] = v < actMin ? actMin : v > actMax ? actMax : v;
    }
  }
}
