// Weight quantization (TFLite's spec): int8, symmetric, per output channel
// (zero point 0, values in [-127, 127]); or one scale for the whole tensor on
// request. Bias: int32 (int64 for 16x8 layers) with scale s_in * s_w[c].
import { roundHalfAwayFromZero } from '../../src/reference/fixedpoint.js';

export interface QuantizedWeights {
  /** int8 values in the source layout. */
  q: Int8Array;
  /** One scale per channel of the last axis (all equal when per-tensor). */
  scales: Float64Array;
  /** The quantized weights as floats again (for simulating int8 in float). */
  dequantized: Float32Array;
}

/**
 * Quantizes weights whose last axis is the output channel. `bias` and
 * `inputScale` keep every quantized bias inside int32 by widening a channel's
 * scale when needed (a channel with all-zero weights and a large bias).
 */
export function quantizeWeights(w: Float32Array, channels: number, perTensor: boolean, bias?: Float32Array, inputScale?: number, recorded?: Float32Array): QuantizedWeights {
  // A QDQ model's weights are already on an int8 grid: keep its scales, and so its int8 values.
  const scales = recorded
    ? Float64Array.from({ length: channels }, (_, c) => recorded[recorded.length === 1 ? 0 : c]!)
    : chooseScales(w, channels, perTensor, bias, inputScale);
  const q = new Int8Array(w.length);
  const dequantized = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const s = scales[i % channels]!;
    const v = Math.max(-127, Math.min(127, roundHalfAwayFromZero(w[i]! / s)));
    q[i] = v;
    dequantized[i] = v * s;
  }
  return { q, scales, dequantized };
}

/** Symmetric scales: max |w| / 127 per channel (or for the whole tensor). */
function chooseScales(w: Float32Array, channels: number, perTensor: boolean, bias?: Float32Array, inputScale?: number): Float64Array {
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < w.length; i++) {
    const c = i % channels;
    const a = Math.abs(w[i]!);
    if (a > maxAbs[c]!) maxAbs[c] = a;
  }
  if (perTensor) maxAbs.fill(Math.max(...maxAbs));
  const scales = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let s = maxAbs[c]! / 127;
    if (bias && inputScale) s = Math.max(s, Math.abs(bias[c]!) / (inputScale * 2 ** 30));
    scales[c] = Math.fround(s > 0 ? s : 1e-9);
  }
  if (perTensor) scales.fill(Math.max(...scales));
  return scales;
}

export function quantizeBias32(b: Float32Array | undefined, inputScale: number, scales: Float64Array): Int32Array {
  const out = new Int32Array(scales.length);
  if (!b) return out;
  for (let c = 0; c < out.length; c++) {
    const v = roundHalfAwayFromZero(b[c]! / (inputScale * scales[c]!));
    out[c] = Math.max(-2147483648, Math.min(2147483647, v));
  }
  return out;
}

export function quantizeBias64(b: Float32Array | undefined, inputScale: number, scales: Float64Array): BigInt64Array {
  const out = new BigInt64Array(scales.length);
  if (!b) return out;
  for (let c = 0; c < out.length; c++) out[c] = BigInt(roundHalfAwayFromZero(b[c]! / (inputScale * scales[c]!)));
  return out;
}
