// Seeded random weights and post-training int8 quantization of a Net, the way
// TFLite's converter does it: weights symmetric per output channel (dense: per
// tensor), activations asymmetric per tensor from the min/max seen on
// calibration inputs, bias int32 at scale s_in * s_w. Scales are float32.
import { elements, type Net, type Quant, type Weights } from '../export/net.js';
import { forward } from './float.js';

/** A small seeded generator (mulberry32) with uniform and normal draws. */
export class Rng {
  constructor(private s: number) {}
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  floats(n: number, lo = -1, hi = 1): Float32Array {
    return Float32Array.from({ length: n }, () => this.uniform(lo, hi));
  }
}

/**
 * Random weights for a layer with He initialization and a folded batch norm
 * (a random positive gain per output channel and a random bias).
 * `channelAxis` is where the output channels are in `shape`; `fanIn` the inputs per output.
 */
export function randomWeights(rng: Rng, shape: number[], channelAxis: number, fanIn: number, gain = 2): Weights {
  const oc = shape[channelAxis]!;
  const n = elements(shape);
  const inner = elements(shape.slice(channelAxis + 1));
  const channelGain = Float32Array.from({ length: oc }, () => rng.uniform(0.5, 1.5));
  const std = Math.sqrt(gain / fanIn);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = rng.normal() * std * channelGain[Math.floor(i / inner) % oc]!;
  const b = Float32Array.from({ length: oc }, () => rng.normal() * 0.1);
  return { shape, w, b };
}

const f32 = Math.fround;

/** Asymmetric int8 quantization covering [min, max] (widened to include 0). */
export function rangeQuant(min: number, max: number): Quant {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max, lo + 1e-6);
  const scale = f32((hi - lo) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale, zeroPoint };
}

/** Quantizes a layer's weights: int8 filter per channel (or per tensor), int32 bias at s_in * s_w. */
export function quantizeWeights(wt: Weights, channelAxis: number, inScale: number, perChannel: boolean): void {
  const oc = wt.shape[channelAxis]!;
  const inner = elements(wt.shape.slice(channelAxis + 1));
  const ch = (i: number) => (perChannel ? Math.floor(i / inner) % oc : 0);
  const maxAbs = new Float32Array(perChannel ? oc : 1);
  wt.w.forEach((v, i) => (maxAbs[ch(i)] = Math.max(maxAbs[ch(i)]!, Math.abs(v))));
  const scales = Float32Array.from(maxAbs, (m) => f32(Math.max(m, 1e-8) / 127));
  const data = Int8Array.from(wt.w, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scales[ch(i)]!))));
  const bias = Int32Array.from(wt.b, (v, o) => Math.round(v / f32(f32(inScale) * scales[perChannel ? o : 0]!)));
  wt.q = { data, scales, bias };
}

/**
 * Calibrates activation ranges on `inputs` (float) and quantizes every tensor
 * and weight in place. Pooling and reshape outputs keep their input's
 * quantization (TFLite requires it); softmax outputs are 1/256, -128.
 */
export function quantizeNet(net: Net, inputs: Float32Array[], inputRange?: [number, number]): Net {
  const lo = new Float64Array(net.tensors.length).fill(Infinity);
  const hi = new Float64Array(net.tensors.length).fill(-Infinity);
  for (const x of inputs) {
    const v = forward(net, x);
    v.forEach((a, t) => {
      for (const e of a) {
        if (e < lo[t]!) lo[t] = e;
        if (e > hi[t]!) hi[t] = e;
      }
    });
  }
  const input = net.tensors[net.input]!;
  input.quant ??= inputRange ? rangeQuant(...inputRange) : rangeQuant(lo[net.input]!, hi[net.input]!);
  for (const l of net.layers) {
    const inQ = net.tensors[l.inputs[0]!]!.quant!;
    const out = net.tensors[l.output]!;
    if (l.op === 'avgpool' || l.op === 'maxpool' || l.op === 'reshape') out.quant = { ...inQ };
    else if (l.op === 'softmax') out.quant = { scale: 1 / 256, zeroPoint: -128 };
    else out.quant ??= rangeQuant(lo[l.output]!, hi[l.output]!);
    if (l.op === 'conv2d') quantizeWeights(l.weights, 0, inQ.scale, true);
    else if (l.op === 'depthwise') quantizeWeights(l.weights, 3, inQ.scale, true);
    else if (l.op === 'dense') quantizeWeights(l.weights, 0, inQ.scale, false);
  }
  return net;
}

/** Quantizes float input values with a tensor's scale and zero point (round half away from zero). */
export function quantizeInput(x: Float32Array, q: Quant): Int8Array {
  return Int8Array.from(x, (v) => {
    const r = v / q.scale;
    return Math.max(-128, Math.min(127, q.zeroPoint + (r < 0 ? -Math.round(-r) : Math.round(r))));
  });
}

export function dequantize(x: ArrayLike<number>, q: Quant): Float32Array {
  return Float32Array.from(x as ArrayLike<number>, (v) => (v - q.zeroPoint) * q.scale);
}
