// A small layer graph that the exporters share: the same network as float
// weights (for float runtimes) and as int8 weights with TFLite's quantization
// (int8 weights symmetric per output channel, int8 activations asymmetric per
// tensor, int32 bias with scale s_in * s_w), written out in each runtime's own
// format (int8 TFLite, QDQ ONNX, float ops). Layout is NHWC throughout; the
// ONNX writer transposes to NCHW.

export type Activation = 'none' | 'relu' | 'relu6';
export type Padding = 'same' | 'valid';

export interface Quant {
  scale: number;
  zeroPoint: number;
}

export interface Tensor {
  name: string;
  shape: number[];
  /** The int8 quantization of an activation (set by calibration or read from a file). */
  quant?: Quant;
}

export interface Weights {
  /** Filter layout: conv [OC, KH, KW, IC], depthwise [1, KH, KW, C*M], dense [OC, K]. */
  shape: number[];
  w: Float32Array;
  b: Float32Array;
  /** The int8 filter (zero point 0) with one scale per output channel (or one for all), and the int32 bias. */
  q?: { data: Int8Array; scales: Float32Array; bias: Int32Array };
}

interface Base {
  name: string;
  inputs: number[];
  output: number;
}

export type Layer =
  | (Base & { op: 'conv2d'; weights: Weights; stride: [number, number]; padding: Padding; activation: Activation })
  | (Base & { op: 'depthwise'; weights: Weights; stride: [number, number]; padding: Padding; activation: Activation; depthMultiplier: number })
  | (Base & { op: 'dense'; weights: Weights; activation: Activation })
  | (Base & { op: 'avgpool' | 'maxpool'; filter: [number, number]; stride: [number, number]; padding: Padding; activation: Activation })
  | (Base & { op: 'add'; activation: Activation })
  | (Base & { op: 'reshape' })
  | (Base & { op: 'softmax'; beta: number });

export interface Net {
  name: string;
  tensors: Tensor[];
  input: number;
  output: number;
  layers: Layer[];
}

export const elements = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Output size and padding before, as TFLite computes them for 'same' and 'valid'. */
export function spatial(inSize: number, filter: number, stride: number, padding: Padding): { out: number; before: number; after: number } {
  if (padding === 'valid') return { out: Math.floor((inSize - filter + stride) / stride), before: 0, after: 0 };
  const out = Math.floor((inSize + stride - 1) / stride);
  const total = Math.max(0, (out - 1) * stride + filter - inSize);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/** Multiply-accumulates of one inference. */
export function macs(net: Net): number {
  let n = 0;
  for (const l of net.layers) {
    const out = elements(net.tensors[l.output]!.shape);
    if (l.op === 'conv2d') n += out * l.weights.shape[1]! * l.weights.shape[2]! * l.weights.shape[3]!;
    else if (l.op === 'depthwise') n += out * l.weights.shape[1]! * l.weights.shape[2]!;
    else if (l.op === 'dense') n += out * l.weights.shape[1]!;
  }
  return n;
}

/**
 * Builds a network layer by layer, computing output shapes. Used by the model
 * definitions (bench/models) and by the readers of existing int8 files.
 */
export class NetBuilder {
  readonly net: Net;

  constructor(name: string, inputShape: number[], inputQuant?: Quant) {
    this.net = { name, tensors: [{ name: 'input', shape: inputShape, quant: inputQuant }], input: 0, output: 0, layers: [] };
  }

  private tensor(name: string, shape: number[], quant?: Quant): number {
    this.net.tensors.push({ name, shape, quant });
    return this.net.tensors.length - 1;
  }

  shape(t: number): number[] {
    return this.net.tensors[t]!.shape;
  }

  private name(op: string): string {
    return `${op}_${this.net.layers.length}`;
  }

  conv2d(x: number, weights: Weights, o: { stride?: [number, number]; padding?: Padding; activation?: Activation; name?: string; quant?: Quant }): number {
    const [n, h, w] = this.shape(x) as [number, number, number, number];
    const [oc, kh, kw] = weights.shape as [number, number, number, number];
    const stride = o.stride ?? [1, 1];
    const padding = o.padding ?? 'same';
    const name = o.name ?? this.name('conv2d');
    const y = this.tensor(name, [n, spatial(h, kh, stride[0], padding).out, spatial(w, kw, stride[1], padding).out, oc], o.quant);
    this.net.layers.push({ op: 'conv2d', name, inputs: [x], output: y, weights, stride, padding, activation: o.activation ?? 'none' });
    return y;
  }

  depthwise(x: number, weights: Weights, o: { stride?: [number, number]; padding?: Padding; activation?: Activation; name?: string; quant?: Quant }): number {
    const [n, h, w, c] = this.shape(x) as [number, number, number, number];
    const [, kh, kw, oc] = weights.shape as [number, number, number, number];
    const stride = o.stride ?? [1, 1];
    const padding = o.padding ?? 'same';
    const name = o.name ?? this.name('depthwise');
    const y = this.tensor(name, [n, spatial(h, kh, stride[0], padding).out, spatial(w, kw, stride[1], padding).out, oc], o.quant);
    this.net.layers.push({ op: 'depthwise', name, inputs: [x], output: y, weights, stride, padding, activation: o.activation ?? 'none', depthMultiplier: oc / c });
    return y;
  }

  dense(x: number, weights: Weights, o: { activation?: Activation; name?: string; quant?: Quant } = {}): number {
    const s = this.shape(x);
    const name = o.name ?? this.name('dense');
    const y = this.tensor(name, [elements(s) / weights.shape[1]!, weights.shape[0]!], o.quant);
    this.net.layers.push({ op: 'dense', name, inputs: [x], output: y, weights, activation: o.activation ?? 'none' });
    return y;
  }

  pool(op: 'avgpool' | 'maxpool', x: number, o: { filter: [number, number]; stride?: [number, number]; padding?: Padding; activation?: Activation; name?: string }): number {
    const [n, h, w, c] = this.shape(x) as [number, number, number, number];
    const stride = o.stride ?? o.filter;
    const padding = o.padding ?? 'valid';
    const name = o.name ?? this.name(op);
    const y = this.tensor(name, [n, spatial(h, o.filter[0], stride[0], padding).out, spatial(w, o.filter[1], stride[1], padding).out, c], this.net.tensors[x]!.quant);
    this.net.layers.push({ op, name, inputs: [x], output: y, filter: o.filter, stride, padding, activation: o.activation ?? 'none' });
    return y;
  }

  add(a: number, b: number, o: { activation?: Activation; name?: string; quant?: Quant } = {}): number {
    if (this.shape(a).join() !== this.shape(b).join()) throw new Error(`add: shapes [${this.shape(a)}] and [${this.shape(b)}] differ`);
    const name = o.name ?? this.name('add');
    const y = this.tensor(name, [...this.shape(a)], o.quant);
    this.net.layers.push({ op: 'add', name, inputs: [a, b], output: y, activation: o.activation ?? 'none' });
    return y;
  }

  reshape(x: number, shape: number[], name?: string): number {
    if (elements(shape) !== elements(this.shape(x))) throw new Error(`reshape: [${this.shape(x)}] to [${shape}]`);
    const n = name ?? this.name('reshape');
    const y = this.tensor(n, shape, this.net.tensors[x]!.quant);
    this.net.layers.push({ op: 'reshape', name: n, inputs: [x], output: y });
    return y;
  }

  softmax(x: number, o: { beta?: number; name?: string } = {}): number {
    const name = o.name ?? this.name('softmax');
    const y = this.tensor(name, [...this.shape(x)], { scale: 1 / 256, zeroPoint: -128 });
    this.net.layers.push({ op: 'softmax', name, inputs: [x], output: y, beta: o.beta ?? 1 });
    return y;
  }

  finish(output: number): Net {
    this.net.output = output;
    return this.net;
  }
}

/** Whether every tensor and weighted layer carries its int8 quantization. */
export function isQuantized(net: Net): boolean {
  return net.tensors.every((t) => t.quant) && net.layers.every((l) => !('weights' in l) || l.weights.q);
}
