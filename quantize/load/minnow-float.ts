// A float model saved by the training library (model.json + weights.bin) → IR.
// The training library's own reader validates the files; this walks its layers.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deserialize } from '../../src/train/io.js';
import {
  ActivationLayer, Add, AveragePool2D, BatchNormalization, Concatenate, Conv2D, Dense, DepthwiseConv2D, Dropout, Flatten,
  GlobalAveragePool, InputLayer, MaxPool2D, Reshape, SeparableConv2D, ZeroPadding2D, type ActivationName, type Layer,
} from '../../src/train/layers.js';
import type { Model } from '../../src/train/model.js';
import { qfail, QuantizeError } from '../errors.js';
import { checkGraph, type IrGraph, type IrNode, type IrTensor } from '../ir/graph.js';

export interface LoadedModel {
  graph: IrGraph;
  /** Bytes of the float weights (float32). */
  floatBytes: number;
  /** The folder the model came from. */
  dir: string;
  /** model.json's free-form training notes. */
  training?: Record<string, unknown>;
}

/** Resolves a model argument (folder, model.json, or a folder holding `float/`) to its folder. */
export function modelFolder(path: string): string {
  if (!existsSync(path)) qfail('E_MODEL_MISSING', `model "${path}" does not exist; pass the folder a float model was saved to (it holds model.json and weights.bin)`);
  if (statSync(path).isFile()) {
    if (basename(path) === 'model.json') return dirname(path);
    qfail('E_MODEL_FORMAT', `"${path}" is not a model this tool reads; pass a minnow float model folder (model.json + weights.bin) or its model.json`);
  }
  if (existsSync(join(path, 'model.json'))) return path;
  for (const sub of ['float', 'model'])
    if (existsSync(join(path, sub, 'model.json'))) return join(path, sub);
  qfail('E_MODEL_MISSING', `no model.json in "${path}"; pass the folder a float model was saved to (it holds model.json and weights.bin)`);
}

export function loadMinnowFloat(path: string): LoadedModel {
  const dir = modelFolder(path);
  let json: { weightsFile?: string; weightsBytes?: number; training?: Record<string, unknown>; dataset?: string };
  try {
    json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  } catch (e) {
    qfail('E_MODEL_FORMAT', `${join(dir, 'model.json')} is damaged (not valid JSON: ${(e as Error).message}); re-save the model`);
  }
  const wf = join(dir, json.weightsFile ?? 'weights.bin');
  if (!existsSync(wf)) qfail('E_MODEL_MISSING', `${wf} is missing; model.json and its weights file must be kept together`);
  let m: Model;
  try {
    m = deserialize(json, new Uint8Array(readFileSync(wf)));
  } catch (e) {
    const err = e as Error & { code?: string };
    throw new QuantizeError('E_MODEL_FORMAT', `${dir}: the float model is damaged or not supported: ${err.message}`);
  }
  const graph = fromTrainModel(m, basename(dir) === 'float' ? basename(dirname(dir)) : basename(dir));
  for (const [k, v] of Object.entries(json.training ?? {})) if (k === 'dataset' || k === 'labels') (graph.meta as Record<string, unknown>)[k] = v;
  // A zoo folder's recipe names its data set (the default calibration data).
  // (A recipe's data.dataset, or the training metrics' dataset.)
  for (const r of [join(dir, 'recipe.json'), join(dirname(dir), 'recipe.json'), join(dir, 'metrics.json')]) {
    if (graph.meta.dataset || !existsSync(r)) continue;
    try {
      const j = JSON.parse(readFileSync(r, 'utf8')) as { data?: { dataset?: string }; dataset?: string; classes?: string[] };
      const ds = j.data?.dataset ?? j.dataset;
      if (typeof ds === 'string') graph.meta.dataset = ds;
      if (Array.isArray(j.classes) && !graph.meta.labels) graph.meta.labels = j.classes.map(String);
    } catch {
      // A damaged recipe only loses the default data set.
    }
  }
  return { graph, floatBytes: m.countParams() * 4, dir, training: json.training };
}

const ACT_LAYER: Record<ActivationName, IrNode['attrs']['fn'] | 'softmax'> = {
  linear: 'linear', relu: 'relu', relu6: 'relu6', leakyRelu: 'leakyRelu', elu: 'elu', sigmoid: 'sigmoid', tanh: 'tanh',
  softmax: 'softmax', gelu: 'gelu', hardSwish: 'hardSwish',
};

/** Converts a training-library model (in memory) to the IR. */
export function fromTrainModel(m: Model, name = 'model'): IrGraph {
  const tensors = new Map<string, IrTensor>();
  const nodes: IrNode[] = [];
  const out = new Map<unknown, string>(); // graph node -> tensor name
  const constant = (n: string, shape: number[], data: Float32Array) => {
    tensors.set(n, { name: n, shape: [...shape], data: data.slice() });
    return n;
  };
  const weight = (l: Layer, w: string) => {
    const t = l.weight(w).tensor;
    return constant(`${l.name}/${w}`, [...t.shape], t.data);
  };
  const optWeight = (l: Layer, w: string) => (l.weights.some((x) => x.name === w) ? weight(l, w) : '');
  const add = (n: Omit<IrNode, 'source'>, layer: Layer) => {
    nodes.push({ ...n, source: [layer.name] });
    return n.outputs[0]!;
  };
  /** A layer with a built-in activation: the linear op, then the activation as its own node. */
  const withActivation = (l: Layer, act: ActivationName, make: (outName: string) => void) => {
    if (act === 'linear') return make(l.name);
    make(`${l.name}/linear`);
    activationNode(l, act, `${l.name}/linear`, l.name);
  };
  const activationNode = (l: Layer, act: ActivationName, x: string, y: string, alpha?: number) => {
    const fn = ACT_LAYER[act];
    if (fn === 'softmax') add({ name: y, op: 'softmax', inputs: [x], outputs: [y], attrs: {} }, l);
    else if (fn === 'linear') add({ name: y, op: 'identity', inputs: [x], outputs: [y], attrs: {} }, l);
    else add({ name: y, op: 'activation', inputs: [x], outputs: [y], attrs: { fn, ...(alpha !== undefined ? { alpha } : {}) } }, l);
  };

  const inputs: string[] = [];
  for (const n of m.nodes) {
    const l = n.layer;
    const xs = n.inputs.map((i) => out.get(i)!);
    const x = xs[0]!;
    const y = l.name;
    out.set(n, y);
    if (l instanceof InputLayer) {
      tensors.set(y, { name: y, shape: [...l.shape] });
      inputs.push(y);
    } else if (l instanceof Conv2D) {
      withActivation(l, l.activation, (o) =>
        add({ name: o, op: 'conv2d', inputs: [x, weight(l, 'kernel'), optWeight(l, 'bias')], outputs: [o], attrs: { strides: l.strides, padding: l.padding, activation: 'none' } }, l));
    } else if (l instanceof DepthwiseConv2D) {
      withActivation(l, l.activation, (o) =>
        add({ name: o, op: 'depthwise', inputs: [x, weight(l, 'kernel'), optWeight(l, 'bias')], outputs: [o], attrs: { strides: l.strides, padding: l.padding, multiplier: 1, activation: 'none' } }, l));
    } else if (l instanceof SeparableConv2D) {
      const dw = `${l.name}/depthwise`;
      add({ name: dw, op: 'depthwise', inputs: [x, weight(l, 'depthwise_kernel'), ''], outputs: [dw], attrs: { strides: l.strides, padding: l.padding, multiplier: 1, activation: 'none' } }, l);
      withActivation(l, l.activation, (o) =>
        add({ name: o, op: 'conv2d', inputs: [dw, weight(l, 'pointwise_kernel'), optWeight(l, 'bias')], outputs: [o], attrs: { strides: [1, 1], padding: 'valid', activation: 'none' } }, l));
    } else if (l instanceof Dense) {
      withActivation(l, l.activation, (o) =>
        add({ name: o, op: 'dense', inputs: [x, weight(l, 'kernel'), optWeight(l, 'bias')], outputs: [o], attrs: { activation: 'none' } }, l));
    } else if (l instanceof BatchNormalization) {
      add({ name: y, op: 'batchnorm', inputs: [x, optWeight(l, 'gamma'), optWeight(l, 'beta'), weight(l, 'moving_mean'), weight(l, 'moving_variance')], outputs: [y], attrs: { epsilon: l.epsilon } }, l);
    } else if (l instanceof MaxPool2D || l instanceof AveragePool2D) {
      add({ name: y, op: l instanceof MaxPool2D ? 'maxpool' : 'avgpool', inputs: [x], outputs: [y], attrs: { pool: l.poolSize, strides: l.strides, padding: l.padding } }, l);
    } else if (l instanceof GlobalAveragePool) {
      add({ name: y, op: 'globalpool', inputs: [x], outputs: [y], attrs: {} }, l);
    } else if (l instanceof Dropout) {
      add({ name: y, op: 'identity', inputs: [x], outputs: [y], attrs: {} }, l);
    } else if (l instanceof Flatten) {
      add({ name: y, op: 'flatten', inputs: [x], outputs: [y], attrs: {} }, l);
    } else if (l instanceof Reshape) {
      add({ name: y, op: 'reshape', inputs: [x], outputs: [y], attrs: { shape: [...l.targetShape] } }, l);
    } else if (l instanceof Add) {
      let acc = xs[0]!;
      for (let k = 1; k < xs.length; k++) {
        const o = k === xs.length - 1 ? y : `${y}/${k}`;
        acc = add({ name: o, op: 'add', inputs: [acc, xs[k]!], outputs: [o], attrs: { activation: 'none' } }, l);
      }
    } else if (l instanceof Concatenate) {
      add({ name: y, op: 'concat', inputs: xs, outputs: [y], attrs: { axis: -1 } }, l);
    } else if (l instanceof ZeroPadding2D) {
      const [[t, b], [le, r]] = l.padding;
      add({ name: y, op: 'pad', inputs: [x], outputs: [y], attrs: { pads: [[t, b], [le, r], [0, 0]], value: 0 } }, l);
    } else if (l instanceof ActivationLayer) {
      activationNode(l, l.activation, x, y, l.alpha);
    } else {
      qfail('E_UNSUPPORTED_LAYER', `layer "${l.name}" (${l.type}) has no quantized form yet; replace it or ask for it to be added`);
    }
  }
  const g: IrGraph = { name, inputs, outputs: [out.get(m.output)!], tensors, nodes, meta: { source: 'minnow-float' } };
  checkGraph(g);
  return g;
}
