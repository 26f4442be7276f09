// Models: a graph of layers (functional API) or a chain (sequential), with
// Keras-style compile / fit / evaluate / predict.
import type { Callback, Logs } from './callbacks.js';
import { fail } from './errors.js';
import { InputLayer, Layer, type Weight } from './layers.js';
import { lossFunction, regularization, type LossConfig, type LossFn, type LossName } from './losses.js';
import * as op from './ops.js';
import { createOptimizer, type Optimizer, type OptimizerConfig } from './optimizers.js';
import { ProgressBar, type Stream } from './progress.js';
import { Rng } from './rng.js';
import { noGrad, Tensor, type Shape } from './tensor.js';
import { checkFinite, takeRows } from './batch.js';

// ------------------------------------------------------------ the graph

/** A layer placed in a graph, fed by other nodes. */
export interface GraphNode {
  layer: Layer;
  inputs: GraphNode[];
  shape: Shape;
}

/** What `input()` and `layer.apply()` return while a functional model is described. */
export class SymbolicTensor {
  constructor(readonly node: GraphNode) {}
  get shape(): Shape {
    return this.node.shape;
  }
}

const placed = new WeakMap<Layer, GraphNode>();

/** An input of a functional model; shape excludes the batch axis. */
export function input(shape: Shape, name?: string): SymbolicTensor {
  const layer = new InputLayer([...shape], name);
  const node: GraphNode = { layer, inputs: [], shape: layer.computeOutputShape() };
  placed.set(layer, node);
  return new SymbolicTensor(node);
}

/** Places a layer in a functional graph: apply(layer, x) or apply(layer, [a, b]). */
export function apply(layer: Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
  if (placed.has(layer)) fail('E_CONFIG', `layer "${layer.name || layer.type}" is already used; create a new layer for each place in the graph`);
  const xs = Array.isArray(x) ? x : [x];
  const arity = layer.arity;
  if (arity === 'many' ? xs.length < 2 : xs.length !== arity)
    fail('E_CONFIG', `${layer.type} takes ${arity === 'many' ? 'two or more inputs' : `${arity} input`}, got ${xs.length}`);
  const shapes = xs.map((t) => t.shape);
  const node: GraphNode = { layer, inputs: xs.map((t) => t.node), shape: layer.computeOutputShape(shapes) };
  layer.inputShapes = shapes;
  layer.outputShape = node.shape;
  placed.set(layer, node);
  return new SymbolicTensor(node);
}

// ------------------------------------------------------------ the model

export interface CompileOptions {
  optimizer?: OptimizerConfig | OptimizerConfig['type'] | Optimizer;
  loss: LossName | LossConfig | LossFn;
  /** Shown during fit and returned by evaluate: 'accuracy', 'mse', 'mae'. */
  metrics?: ('accuracy' | 'mse' | 'mae')[];
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Seeds shuffling, dropout and augmentation (default: derived from the model seed). */
  seed?: number;
  validationData?: [Tensor | Tensor[], Tensor];
  /** Holds out this fraction from the end of the data for validation (before shuffling). */
  validationSplit?: number;
  callbacks?: Callback[];
  /** 0 silent, 1 progress bar on a terminal / a line per epoch otherwise. */
  verbose?: 0 | 1;
  /** Where progress goes (default process.stdout). */
  progressStream?: Stream;
  /** Transforms each training batch of the first input, e.g. random shifts. */
  augment?: (x: Tensor, rng: Rng) => Tensor;
}

export interface History {
  epochs: Logs[];
  seconds: number;
}

export class Model {
  readonly nodes: GraphNode[];
  readonly inputs: GraphNode[];
  readonly output: GraphNode;
  readonly seed: number;
  stopTraining = false;
  optimizer: Optimizer | null = null;
  private loss: { fn: LossFn; config: LossConfig | null } | null = null;
  private metrics: string[] = [];
  /** The compile options as JSON (recorded in model.json for information). */
  compileConfig: Record<string, unknown> | null = null;

  constructor(inputs: SymbolicTensor[], output: SymbolicTensor, seed = 1) {
    this.seed = seed;
    this.inputs = inputs.map((t) => t.node);
    this.output = output.node;
    this.nodes = topoOrder(this.output);
    for (const i of this.inputs) if (!this.nodes.includes(i)) this.nodes.unshift(i);
    const unknownInput = this.nodes.find((n) => n.layer instanceof InputLayer && !this.inputs.includes(n));
    if (unknownInput) fail('E_CONFIG', `the graph uses input "${unknownInput.layer.name}" that is not listed in the model's inputs`);
    nameLayers(this.nodes.map((n) => n.layer));
    const rng = new Rng(seed);
    for (const n of this.nodes) {
      const shapes = n.inputs.map((i) => i.shape);
      n.layer.inputShapes = shapes;
      n.layer.outputShape = n.shape;
      if (!n.layer.weights.length) n.layer.build(shapes, rng);
    }
  }

  get layers(): Layer[] {
    return this.nodes.map((n) => n.layer);
  }

  get inputShapes(): Shape[] {
    return this.inputs.map((n) => n.shape);
  }

  /** Every weight with its full name "layer/weight", in a fixed order (layers in graph order). */
  namedWeights(): { name: string; layer: Layer; weight: Weight }[] {
    return this.layers.flatMap((layer) => layer.weights.map((weight) => ({ name: `${layer.name}/${weight.name}`, layer, weight })));
  }

  getWeights(): Float32Array[] {
    return this.namedWeights().map((w) => w.weight.tensor.data);
  }

  setWeights(values: Float32Array[]): void {
    const ws = this.namedWeights();
    if (values.length !== ws.length) fail('E_SHAPE', `setWeights: model has ${ws.length} weights, got ${values.length}`);
    ws.forEach((w, i) => {
      if (values[i]!.length !== w.weight.tensor.size)
        fail('E_SHAPE', `setWeights: "${w.name}" needs ${w.weight.tensor.size} values, got ${values[i]!.length}`);
      w.weight.tensor.data.set(values[i]!);
    });
  }

  countParams(trainableOnly = false): number {
    return this.namedWeights().reduce((n, w) => n + (trainableOnly && !w.weight.trainable ? 0 : w.weight.tensor.size), 0);
  }

  summary(): string {
    const rows = this.nodes.map((n) => [
      `${n.layer.name} (${n.layer.type})`,
      `[${n.shape.join(', ')}]`,
      String(n.layer.weights.reduce((a, w) => a + w.tensor.size, 0)),
    ]);
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), 8));
    const line = (r: string[]) => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]!.padStart(w[2]!)}`;
    return [line(['layer', 'output', 'params']), ...rows.map(line), `total params: ${this.countParams()}`].join('\n');
  }

  // -------------------------------------------------------- running

  private checkInputs(xs: Tensor[]): number {
    if (xs.length !== this.inputs.length) fail('E_SHAPE', `the model takes ${this.inputs.length} input(s), got ${xs.length}`);
    const n = xs[0]!.shape[0]!;
    xs.forEach((x, i) => {
      const want = this.inputs[i]!.shape;
      const got = x.shape.slice(1);
      if (x.shape[0] !== n || got.length !== want.length || got.some((d, k) => d !== want[k]))
        fail('E_SHAPE', `input "${this.inputs[i]!.layer.name}" expects [batch, ${want.join(', ')}], got [${x.shape.join(', ')}]`);
    });
    return n;
  }

  /** Runs the graph; returns every node's output (same order as nodes). */
  private run(xs: Tensor[], training: boolean, rng: Rng): Tensor[] {
    const values = new Map<GraphNode, Tensor>();
    this.inputs.forEach((n, i) => values.set(n, xs[i]!));
    return this.nodes.map((n) => {
      let v = values.get(n);
      if (!v) {
        v = n.layer.call(n.inputs.map((i) => values.get(i)!), { training, rng });
        values.set(n, v);
      }
      return v;
    });
  }

  /** Forward pass on a batch (records gradients when `training`). */
  forward(x: Tensor | Tensor[], training = false, rng = new Rng(this.seed)): Tensor {
    const xs = Array.isArray(x) ? x : [x];
    this.checkInputs(xs);
    const all = this.run(xs, training, rng);
    return all[this.nodes.indexOf(this.output)]!;
  }

  /**
   * Inference that also returns each layer's output, in graph order: what the
   * quantizer needs to calibrate ranges and measure per-layer error.
   */
  forwardWithActivations(x: Tensor | Tensor[]): { name: string; type: string; output: Tensor }[] {
    const xs = Array.isArray(x) ? x : [x];
    this.checkInputs(xs);
    return noGrad(() => this.run(xs, false, new Rng(this.seed))).map((output, i) => ({
      name: this.nodes[i]!.layer.name,
      type: this.nodes[i]!.layer.type,
      output,
    }));
  }

  /** Inference over any number of samples, in batches. */
  predict(x: Tensor | Tensor[], opts: { batchSize?: number } = {}): Tensor {
    const xs = Array.isArray(x) ? x : [x];
    const n = this.checkInputs(xs);
    // Small batches keep each layer's im2col matrix in cache; larger ones run slower.
    const bs = opts.batchSize ?? 64;
    const outShape = this.output.shape;
    const per = outShape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n * per);
    noGrad(() => {
      for (let s = 0; s < n; s += bs) {
        const e = Math.min(n, s + bs);
        const batch = xs.map((t) => takeRows(t, null, s, e));
        out.set(this.forward(batch).data, s * per);
      }
    });
    return new Tensor(out, [n, ...outShape]);
  }

  // -------------------------------------------------------- training

  compile(o: CompileOptions): this {
    this.optimizer = createOptimizer(o.optimizer ?? 'adam');
    this.loss = lossFunction(o.loss);
    this.metrics = o.metrics ?? [];
    this.compileConfig = {
      optimizer: this.optimizer.config,
      loss: this.loss.config ?? 'custom',
      metrics: this.metrics,
    };
    return this;
  }

  private requireCompiled(what: string): { fn: LossFn; config: LossConfig | null } {
    if (!this.loss || !this.optimizer) fail('E_STATE', `${what}() needs a compiled model; call model.compile({ optimizer, loss }) first`);
    return this.loss;
  }

  /** Loss of one batch plus kernel regularization, recording gradients. */
  private batchLoss(pred: Tensor, y: Tensor): Tensor {
    let loss = this.loss!.fn(pred, y);
    for (const { weight } of this.namedWeights()) {
      const r = weight.regularizer && regularization(weight.tensor, weight.regularizer.l1, weight.regularizer.l2);
      if (r) loss = op.add(loss, r);
    }
    return loss;
  }

  /** One optimization step on a batch; returns the loss and predictions. */
  trainOnBatch(x: Tensor | Tensor[], y: Tensor, rng = new Rng(this.seed)): { loss: number; pred: Tensor } {
    this.requireCompiled('trainOnBatch');
    const weights = this.namedWeights().map((w) => w.weight);
    for (const w of weights) w.tensor.grad = null;
    const pred = this.forward(x, true, rng);
    const loss = this.batchLoss(pred, y);
    loss.backward();
    this.optimizer!.step(weights);
    return { loss: loss.item(), pred };
  }

  fit(x: Tensor | Tensor[], y: Tensor, o: FitOptions = {}): History {
    this.requireCompiled('fit');
    let xs = Array.isArray(x) ? x : [x];
    let ys = y;
    let n = this.checkInputs(xs);
    if (ys.shape[0] !== n) fail('E_SHAPE', `fit: ${n} inputs but ${ys.shape[0]} targets; both need the same first axis`);
    for (const t of [...xs, ys]) checkFinite(t, 'fit');
    let validation = o.validationData ? { xs: toList(o.validationData[0]), y: o.validationData[1] } : null;
    if (!validation && o.validationSplit) {
      if (!(o.validationSplit > 0 && o.validationSplit < 1)) fail('E_CONFIG', `validationSplit must be in (0, 1), got ${o.validationSplit}`);
      const cut = Math.floor(n * (1 - o.validationSplit));
      validation = { xs: xs.map((t) => takeRows(t, null, cut, n)), y: takeRows(ys, null, cut, n) };
      xs = xs.map((t) => takeRows(t, null, 0, cut));
      ys = takeRows(ys, null, 0, cut);
      n = cut;
    }
    const epochs = o.epochs ?? 1;
    const bs = o.batchSize ?? 32;
    const rng = new Rng(o.seed ?? this.seed + 1);
    const callbacks = [...(o.callbacks ?? [])];
    if ((o.verbose ?? 1) > 0) callbacks.unshift(new ProgressBar(epochs, n, o.progressStream));
    const history: History = { epochs: [], seconds: 0 };
    const t0 = performance.now();
    this.stopTraining = false;
    for (const c of callbacks) c.onTrainBegin?.(this);
    for (let epoch = 0; epoch < epochs && !this.stopTraining; epoch++) {
      for (const c of callbacks) c.onEpochBegin?.(epoch, this);
      const order = o.shuffle === false ? null : rng.permutation(n);
      const sums: Logs = {};
      let seen = 0;
      for (let s = 0, b = 0; s < n; s += bs, b++) {
        const e = Math.min(n, s + bs);
        const bx = xs.map((t) => takeRows(t, order, s, e));
        if (o.augment) bx[0] = o.augment(bx[0]!, rng);
        const by = takeRows(ys, order, s, e);
        const { loss, pred } = this.trainOnBatch(bx, by, rng);
        if (!Number.isFinite(loss))
          fail('E_DATA', `the loss became ${loss} at epoch ${epoch + 1}, batch ${b + 1}; lower the learning rate or add gradient clipping (clipNorm)`);
        const k = e - s;
        sums.loss = (sums.loss ?? 0) + loss * k;
        for (const [m, v] of Object.entries(this.batchMetrics(pred, by))) sums[m] = (sums[m] ?? 0) + v * k;
        seen += k;
        const logs: Logs = { samples: seen };
        for (const [m, v] of Object.entries(sums)) logs[m] = v / seen;
        for (const c of callbacks) c.onBatchEnd?.(b, logs, this);
      }
      const logs: Logs = {};
      for (const [m, v] of Object.entries(sums)) logs[m] = v / seen;
      if (validation) for (const [m, v] of Object.entries(this.evaluate(validation.xs, validation.y))) logs[`val_${m}`] = v;
      history.epochs.push(logs);
      for (const c of callbacks) c.onEpochEnd?.(epoch, logs, this);
    }
    for (const c of callbacks) c.onTrainEnd?.(this);
    history.seconds = (performance.now() - t0) / 1000;
    return history;
  }

  /** Loss and compiled metrics over a data set (inference mode, no regularization term). */
  evaluate(x: Tensor | Tensor[], y: Tensor, opts: { batchSize?: number } = {}): Logs {
    const loss = this.requireCompiled('evaluate');
    const pred = this.predict(x, opts);
    checkFinite(y, 'evaluate');
    const logs: Logs = { loss: noGrad(() => loss.fn(pred, y)).item() };
    Object.assign(logs, this.batchMetrics(pred, y));
    return logs;
  }

  private batchMetrics(pred: Tensor, y: Tensor): Logs {
    const out: Logs = {};
    for (const m of this.metrics) {
      if (m === 'accuracy') out.accuracy = quickAccuracy(pred, y, this.loss?.config?.fromLogits ?? false);
      else if (m === 'mse' || m === 'mae') {
        let s = 0;
        for (let i = 0; i < pred.size; i++) {
          const d = pred.data[i]! - y.data[i]!;
          s += m === 'mse' ? d * d : Math.abs(d);
        }
        out[m] = s / pred.size;
      } else fail('E_CONFIG', `unknown fit metric "${m}"; use accuracy, mse or mae (see metrics.ts for the rest)`);
    }
    return out;
  }
}

/** Fraction correct: argmax for several classes (targets as indices or one-hot), threshold for one output. */
function quickAccuracy(pred: Tensor, y: Tensor, fromLogits: boolean): number {
  const C = pred.shape[pred.shape.length - 1]!;
  const N = pred.size / C;
  let correct = 0;
  for (let n = 0; n < N; n++) {
    if (C === 1) {
      const p = pred.data[n]! > (fromLogits ? 0 : 0.5) ? 1 : 0;
      if (p === (y.data[n]! > 0.5 ? 1 : 0)) correct++;
      continue;
    }
    const p = argmax(pred.data, n * C, C);
    const t = y.size === N ? y.data[n]! : argmax(y.data, n * C, C);
    if (p === t) correct++;
  }
  return correct / N;
}

function argmax(a: Float32Array, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[off + i]! > a[off + best]!) best = i;
  return best;
}

function toList(x: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(x) ? x : [x];
}

function topoOrder(out: GraphNode): GraphNode[] {
  const order: GraphNode[] = [];
  const state = new Map<GraphNode, 1 | 2>();
  const visit = (n: GraphNode) => {
    const s = state.get(n);
    if (s === 2) return;
    if (s === 1) fail('E_CONFIG', `the graph has a cycle through layer "${n.layer.name}"`);
    state.set(n, 1);
    for (const i of n.inputs) visit(i);
    state.set(n, 2);
    order.push(n);
  };
  visit(out);
  return order;
}

function nameLayers(layers: Layer[]): void {
  const used = new Set<string>();
  for (const l of layers) {
    if (!l.name) continue;
    if (used.has(l.name)) fail('E_CONFIG', `two layers are named "${l.name}"; layer names must be unique`);
    used.add(l.name);
  }
  const counts = new Map<string, number>();
  for (const l of layers) {
    if (l.name) continue;
    // Keras-style snake case: DepthwiseConv2D -> depthwise_conv2d, ReLU -> relu.
    const base = l.type.replace(/([a-z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
    let k = counts.get(base) ?? 0;
    let name: string;
    do name = `${base}_${++k}`;
    while (used.has(name));
    counts.set(base, k);
    used.add(name);
    l.name = name;
  }
}

/** A functional model from its inputs and output. */
export function model(o: { inputs: SymbolicTensor | SymbolicTensor[]; outputs: SymbolicTensor; seed?: number }): Model {
  return new Model(toSymList(o.inputs), o.outputs, o.seed);
}

function toSymList(x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor[] {
  return Array.isArray(x) ? x : [x];
}

/** A chain of layers fed by one input of `inputShape` (batch axis excluded). */
export function sequential(layers: Layer[], o: { inputShape: Shape; seed?: number; inputName?: string }): Model {
  if (!o?.inputShape) fail('E_CONFIG', 'sequential() needs { inputShape: [...] } (without the batch axis)');
  const inp = input(o.inputShape, o.inputName);
  let x = inp;
  for (const l of layers) x = apply(l, x);
  return new Model([inp], x, o.seed);
}

/** Inference: the same as model.predict(x). */
export function predict(m: Model, x: Tensor | Tensor[], o: { batchSize?: number } = {}): Tensor {
  return m.predict(x, o);
}

/** Each layer's output for x, in graph order: the same as model.forwardWithActivations(x). */
export function forwardWithActivations(m: Model, x: Tensor | Tensor[]): { name: string; type: string; output: Tensor }[] {
  return m.forwardWithActivations(x);
}
