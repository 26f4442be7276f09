// TF.js layers models (model.json with "format": "layers-model" + weight
// shards) → the float graph IR. Keras's layouts are the IR's (NHWC, kernels
// [KH, KW, Cin, Cout], dense [K, N]), so weights are taken as they are.
// Sequential and functional models; float32 weights, or weights quantized by
// the TF.js converter (uint8 / uint16: value = q * scale + min; float16).
// Every unsupported layer or setting is reported at once.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkGraph, inferShape, type Attrs, type IrGraph, type IrNode, type OpKind } from '../../ir/graph.js';
import { failIfUnsupported, ImportError, Unsupported, type OpStatus } from '../issues.js';
import { halfToFloat } from '../half.js';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

export interface TfjsModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
}

export interface TfjsFloatModel {
  graph: IrGraph;
  ops: OpStatus[];
  floatBytes: number;
}

type Cfg = Record<string, unknown>;
interface KLayer {
  class_name: string;
  name: string;
  config: Cfg;
  inbound: string[];
}

/** Whether a parsed model.json is a TF.js layers model. */
export function isTfjsLayersJson(j: unknown): j is TfjsModelJson {
  const o = j as Record<string, unknown>;
  return !!o && typeof o === 'object' && 'modelTopology' in o && Array.isArray(o.weightsManifest) && (o.format === undefined || o.format === 'layers-model');
}

/** Decodes every weight of the manifest from the concatenated shards of each group. */
export function decodeWeights(json: TfjsModelJson, readShard: (path: string) => Uint8Array, where = 'model.json'): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const group of json.weightsManifest) {
    const parts = group.paths.map((p) => readShard(p));
    const total = parts.reduce((a, b) => a + b.length, 0);
    const bytes = new Uint8Array(total);
    let off = 0;
    for (const p of parts) bytes.set(p, (off += p.length) - p.length);
    const view = new DataView(bytes.buffer);
    let at = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const kind = q?.dtype ?? w.dtype;
      const width = kind === 'uint8' || kind === 'int8' || kind === 'bool' ? 1 : kind === 'uint16' || kind === 'float16' ? 2 : 4;
      if (at + n * width > total)
        throw new ImportError('E_TFJS_WEIGHTS', `${where}: weight "${w.name}" [${w.shape}] runs past the end of its shards (${total} bytes); the weight files are damaged or missing`);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const p = at + i * width;
        let v: number;
        if (kind === 'float32') v = view.getFloat32(p, true);
        else if (kind === 'int32') v = view.getInt32(p, true);
        else if (kind === 'uint8') v = view.getUint8(p);
        else if (kind === 'int8') v = view.getInt8(p);
        else if (kind === 'uint16') v = view.getUint16(p, true);
        else if (kind === 'float16') v = halfToFloat(view.getUint16(p, true));
        else if (kind === 'bool') v = view.getUint8(p);
        else throw new ImportError('E_TFJS_WEIGHTS', `${where}: weight "${w.name}" has dtype ${kind}, which minnow does not read`);
        if (q && (q.dtype === 'uint8' || q.dtype === 'uint16')) v = v * (q.scale ?? 1) + (q.min ?? 0);
        data[i] = v;
      }
      out.set(w.name, { shape: w.shape, data });
      at += n * width;
    }
  }
  return out;
}

/** Reads a TF.js layers model from its model.json path (shards beside it). */
export function readTfjsLayers(path: string, name?: string): TfjsFloatModel {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ImportError('E_MODEL_FORMAT', `${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isTfjsLayersJson(json)) throw new ImportError('E_MODEL_FORMAT', `${path} is not a TF.js layers model (no modelTopology / weightsManifest)`);
  const dir = dirname(path);
  const weights = decodeWeights(json, (p) => {
    const f = join(dir, p);
    if (!existsSync(f)) throw new ImportError('E_MODEL_MISSING', `${path}: weight shard ${p} is missing; keep model.json and its .bin shards together`);
    return new Uint8Array(readFileSync(f));
  }, path);
  return importTfjsLayers(json, weights, name ?? 'model');
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The layers of the topology, each with the names of the layers feeding it. */
function layersOf(topology: unknown): { layers: KLayer[]; inputs?: string[]; outputs?: string[] } {
  let t = topology as Cfg;
  if (t && 'model_config' in t) t = t.model_config as Cfg;
  const cls = t?.class_name as string;
  let cfg = t?.config as Cfg | Cfg[];
  const raw = (Array.isArray(cfg) ? cfg : (cfg?.layers as Cfg[])) ?? [];
  if (cls === 'Sequential') {
    const layers: KLayer[] = [];
    let prev: string | undefined;
    for (const [i, l] of raw.entries()) {
      const config = (l.config ?? {}) as Cfg;
      const name = (config.name as string) ?? (l.name as string) ?? `layer_${i}`;
      const shape = (config.batch_input_shape ?? config.batchInputShape ?? config.batch_shape) as (number | null)[] | undefined;
      if (!prev && l.class_name !== 'InputLayer') {
        if (!shape) throw new ImportError('E_TFJS_TOPOLOGY', `layer "${name}": the first layer of a Sequential model needs batch_input_shape`);
        layers.push({ class_name: 'InputLayer', name: `${name}_input`, config: { batch_input_shape: shape }, inbound: [] });
        prev = `${name}_input`;
      }
      layers.push({ class_name: l.class_name as string, name, config, inbound: prev ? [prev] : [] });
      prev = name;
    }
    return { layers };
  }
  if (cls === 'Model' || cls === 'Functional') {
    cfg = cfg as Cfg;
    const names = (v: unknown): string[] => {
      // [[name, node, tensor, kwargs], ...], [name, node, tensor], or Keras 3 {args: [{config: {keras_history: [name, ...]}}]}
      const out: string[] = [];
      const walk = (x: unknown): void => {
        if (Array.isArray(x)) {
          if (typeof x[0] === 'string' && typeof x[1] === 'number') out.push(x[0]);
          else x.forEach(walk);
        } else if (x && typeof x === 'object') {
          const o = x as Cfg;
          if (o.config && (o.config as Cfg).keras_history) out.push(((o.config as Cfg).keras_history as string[])[0]!);
          else if (o.args) walk(o.args);
        }
      };
      walk(v);
      return out;
    };
    const layers = raw.map((l, i) => {
      const config = (l.config ?? {}) as Cfg;
      const name = (l.name as string) ?? (config.name as string) ?? `layer_${i}`;
      return { class_name: l.class_name as string, name, config, inbound: names(l.inbound_nodes ?? []) };
    });
    return { layers, inputs: names(cfg.input_layers), outputs: names(cfg.output_layers) };
  }
  throw new ImportError('E_TFJS_TOPOLOGY', `model class "${cls}" is not a Sequential or functional Model`);
}

const ACTIVATIONS: Record<string, Attrs | 'softmax' | 'linear'> = {
  linear: 'linear', relu: { fn: 'relu' }, relu6: { fn: 'relu6' }, sigmoid: { fn: 'sigmoid' }, tanh: { fn: 'tanh' },
  softmax: 'softmax', elu: { fn: 'elu', alpha: 1 }, gelu: { fn: 'geluErf' }, hardSigmoid: { fn: 'hardSigmoid', alpha: 0.2, beta: 0.5 },
  geluNew: { fn: 'gelu' }, gelu_new: { fn: 'gelu' }, hardSwish: { fn: 'hardSwish' }, hard_swish: { fn: 'hardSwish' }, leakyRelu: { fn: 'leakyRelu', alpha: 0.2 }, leaky_relu: { fn: 'leakyRelu', alpha: 0.2 },
};

const KNOWN = new Set([
  'InputLayer', 'Dense', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'BatchNormalization', 'Activation', 'ReLU', 'LeakyReLU', 'ELU',
  'Softmax', 'MaxPooling2D', 'AveragePooling2D', 'MaxPool2D', 'AveragePool2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten',
  'Reshape', 'Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'Add', 'Multiply', 'Subtract', 'Concatenate', 'ZeroPadding2D',
]);

export function importTfjsLayers(json: TfjsModelJson, weights: Map<string, { shape: number[]; data: Float32Array }>, name = 'model', opts: { collect?: boolean } = {}): TfjsFloatModel {
  const { layers, inputs, outputs } = layersOf(json.modelTopology);
  const g: IrGraph = { name, inputs: [], outputs: [], tensors: new Map(), nodes: [], meta: { source: 'tfjs' } };
  const ops: OpStatus[] = [];
  const done = new Map<string, string>(); // layer → output tensor
  const poisoned = new Set<string>();
  let floatBytes = 0;

  const weight = (layer: string, w: string, required = true): string => {
    const found = [...weights.keys()].find((k) => k === `${layer}/${w}` || k.endsWith(`/${layer}/${w}`) || k === `${layer}/${w}:0`);
    if (!found) {
      if (!required) return '';
      throw new Unsupported(`weight "${layer}/${w}" is not in the weights manifest`, 'export the model with its weights');
    }
    const v = weights.get(found)!;
    const n = `${layer}/${w}`;
    g.tensors.set(n, { name: n, shape: [...v.shape], data: v.data });
    floatBytes += v.data.length * 4;
    return n;
  };
  const emit = (l: KLayer, op: OpKind, ins: string[], attrs: Attrs, out?: string) => {
    const o = out ?? `${l.name}/${op}`;
    const n: IrNode = { name: o, op, inputs: ins, outputs: [o], attrs, source: [l.name] };
    g.nodes.push(n);
    g.tensors.set(o, { name: o, shape: inferShape(g, n) });
    return o;
  };
  /** A linear op followed by the layer's activation (a separate node, fused later for ReLU/ReLU6). */
  const withActivation = (l: KLayer, make: (out: string) => void) => {
    const act = camel(String(l.config.activation ?? 'linear'));
    const a = ACTIVATIONS[act] ?? ACTIVATIONS[String(l.config.activation)];
    if (!a) throw new Unsupported(`activation "${l.config.activation}"`, `use one of ${Object.keys(ACTIVATIONS).join(', ')}`);
    if (a === 'linear') return make(l.name);
    make(`${l.name}/linear`);
    if (a === 'softmax') emit(l, 'softmax', [`${l.name}/linear`], { beta: 1 }, l.name);
    else emit(l, 'activation', [`${l.name}/linear`], a, l.name);
  };
  const pair = (v: unknown, what: string): [number, number] => {
    if (typeof v === 'number') return [v, v];
    if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
    throw new Unsupported(`${what} ${JSON.stringify(v)}`, 'give one number or two');
  };
  const paddingOf = (l: KLayer) => {
    const p = String(l.config.padding ?? 'valid');
    if (p !== 'same' && p !== 'valid') throw new Unsupported(`padding "${p}"`, 'use "same" or "valid"');
    return p as 'same' | 'valid';
  };
  const channelsLast = (l: KLayer) => {
    const f = l.config.data_format ?? l.config.dataFormat;
    if (f && f !== 'channels_last') throw new Unsupported(`data_format ${f}`, 'use channels_last (NHWC)');
  };
  const useBias = (l: KLayer) => (l.config.use_bias ?? l.config.useBias ?? true) !== false;

  for (const l of layers) {
    if (l.inbound.some((i) => poisoned.has(i))) {
      // After an unsupported layer: the checks that need no input shape.
      poisoned.add(l.name);
      try {
        precheck(l);
        ops.push({ name: l.name, op: l.class_name, supported: true });
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        ops.push({ name: l.name, op: l.class_name, supported: false, why: e.message, fix: e.fix });
      }
      continue;
    }
    try {
      convert(l);
      ops.push({ name: l.name, op: l.class_name, supported: true });
    } catch (e) {
      poisoned.add(l.name);
      if (e instanceof Unsupported) ops.push({ name: l.name, op: l.class_name, supported: false, why: e.message, fix: e.fix });
      else if (e instanceof Error && (e as { code?: string }).code === 'E_SHAPE') ops.push({ name: l.name, op: l.class_name, supported: false, why: e.message, fix: 'check the model\'s shapes' });
      else throw e;
    }
  }
  const outs = outputs ?? (layers.length ? [layers[layers.length - 1]!.name] : []);
  for (const o of outs) if (done.has(o)) g.outputs.push(done.get(o)!);
  if (inputs) g.inputs.sort((a, b) => inputs.indexOf(a) - inputs.indexOf(b));
  if (!opts.collect) failIfUnsupported(name, ops);
  if (ops.every((o) => o.supported)) checkGraph(g);
  return { graph: g, ops, floatBytes };

  function precheck(l: KLayer): void {
    if (!KNOWN.has(l.class_name)) throw new Unsupported(`no minnow equivalent for the ${l.class_name} layer`, 'replace the layer in the source model');
    const a = l.config.activation;
    if (a !== undefined && !(ACTIVATIONS[camel(String(a))] ?? ACTIVATIONS[String(a)]))
      throw new Unsupported(`activation "${a}"`, `use one of ${Object.keys(ACTIVATIONS).join(', ')}`);
    if (l.config.padding !== undefined && typeof l.config.padding === 'string' && !['same', 'valid'].includes(l.config.padding))
      throw new Unsupported(`padding "${l.config.padding}"`, 'use "same" or "valid"');
  }

  function convert(l: KLayer): void {
    const xs = l.inbound.map((i) => {
      const t = done.get(i);
      if (!t) throw new Unsupported(`input layer "${i}" is not defined before it`, 'fix the topology');
      return t;
    });
    const x = xs[0]!;
    const c = l.config;
    const set = () => done.set(l.name, l.name);
    switch (l.class_name) {
      case 'InputLayer': {
        const shape = (c.batch_input_shape ?? c.batchInputShape ?? c.batch_shape) as (number | null)[] | undefined;
        if (!shape || shape.slice(1).some((d) => !(typeof d === 'number' && d > 0))) throw new Unsupported(`input shape ${JSON.stringify(shape)}`, 'give the input a fixed shape (only the batch axis may be unknown)');
        g.tensors.set(l.name, { name: l.name, shape: shape.slice(1) as number[] });
        g.inputs.push(l.name);
        set();
        return;
      }
      case 'Dense':
        withActivation(l, (o) => emit(l, 'dense', [x, weight(l.name, 'kernel'), useBias(l) ? weight(l.name, 'bias') : ''], { activation: 'none' }, o));
        break;
      case 'Conv2D':
        channelsLast(l);
        withActivation(l, (o) =>
          emit(l, 'conv2d', [x, weight(l.name, 'kernel'), useBias(l) ? weight(l.name, 'bias') : ''], {
            strides: pair(c.strides ?? 1, 'strides'), padding: paddingOf(l), dilations: pair(c.dilation_rate ?? 1, 'dilation_rate'), activation: 'none',
          }, o));
        break;
      case 'DepthwiseConv2D': {
        channelsLast(l);
        const k = weight(l.name, 'depthwise_kernel');
        const ks = g.tensors.get(k)!;
        // Keras: [KH, KW, C, m] → IR [KH, KW, C*m] (same order).
        ks.shape = [ks.shape[0]!, ks.shape[1]!, ks.shape[2]! * (ks.shape[3] ?? 1)];
        withActivation(l, (o) =>
          emit(l, 'depthwise', [x, k, useBias(l) ? weight(l.name, 'bias') : ''], {
            strides: pair(c.strides ?? 1, 'strides'), padding: paddingOf(l), dilations: pair(c.dilation_rate ?? 1, 'dilation_rate'),
            multiplier: Number(c.depth_multiplier ?? 1), activation: 'none',
          }, o));
        break;
      }
      case 'SeparableConv2D': {
        channelsLast(l);
        const k = weight(l.name, 'depthwise_kernel');
        const ks = g.tensors.get(k)!;
        const m = ks.shape[3] ?? 1;
        ks.shape = [ks.shape[0]!, ks.shape[1]!, ks.shape[2]! * m];
        const dw = emit(l, 'depthwise', [x, k, ''], { strides: pair(c.strides ?? 1, 'strides'), padding: paddingOf(l), dilations: pair(c.dilation_rate ?? 1, 'dilation_rate'), multiplier: m, activation: 'none' });
        const pk = weight(l.name, 'pointwise_kernel');
        withActivation(l, (o) => emit(l, 'conv2d', [dw, pk, useBias(l) ? weight(l.name, 'bias') : ''], { strides: [1, 1], padding: 'valid', activation: 'none' }, o));
        break;
      }
      case 'BatchNormalization': {
        const axis = Number(c.axis ?? -1);
        const rank = g.tensors.get(x)!.shape.length + 1;
        if (!(axis === -1 || axis === rank - 1)) throw new Unsupported(`axis ${axis}`, 'normalize over the last (channel) axis');
        emit(l, 'batchnorm', [x, c.scale === false ? '' : weight(l.name, 'gamma'), c.center === false ? '' : weight(l.name, 'beta'), weight(l.name, 'moving_mean'), weight(l.name, 'moving_variance')], { epsilon: Number(c.epsilon ?? 1e-3) }, l.name);
        break;
      }
      case 'Activation': {
        const a = ACTIVATIONS[camel(String(c.activation))] ?? ACTIVATIONS[String(c.activation)];
        if (!a) throw new Unsupported(`activation "${c.activation}"`, `use one of ${Object.keys(ACTIVATIONS).join(', ')}`);
        if (a === 'linear') emit(l, 'identity', [x], {}, l.name);
        else if (a === 'softmax') emit(l, 'softmax', [x], { beta: 1 }, l.name);
        else emit(l, 'activation', [x], a, l.name);
        break;
      }
      case 'ReLU': {
        const max = c.max_value ?? c.maxValue;
        const slope = Number(c.negative_slope ?? c.negativeSlope ?? 0);
        const thr = Number(c.threshold ?? 0);
        if (slope || thr) throw new Unsupported('negative_slope / threshold', 'use LeakyReLU, or a plain ReLU');
        if (max == null) emit(l, 'activation', [x], { fn: 'relu' }, l.name);
        else if (Number(max) === 6) emit(l, 'activation', [x], { fn: 'relu6' }, l.name);
        else emit(l, 'activation', [x], { fn: 'clip', min: 0, max: Number(max) }, l.name);
        break;
      }
      case 'LeakyReLU':
        emit(l, 'activation', [x], { fn: 'leakyRelu', alpha: Number(c.alpha ?? c.negative_slope ?? 0.3) }, l.name);
        break;
      case 'ELU':
        emit(l, 'activation', [x], { fn: 'elu', alpha: Number(c.alpha ?? 1) }, l.name);
        break;
      case 'Softmax': {
        const axis = Number(c.axis ?? -1);
        if (axis !== -1 && axis !== g.tensors.get(x)!.shape.length) throw new Unsupported(`axis ${axis}`, 'apply softmax over the last axis');
        emit(l, 'softmax', [x], { beta: 1 }, l.name);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D':
      case 'MaxPool2D':
      case 'AveragePool2D': {
        channelsLast(l);
        const pool = pair(c.pool_size ?? 2, 'pool_size');
        emit(l, l.class_name.startsWith('Max') ? 'maxpool' : 'avgpool', [x], { pool, strides: c.strides == null ? pool : pair(c.strides, 'strides'), padding: paddingOf(l) }, l.name);
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        channelsLast(l);
        const s = g.tensors.get(x)!.shape;
        const keep = !!c.keepdims;
        if (l.class_name === 'GlobalMaxPooling2D') {
          const p = emit(l, 'maxpool', [x], { pool: [s[0]!, s[1]!], strides: [1, 1], padding: 'valid' }, keep ? l.name : undefined);
          if (!keep) emit(l, 'flatten', [p], {}, l.name);
        } else {
          const p = emit(l, 'globalpool', [x], {}, keep ? undefined : l.name);
          if (keep) emit(l, 'reshape', [p], { shape: [1, 1, s[2]!] }, l.name);
        }
        break;
      }
      case 'Flatten':
        emit(l, 'flatten', [x], {}, l.name);
        break;
      case 'Reshape':
        emit(l, 'reshape', [x], { shape: (c.target_shape ?? c.targetShape) as number[] }, l.name);
        break;
      case 'Dropout':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
        emit(l, 'identity', [x], {}, l.name);
        break;
      case 'Add':
      case 'Multiply':
      case 'Subtract': {
        if (xs.length < 2) throw new Unsupported(`${xs.length} inputs`, 'give two or more inputs');
        if (l.class_name === 'Subtract' && xs.length !== 2) throw new Unsupported('Subtract of more than two inputs', 'subtract two inputs');
        const op: OpKind = l.class_name === 'Add' ? 'add' : l.class_name === 'Multiply' ? 'mul' : 'sub';
        let acc = xs[0]!;
        for (let k = 1; k < xs.length; k++) acc = emit(l, op, [acc, xs[k]!], { activation: 'none' }, k === xs.length - 1 ? l.name : `${l.name}/${k}`);
        break;
      }
      case 'Concatenate': {
        const rank = g.tensors.get(x)!.shape.length + 1;
        let axis = Number(c.axis ?? -1);
        if (axis < 0) axis += rank;
        if (axis === 0) throw new Unsupported('concatenation along the batch axis', 'concatenate along another axis');
        emit(l, 'concat', xs, { axis: axis - 1 }, l.name);
        break;
      }
      case 'ZeroPadding2D': {
        channelsLast(l);
        const p = c.padding ?? 1;
        let pads: [[number, number], [number, number]];
        if (typeof p === 'number') pads = [[p, p], [p, p]];
        else if (Array.isArray(p) && typeof p[0] === 'number') pads = [[p[0] as number, p[0] as number], [p[1] as number, p[1] as number]];
        else pads = p as [[number, number], [number, number]];
        emit(l, 'pad', [x], { pads: [pads[0], pads[1], [0, 0]], value: 0 }, l.name);
        break;
      }
      default:
        throw new Unsupported(`no minnow equivalent for the ${l.class_name} layer`, 'replace the layer in the source model');
    }
    set();
  }
}
