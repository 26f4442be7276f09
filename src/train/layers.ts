// Layers: each holds its configuration and weights and builds its output from
// the ops in ops.ts (no gradient code here). Configurations are plain JSON and
// are what model.json stores; `createLayer` rebuilds a layer from one.
import { fail } from './errors.js';
import { initialize, INITIALIZERS, type InitializerName } from './init.js';
import * as op from './ops.js';
import type { Padding } from './ops.js';
import type { Rng } from './rng.js';
import { sizeOf, Tensor, type Shape } from './tensor.js';

export type ActivationName =
  | 'linear' | 'relu' | 'relu6' | 'leakyRelu' | 'elu' | 'sigmoid' | 'tanh' | 'softmax' | 'gelu' | 'hardSwish';

export const ACTIVATIONS: readonly ActivationName[] = [
  'linear', 'relu', 'relu6', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softmax', 'gelu', 'hardSwish',
];

/** Keras-style L1 / L2 penalty on a kernel, added to the loss. */
export interface Regularizer {
  l1?: number;
  l2?: number;
}

/** A weight of a layer. Trainable weights receive gradients; the others (BatchNorm's moving statistics) do not. */
export interface Weight {
  /** Short name inside the layer: kernel, bias, gamma, beta, moving_mean, ... */
  name: string;
  tensor: Tensor;
  trainable: boolean;
  regularizer?: Regularizer;
  /** Decoupled weight decay applies to kernels only, not to biases or normalization. */
  decay: boolean;
}

export interface CallContext {
  training: boolean;
  rng: Rng;
}

export type LayerConfig = Record<string, unknown>;

export abstract class Layer {
  abstract readonly type: string;
  name: string;
  weights: Weight[] = [];
  /** Shapes without the batch axis, set when the layer joins a model. */
  inputShapes: Shape[] = [];
  outputShape: Shape = [];

  constructor(name?: string) {
    this.name = name ?? '';
  }

  /** Output shape (without batch) for these input shapes; throws E_SHAPE if they do not fit. */
  abstract computeOutputShape(inputShapes: Shape[]): Shape;

  /** Creates the weights. Layers without weights keep the default. */
  build(_inputShapes: Shape[], _rng: Rng): void {}

  abstract call(inputs: Tensor[], ctx: CallContext): Tensor;

  /** The JSON configuration that recreates this layer (weights aside). */
  abstract config(): LayerConfig;

  /** How many inputs the layer takes: a number, or 'many' for Add / Concatenate. */
  get arity(): number | 'many' {
    return 1;
  }

  weight(name: string): Weight {
    const w = this.weights.find((v) => v.name === name);
    if (!w) fail('E_STATE', `layer "${this.name}" has no weight "${name}"`);
    return w;
  }

  protected addWeight(name: string, shape: Shape, init: InitializerName, rng: Rng, opts: Partial<Weight> & { depthwise?: boolean } = {}): Tensor {
    const trainable = opts.trainable ?? true;
    const t = new Tensor(initialize(init, shape, rng, opts.depthwise), shape, trainable);
    this.weights.push({ name, tensor: t, trainable, regularizer: opts.regularizer, decay: opts.decay ?? false });
    return t;
  }
}

// ------------------------------------------------------------ config helpers

function pair(v: unknown, what: string, layer: string): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isInteger(x) && x > 0))
    fail('E_CONFIG', `${layer}: ${what} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
  return [p[0], p[1]];
}

function padding(v: unknown, layer: string): Padding {
  if (v === undefined) return 'valid';
  if (v !== 'same' && v !== 'valid') fail('E_CONFIG', `${layer}: padding must be "same" or "valid", got ${JSON.stringify(v)}`);
  return v;
}

function activation(v: unknown, layer: string): ActivationName {
  if (v === undefined || v === null) return 'linear';
  if (!ACTIVATIONS.includes(v as ActivationName))
    fail('E_CONFIG', `${layer}: unknown activation ${JSON.stringify(v)}; use one of ${ACTIVATIONS.join(', ')}`);
  return v as ActivationName;
}

function initializer(v: unknown, fallback: InitializerName, layer: string): InitializerName {
  if (v === undefined) return fallback;
  if (!INITIALIZERS.includes(v as InitializerName))
    fail('E_CONFIG', `${layer}: unknown initializer ${JSON.stringify(v)}; use one of ${INITIALIZERS.join(', ')}`);
  return v as InitializerName;
}

function positiveInt(v: unknown, what: string, layer: string): number {
  if (!Number.isInteger(v) || (v as number) <= 0) fail('E_CONFIG', `${layer}: ${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}

function regularizer(v: unknown, layer: string): Regularizer | undefined {
  if (v === undefined || v === null) return undefined;
  const r = v as Regularizer;
  if (typeof r !== 'object' || (r.l1 !== undefined && !(r.l1 >= 0)) || (r.l2 !== undefined && !(r.l2 >= 0)))
    fail('E_CONFIG', `${layer}: kernelRegularizer must look like {"l1": 0, "l2": 1e-4}, got ${JSON.stringify(v)}`);
  return { l1: r.l1 ?? 0, l2: r.l2 ?? 0 };
}

function expectRank(layer: Layer, s: Shape, rank: number, what: string): void {
  if (s.length !== rank)
    fail('E_SHAPE', `${layer.type} "${layer.name}" needs ${what} (rank ${rank} without batch), got [${s.join(', ')}]`);
}

/** Applies a named activation (the op, not a layer). */
export function applyActivation(x: Tensor, name: ActivationName, alpha?: number): Tensor {
  switch (name) {
    case 'linear': return x;
    case 'relu': return op.relu(x);
    case 'relu6': return op.relu6(x);
    case 'leakyRelu': return op.leakyRelu(x, alpha ?? 0.3);
    case 'elu': return op.elu(x, alpha ?? 1);
    case 'sigmoid': return op.sigmoid(x);
    case 'tanh': return op.tanh(x);
    case 'softmax': return op.softmax(x);
    case 'gelu': return op.gelu(x);
    case 'hardSwish': return op.hardSwish(x);
  }
}

/** Adds the bias and applies the activation, fused into one kernel where it can be. */
function biasAndActivation(y: Tensor, bias: Tensor | null, act: ActivationName): Tensor {
  if (!bias) return applyActivation(y, act);
  if (act === 'linear' || act === 'relu' || act === 'relu6') return op.biasAct(y, bias, act);
  return applyActivation(op.addChannel(y, bias), act);
}

function convOutput(s: Shape, k: [number, number], st: [number, number], pad: Padding): [number, number] {
  const [h, w] = s as [number, number];
  if (pad === 'same') return [Math.ceil(h / st[0]), Math.ceil(w / st[1])];
  return [Math.floor((h - k[0]) / st[0]) + 1, Math.floor((w - k[1]) / st[1]) + 1];
}

function checkWindow(layer: Layer, s: Shape, k: [number, number], st: [number, number], pad: Padding): [number, number] {
  expectRank(layer, s, 3, 'an image [height, width, channels]');
  const [oh, ow] = convOutput(s, k, st, pad);
  if (!(oh > 0 && ow > 0))
    fail('E_SHAPE', `${layer.type} "${layer.name}": a ${k[0]}x${k[1]} window with "valid" padding does not fit [${s.join(', ')}]`);
  return [oh, ow];
}

// ------------------------------------------------------------ layers with weights

export interface DenseConfig {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
  kernelRegularizer?: Regularizer;
  name?: string;
}

export class Dense extends Layer {
  readonly type = 'Dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  readonly kernelRegularizer?: Regularizer;

  constructor(c: DenseConfig) {
    super(c.name);
    this.units = positiveInt(c.units, 'units', 'Dense');
    this.activation = activation(c.activation, 'Dense');
    this.useBias = c.useBias ?? true;
    this.kernelInitializer = initializer(c.kernelInitializer, 'glorotUniform', 'Dense');
    this.biasInitializer = initializer(c.biasInitializer, 'zeros', 'Dense');
    this.kernelRegularizer = regularizer(c.kernelRegularizer, 'Dense');
  }
  computeOutputShape([s]: Shape[]): Shape {
    if (s!.length < 1) fail('E_SHAPE', `Dense "${this.name}" needs at least one feature axis`);
    return [...s!.slice(0, -1), this.units];
  }
  override build([s]: Shape[], rng: Rng): void {
    const k = s![s!.length - 1]!;
    this.addWeight('kernel', [k, this.units], this.kernelInitializer, rng, { regularizer: this.kernelRegularizer, decay: true });
    if (this.useBias) this.addWeight('bias', [this.units], this.biasInitializer, rng);
  }
  call([x]: Tensor[]): Tensor {
    const k = x!.shape[x!.shape.length - 1]!;
    // Dense acts on the last axis: fold any other axes into rows.
    const y = op.matmul(op.reshape(x!, [x!.size / k, k]), this.weight('kernel').tensor);
    const out = biasAndActivation(y, this.useBias ? this.weight('bias').tensor : null, this.activation);
    return x!.shape.length === 2 ? out : op.reshape(out, [...x!.shape.slice(0, -1), this.units]);
  }
  config(): LayerConfig {
    return { units: this.units, activation: this.activation, useBias: this.useBias, kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer, kernelRegularizer: this.kernelRegularizer ?? null };
  }
}

export interface Conv2DConfig {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  kernelRegularizer?: Regularizer;
  name?: string;
}

/** 2-D convolution, NHWC, kernel [kh, kw, inC, outC]. */
export class Conv2D extends Layer {
  readonly type = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly kernelRegularizer?: Regularizer;

  constructor(c: Conv2DConfig) {
    super(c.name);
    this.filters = positiveInt(c.filters, 'filters', 'Conv2D');
    this.kernelSize = pair(c.kernelSize, 'kernelSize', 'Conv2D');
    this.strides = pair(c.strides ?? 1, 'strides', 'Conv2D');
    this.padding = padding(c.padding, 'Conv2D');
    this.activation = activation(c.activation, 'Conv2D');
    this.useBias = c.useBias ?? true;
    this.kernelInitializer = initializer(c.kernelInitializer, 'glorotUniform', 'Conv2D');
    this.kernelRegularizer = regularizer(c.kernelRegularizer, 'Conv2D');
  }
  computeOutputShape([s]: Shape[]): Shape {
    return [...checkWindow(this, s!, this.kernelSize, this.strides, this.padding), this.filters];
  }
  override build([s]: Shape[], rng: Rng): void {
    this.addWeight('kernel', [...this.kernelSize, s![2]!, this.filters], this.kernelInitializer, rng,
      { regularizer: this.kernelRegularizer, decay: true });
    if (this.useBias) this.addWeight('bias', [this.filters], 'zeros', rng);
  }
  call([x]: Tensor[]): Tensor {
    const y = op.conv2d(x!, this.weight('kernel').tensor, this.strides, this.padding);
    return biasAndActivation(y, this.useBias ? this.weight('bias').tensor : null, this.activation);
  }
  config(): LayerConfig {
    return { filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding,
      activation: this.activation, useBias: this.useBias, kernelInitializer: this.kernelInitializer,
      kernelRegularizer: this.kernelRegularizer ?? null };
  }
}

export interface DepthwiseConv2DConfig {
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  depthMultiplier?: 1;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  kernelRegularizer?: Regularizer;
  name?: string;
}

/** Depthwise convolution with depth multiplier 1; kernel [kh, kw, C] (Keras: [kh, kw, C, 1]). */
export class DepthwiseConv2D extends Layer {
  readonly type = 'DepthwiseConv2D';
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly kernelRegularizer?: Regularizer;

  constructor(c: DepthwiseConv2DConfig) {
    super(c.name);
    if (c.depthMultiplier !== undefined && c.depthMultiplier !== 1)
      fail('E_CONFIG', `DepthwiseConv2D: only depthMultiplier 1 is supported, got ${c.depthMultiplier}; follow it with a 1x1 Conv2D to widen`);
    this.kernelSize = pair(c.kernelSize, 'kernelSize', 'DepthwiseConv2D');
    this.strides = pair(c.strides ?? 1, 'strides', 'DepthwiseConv2D');
    this.padding = padding(c.padding, 'DepthwiseConv2D');
    this.activation = activation(c.activation, 'DepthwiseConv2D');
    this.useBias = c.useBias ?? true;
    this.kernelInitializer = initializer(c.kernelInitializer, 'glorotUniform', 'DepthwiseConv2D');
    this.kernelRegularizer = regularizer(c.kernelRegularizer, 'DepthwiseConv2D');
  }
  computeOutputShape([s]: Shape[]): Shape {
    return [...checkWindow(this, s!, this.kernelSize, this.strides, this.padding), s![2]!];
  }
  override build([s]: Shape[], rng: Rng): void {
    this.addWeight('kernel', [...this.kernelSize, s![2]!], this.kernelInitializer, rng,
      { regularizer: this.kernelRegularizer, decay: true, depthwise: true });
    if (this.useBias) this.addWeight('bias', [s![2]!], 'zeros', rng);
  }
  call([x]: Tensor[]): Tensor {
    const y = op.depthwiseConv2d(x!, this.weight('kernel').tensor, this.strides, this.padding);
    return biasAndActivation(y, this.useBias ? this.weight('bias').tensor : null, this.activation);
  }
  config(): LayerConfig {
    return { kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, depthMultiplier: 1,
      activation: this.activation, useBias: this.useBias, kernelInitializer: this.kernelInitializer,
      kernelRegularizer: this.kernelRegularizer ?? null };
  }
}

export interface SeparableConv2DConfig extends Omit<Conv2DConfig, 'kernelInitializer'> {
  depthwiseInitializer?: InitializerName;
  pointwiseInitializer?: InitializerName;
}

/** Depthwise (no bias) then a 1x1 convolution with bias: weights depthwise_kernel [kh,kw,C], pointwise_kernel [1,1,C,filters]. */
export class SeparableConv2D extends Layer {
  readonly type = 'SeparableConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly depthwiseInitializer: InitializerName;
  readonly pointwiseInitializer: InitializerName;
  readonly kernelRegularizer?: Regularizer;

  constructor(c: SeparableConv2DConfig) {
    super(c.name);
    this.filters = positiveInt(c.filters, 'filters', 'SeparableConv2D');
    this.kernelSize = pair(c.kernelSize, 'kernelSize', 'SeparableConv2D');
    this.strides = pair(c.strides ?? 1, 'strides', 'SeparableConv2D');
    this.padding = padding(c.padding, 'SeparableConv2D');
    this.activation = activation(c.activation, 'SeparableConv2D');
    this.useBias = c.useBias ?? true;
    this.depthwiseInitializer = initializer(c.depthwiseInitializer, 'glorotUniform', 'SeparableConv2D');
    this.pointwiseInitializer = initializer(c.pointwiseInitializer, 'glorotUniform', 'SeparableConv2D');
    this.kernelRegularizer = regularizer(c.kernelRegularizer, 'SeparableConv2D');
  }
  computeOutputShape([s]: Shape[]): Shape {
    return [...checkWindow(this, s!, this.kernelSize, this.strides, this.padding), this.filters];
  }
  override build([s]: Shape[], rng: Rng): void {
    const c = s![2]!;
    this.addWeight('depthwise_kernel', [...this.kernelSize, c], this.depthwiseInitializer, rng,
      { regularizer: this.kernelRegularizer, decay: true, depthwise: true });
    this.addWeight('pointwise_kernel', [1, 1, c, this.filters], this.pointwiseInitializer, rng,
      { regularizer: this.kernelRegularizer, decay: true });
    if (this.useBias) this.addWeight('bias', [this.filters], 'zeros', rng);
  }
  call([x]: Tensor[]): Tensor {
    const d = op.depthwiseConv2d(x!, this.weight('depthwise_kernel').tensor, this.strides, this.padding);
    const y = op.conv2d(d, this.weight('pointwise_kernel').tensor, [1, 1], 'valid');
    return biasAndActivation(y, this.useBias ? this.weight('bias').tensor : null, this.activation);
  }
  config(): LayerConfig {
    return { filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding,
      activation: this.activation, useBias: this.useBias, depthwiseInitializer: this.depthwiseInitializer,
      pointwiseInitializer: this.pointwiseInitializer, kernelRegularizer: this.kernelRegularizer ?? null };
  }
}

export interface BatchNormalizationConfig {
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  name?: string;
}

/**
 * Normalizes the last axis. Training uses the batch's mean and (biased) variance
 * and moves moving_mean / moving_variance toward them:
 * moving = momentum * moving + (1 - momentum) * batch. Inference uses the moving
 * statistics: y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta.
 */
export class BatchNormalization extends Layer {
  readonly type = 'BatchNormalization';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  constructor(c: BatchNormalizationConfig = {}) {
    super(c.name);
    this.momentum = c.momentum ?? 0.99;
    this.epsilon = c.epsilon ?? 1e-3;
    this.center = c.center ?? true;
    this.scale = c.scale ?? true;
    if (!(this.momentum >= 0 && this.momentum < 1)) fail('E_CONFIG', `BatchNormalization: momentum must be in [0, 1), got ${c.momentum}`);
    if (!(this.epsilon > 0)) fail('E_CONFIG', `BatchNormalization: epsilon must be > 0, got ${c.epsilon}`);
  }
  computeOutputShape([s]: Shape[]): Shape {
    return s!;
  }
  override build([s]: Shape[], rng: Rng): void {
    const c = [s![s!.length - 1]!];
    if (this.scale) this.addWeight('gamma', c, 'ones', rng);
    if (this.center) this.addWeight('beta', c, 'zeros', rng);
    this.addWeight('moving_mean', c, 'zeros', rng, { trainable: false });
    this.addWeight('moving_variance', c, 'ones', rng, { trainable: false });
  }
  call([x]: Tensor[], ctx: CallContext): Tensor {
    const C = x!.shape[x!.shape.length - 1]!;
    const count = x!.size / C;
    let y: Tensor;
    if (ctx.training) {
      const mean = op.scale(op.sumChannel(x!), 1 / count);
      const centered = op.addChannel(x!, op.scale(mean, -1));
      const variance = op.scale(op.sumChannel(op.square(centered)), 1 / count);
      y = op.mulChannel(centered, op.rsqrt(op.affine(variance, 1, this.epsilon)));
      this.updateMoving('moving_mean', mean.data);
      this.updateMoving('moving_variance', variance.data);
    } else {
      const mm = this.weight('moving_mean').tensor.data;
      const mv = this.weight('moving_variance').tensor.data;
      const shift = Tensor.from(mm.map((m) => -m));
      const inv = Tensor.from(mv.map((v) => 1 / Math.sqrt(v + this.epsilon)));
      y = op.mulChannel(op.addChannel(x!, shift), inv);
    }
    if (this.scale) y = op.mulChannel(y, this.weight('gamma').tensor);
    if (this.center) y = op.addChannel(y, this.weight('beta').tensor);
    return y;
  }
  private updateMoving(name: string, batch: Float32Array): void {
    const m = this.weight(name).tensor.data;
    for (let i = 0; i < m.length; i++) m[i] = this.momentum * m[i]! + (1 - this.momentum) * batch[i]!;
  }
  config(): LayerConfig {
    return { momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale, axis: -1 };
  }
}

// ------------------------------------------------------------ layers without weights

abstract class Pool2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  constructor(c: { poolSize?: number | [number, number]; strides?: number | [number, number]; padding?: Padding; name?: string }, type: string) {
    super(c.name);
    this.poolSize = pair(c.poolSize ?? 2, 'poolSize', type);
    this.strides = pair(c.strides ?? this.poolSize, 'strides', type);
    this.padding = padding(c.padding, type);
  }
  computeOutputShape([s]: Shape[]): Shape {
    return [...checkWindow(this, s!, this.poolSize, this.strides, this.padding), s![2]!];
  }
  config(): LayerConfig {
    return { poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}

export type Pool2DConfig = ConstructorParameters<typeof MaxPool2D>[0];

export class MaxPool2D extends Pool2D {
  readonly type = 'MaxPool2D';
  constructor(c: { poolSize?: number | [number, number]; strides?: number | [number, number]; padding?: Padding; name?: string } = {}) {
    super(c, 'MaxPool2D');
  }
  call([x]: Tensor[]): Tensor {
    return op.maxPool2d(x!, this.poolSize, this.strides, this.padding);
  }
}

/** Average pooling; with "same" padding, windows average only the taps inside the image. */
export class AveragePool2D extends Pool2D {
  readonly type = 'AveragePool2D';
  constructor(c: { poolSize?: number | [number, number]; strides?: number | [number, number]; padding?: Padding; name?: string } = {}) {
    super(c, 'AveragePool2D');
  }
  call([x]: Tensor[]): Tensor {
    return op.avgPool2d(x!, this.poolSize, this.strides, this.padding);
  }
}

/** [h, w, c] -> [c], the mean over height and width. */
export class GlobalAveragePool extends Layer {
  readonly type = 'GlobalAveragePool';
  constructor(c: { name?: string } = {}) {
    super(c.name);
  }
  computeOutputShape([s]: Shape[]): Shape {
    expectRank(this, s!, 3, 'an image [height, width, channels]');
    return [s![2]!];
  }
  call([x]: Tensor[]): Tensor {
    const [n, h, w, c] = x!.shape as [number, number, number, number];
    return op.reshape(op.avgPool2d(x!, [h, w], [h, w], 'valid'), [n, c]);
  }
  config(): LayerConfig {
    return {};
  }
}

/** Inverted dropout: in training, zeroes each value with probability `rate` and scales the rest by 1 / (1 - rate). */
export class Dropout extends Layer {
  readonly type = 'Dropout';
  readonly rate: number;
  constructor(c: { rate: number; name?: string }) {
    super(c.name);
    if (!(c.rate >= 0 && c.rate < 1)) fail('E_CONFIG', `Dropout: rate must be in [0, 1), got ${c.rate}`);
    this.rate = c.rate;
  }
  computeOutputShape([s]: Shape[]): Shape {
    return s!;
  }
  call([x]: Tensor[], ctx: CallContext): Tensor {
    if (!ctx.training || this.rate === 0) return x!;
    const keep = 1 / (1 - this.rate);
    const mask = new Float32Array(x!.size);
    for (let i = 0; i < mask.length; i++) mask[i] = ctx.rng.next() < this.rate ? 0 : keep;
    return op.mul(x!, new Tensor(mask, x!.shape));
  }
  config(): LayerConfig {
    return { rate: this.rate };
  }
}

export class Flatten extends Layer {
  readonly type = 'Flatten';
  constructor(c: { name?: string } = {}) {
    super(c.name);
  }
  computeOutputShape([s]: Shape[]): Shape {
    return [sizeOf(s!)];
  }
  call([x]: Tensor[]): Tensor {
    return op.reshape(x!, [x!.shape[0]!, x!.size / x!.shape[0]!]);
  }
  config(): LayerConfig {
    return {};
  }
}

export class Reshape extends Layer {
  readonly type = 'Reshape';
  readonly targetShape: number[];
  constructor(c: { targetShape: number[]; name?: string }) {
    super(c.name);
    if (!Array.isArray(c.targetShape) || !c.targetShape.every((d) => Number.isInteger(d) && d > 0))
      fail('E_CONFIG', `Reshape: targetShape must be a list of positive integers (batch axis excluded), got ${JSON.stringify(c.targetShape)}`);
    this.targetShape = c.targetShape;
  }
  computeOutputShape([s]: Shape[]): Shape {
    if (sizeOf(s!) !== sizeOf(this.targetShape))
      fail('E_SHAPE', `Reshape "${this.name}": cannot view [${s!.join(', ')}] as [${this.targetShape.join(', ')}]`);
    return this.targetShape;
  }
  call([x]: Tensor[]): Tensor {
    return op.reshape(x!, [x!.shape[0]!, ...this.targetShape]);
  }
  config(): LayerConfig {
    return { targetShape: this.targetShape };
  }
}

/** Sums two or more inputs of the same shape (residual connections). */
export class Add extends Layer {
  readonly type = 'Add';
  constructor(c: { name?: string } = {}) {
    super(c.name);
  }
  override get arity(): 'many' {
    return 'many';
  }
  computeOutputShape(shapes: Shape[]): Shape {
    const s = shapes[0]!;
    for (const t of shapes)
      if (t.length !== s.length || t.some((d, i) => d !== s[i]))
        fail('E_SHAPE', `Add "${this.name}": input shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(', ')} differ`);
    return s;
  }
  call(xs: Tensor[]): Tensor {
    return xs.slice(1).reduce((a, b) => op.add(a, b), xs[0]!);
  }
  config(): LayerConfig {
    return {};
  }
}

/** Joins inputs along the last (channel) axis. */
export class Concatenate extends Layer {
  readonly type = 'Concatenate';
  constructor(c: { axis?: -1; name?: string } = {}) {
    super(c.name);
    if (c.axis !== undefined && c.axis !== -1) fail('E_CONFIG', `Concatenate: only axis -1 (channels) is supported, got ${c.axis}`);
  }
  override get arity(): 'many' {
    return 'many';
  }
  computeOutputShape(shapes: Shape[]): Shape {
    const s = shapes[0]!;
    for (const t of shapes)
      if (t.length !== s.length || t.slice(0, -1).some((d, i) => d !== s[i]))
        fail('E_SHAPE', `Concatenate "${this.name}": shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(', ')} differ outside the last axis`);
    return [...s.slice(0, -1), shapes.reduce((a, t) => a + t[t.length - 1]!, 0)];
  }
  call(xs: Tensor[]): Tensor {
    return op.concat(xs);
  }
  config(): LayerConfig {
    return { axis: -1 };
  }
}

/** Zero rows and columns around NHWC images: padding [[top, bottom], [left, right]] or one number for all. */
export class ZeroPadding2D extends Layer {
  readonly type = 'ZeroPadding2D';
  readonly padding: [[number, number], [number, number]];
  constructor(c: { padding?: number | [[number, number], [number, number]]; name?: string } = {}) {
    super(c.name);
    const p = c.padding ?? 1;
    const full = typeof p === 'number' ? [[p, p], [p, p]] : p;
    if (!Array.isArray(full) || full.flat().length !== 4 || !full.flat().every((v) => Number.isInteger(v) && v >= 0))
      fail('E_CONFIG', `ZeroPadding2D: padding must be a number or [[top, bottom], [left, right]], got ${JSON.stringify(c.padding)}`);
    this.padding = full as [[number, number], [number, number]];
  }
  computeOutputShape([s]: Shape[]): Shape {
    expectRank(this, s!, 3, 'an image [height, width, channels]');
    const [[t, b], [l, r]] = this.padding;
    return [s![0]! + t + b, s![1]! + l + r, s![2]!];
  }
  call([x]: Tensor[]): Tensor {
    const [[t, b], [l, r]] = this.padding;
    return op.pad2d(x!, t, b, l, r);
  }
  config(): LayerConfig {
    return { padding: this.padding };
  }
}

/** An activation as its own layer: ReLU, ReLU6, LeakyReLU, ELU, Sigmoid, Tanh, Softmax, GELU, HardSwish. */
export class ActivationLayer extends Layer {
  constructor(
    readonly type: string,
    readonly activation: ActivationName,
    readonly alpha?: number,
    name?: string,
  ) {
    super(name);
  }
  computeOutputShape([s]: Shape[]): Shape {
    return s!;
  }
  call([x]: Tensor[]): Tensor {
    return applyActivation(x!, this.activation, this.alpha);
  }
  config(): LayerConfig {
    return this.alpha === undefined ? { activation: this.activation } : { activation: this.activation, alpha: this.alpha };
  }
}

const ACTIVATION_LAYERS: Record<string, [ActivationName, number | undefined]> = {
  ReLU: ['relu', undefined],
  ReLU6: ['relu6', undefined],
  LeakyReLU: ['leakyRelu', 0.3],
  ELU: ['elu', 1],
  Sigmoid: ['sigmoid', undefined],
  Tanh: ['tanh', undefined],
  Softmax: ['softmax', undefined],
  GELU: ['gelu', undefined],
  HardSwish: ['hardSwish', undefined],
};

/** Marks where a model's data enters. */
export class InputLayer extends Layer {
  readonly type = 'Input';
  constructor(readonly shape: Shape, name?: string) {
    super(name);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0))
      fail('E_CONFIG', `Input: shape must be a list of positive integers (batch axis excluded), got ${JSON.stringify(shape)}`);
  }
  computeOutputShape(): Shape {
    return this.shape;
  }
  override get arity(): number {
    return 0;
  }
  call([x]: Tensor[]): Tensor {
    return x!;
  }
  config(): LayerConfig {
    return { shape: this.shape };
  }
}

// ------------------------------------------------------------ registry

type Factory = (config: LayerConfig, name?: string) => Layer;

const REGISTRY: Record<string, Factory> = {
  Input: (c, n) => new InputLayer(c.shape as Shape, n),
  Dense: (c, n) => new Dense({ ...(c as unknown as DenseConfig), name: n }),
  Conv2D: (c, n) => new Conv2D({ ...(c as unknown as Conv2DConfig), name: n }),
  DepthwiseConv2D: (c, n) => new DepthwiseConv2D({ ...(c as unknown as DepthwiseConv2DConfig), name: n }),
  SeparableConv2D: (c, n) => new SeparableConv2D({ ...(c as unknown as SeparableConv2DConfig), name: n }),
  BatchNormalization: (c, n) => new BatchNormalization({ ...(c as BatchNormalizationConfig), name: n }),
  MaxPool2D: (c, n) => new MaxPool2D({ ...(c as Pool2DConfig), name: n }),
  AveragePool2D: (c, n) => new AveragePool2D({ ...(c as Pool2DConfig), name: n }),
  GlobalAveragePool: (_c, n) => new GlobalAveragePool({ name: n }),
  Dropout: (c, n) => new Dropout({ rate: c.rate as number, name: n }),
  Flatten: (_c, n) => new Flatten({ name: n }),
  Reshape: (c, n) => new Reshape({ targetShape: c.targetShape as number[], name: n }),
  Add: (_c, n) => new Add({ name: n }),
  Concatenate: (c, n) => new Concatenate({ axis: c.axis as -1, name: n }),
  ZeroPadding2D: (c, n) => new ZeroPadding2D({ padding: c.padding as number, name: n }),
  ...Object.fromEntries(
    Object.entries(ACTIVATION_LAYERS).map(([type, [act, defAlpha]]) => [
      type,
      (c: LayerConfig, n?: string) => new ActivationLayer(type, act, (c.alpha as number | undefined) ?? defAlpha, n),
    ]),
  ),
};

export const LAYER_TYPES = Object.keys(REGISTRY);

/** Rebuilds a layer from its saved type and configuration. */
export function createLayer(type: string, config: LayerConfig = {}, name?: string): Layer {
  const f = REGISTRY[type];
  if (!f) fail('E_UNKNOWN_LAYER', `unknown layer type "${type}"${name ? ` (layer "${name}")` : ''}; known types: ${LAYER_TYPES.join(', ')}`);
  return f(config ?? {}, name);
}

/** Factories, Keras style: layers.conv2d({ filters: 16, kernelSize: 3 }). */
export const layers = {
  dense: (c: DenseConfig) => new Dense(c),
  conv2d: (c: Conv2DConfig) => new Conv2D(c),
  depthwiseConv2d: (c: DepthwiseConv2DConfig) => new DepthwiseConv2D(c),
  separableConv2d: (c: SeparableConv2DConfig) => new SeparableConv2D(c),
  batchNormalization: (c: BatchNormalizationConfig = {}) => new BatchNormalization(c),
  maxPool2d: (c: Pool2DConfig = {}) => new MaxPool2D(c),
  averagePool2d: (c: Pool2DConfig = {}) => new AveragePool2D(c),
  globalAveragePool: (c: { name?: string } = {}) => new GlobalAveragePool(c),
  dropout: (c: { rate: number; name?: string }) => new Dropout(c),
  flatten: (c: { name?: string } = {}) => new Flatten(c),
  reshape: (c: { targetShape: number[]; name?: string }) => new Reshape(c),
  add: (c: { name?: string } = {}) => new Add(c),
  concatenate: (c: { name?: string } = {}) => new Concatenate(c),
  zeroPadding2d: (c: { padding?: number | [[number, number], [number, number]]; name?: string } = {}) => new ZeroPadding2D(c),
  relu: (c: { name?: string } = {}) => createLayer('ReLU', {}, c.name),
  relu6: (c: { name?: string } = {}) => createLayer('ReLU6', {}, c.name),
  leakyRelu: (c: { alpha?: number; name?: string } = {}) => createLayer('LeakyReLU', { alpha: c.alpha }, c.name),
  elu: (c: { alpha?: number; name?: string } = {}) => createLayer('ELU', { alpha: c.alpha }, c.name),
  sigmoid: (c: { name?: string } = {}) => createLayer('Sigmoid', {}, c.name),
  tanh: (c: { name?: string } = {}) => createLayer('Tanh', {}, c.name),
  softmax: (c: { name?: string } = {}) => createLayer('Softmax', {}, c.name),
  gelu: (c: { name?: string } = {}) => createLayer('GELU', {}, c.name),
  hardSwish: (c: { name?: string } = {}) => createLayer('HardSwish', {}, c.name),
};
