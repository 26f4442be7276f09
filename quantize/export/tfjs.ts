// A float model (the IR of a minnow-trained model) as a TF.js layers model:
// model.json (a functional Keras topology, "format": "layers-model") and one
// float32 weight shard. Keras's layouts are the IR's, so weights are written
// as they are (depthwise kernels as [KH, KW, C, multiplier]).
import { qfail } from '../errors.js';
import { size, tensorOf, type IrGraph, type IrNode } from '../ir/graph.js';

export interface TfjsFiles {
  json: Record<string, unknown>;
  /** The single weight shard, named in json.weightsManifest[0].paths[0]. */
  shardName: string;
  shard: Uint8Array;
}

const ACT: Record<string, string> = {
  relu: 'relu', relu6: 'relu6', sigmoid: 'sigmoid', tanh: 'tanh', elu: 'elu', gelu: 'gelu_new', geluErf: 'gelu',
  hardSwish: 'hard_swish', hardSigmoid: 'hard_sigmoid', linear: 'linear',
};

export function exportTfjs(g: IrGraph, shardName = 'group1-shard1of1.bin'): TfjsFiles {
  const layers: Record<string, unknown>[] = [];
  const weights: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const chunks: Float32Array[] = [];
  const layerOf = new Map<string, string>(); // IR tensor → Keras layer name
  const used = new Set<string>();
  const unique = (base: string) => {
    let n = base.replace(/[^A-Za-z0-9_.-]/g, '_');
    for (let i = 1; used.has(n); i++) n = `${base.replace(/[^A-Za-z0-9_.-]/g, '_')}_${i}`;
    used.add(n);
    return n;
  };
  const weight = (layer: string, w: string, t: string, shape?: number[]) => {
    const d = tensorOf(g, t);
    weights.push({ name: `${layer}/${w}`, shape: shape ?? [...d.shape], dtype: 'float32' });
    chunks.push(d.data!);
  };
  const add = (n: IrNode, cls: string, config: Record<string, unknown>, inputs: string[]) => {
    const name = unique(n.name);
    for (const i of inputs) if (!layerOf.has(i)) qfail('E_EXPORT', `layer "${n.name}": input "${i}" is a constant; TF.js layers take activations only`);
    layers.push({ class_name: cls, name, config: { name, trainable: true, dtype: 'float32', ...config }, inbound_nodes: [inputs.map((i) => [layerOf.get(i)!, 0, 0, {}])] });
    layerOf.set(n.outputs[0]!, name);
    return name;
  };
  const act = (n: IrNode) => n.attrs.activation && n.attrs.activation !== 'none' ? n.attrs.activation : 'linear';
  const padding = (n: IrNode) => {
    const p = n.attrs.padding ?? 'valid';
    if (typeof p !== 'string') qfail('E_EXPORT', `layer "${n.name}": explicit padding [${p}] has no Keras form; use 'same' or 'valid'`);
    return p;
  };

  for (const i of g.inputs) {
    const name = unique(i);
    layers.push({ class_name: 'InputLayer', name, config: { name, batch_input_shape: [null, ...tensorOf(g, i).shape], dtype: 'float32', sparse: false }, inbound_nodes: [] });
    layerOf.set(i, name);
  }
  for (const n of g.nodes) {
    const x = n.inputs[0]!;
    switch (n.op) {
      case 'conv2d': {
        const k = tensorOf(g, n.inputs[1]!);
        const l = add(n, 'Conv2D', {
          filters: k.shape[3], kernel_size: k.shape.slice(0, 2), strides: n.attrs.strides ?? [1, 1], padding: padding(n), data_format: 'channels_last',
          dilation_rate: n.attrs.dilations ?? [1, 1], activation: act(n), use_bias: !!n.inputs[2],
        }, [x]);
        weight(l, 'kernel', n.inputs[1]!);
        if (n.inputs[2]) weight(l, 'bias', n.inputs[2]);
        break;
      }
      case 'depthwise': {
        const k = tensorOf(g, n.inputs[1]!);
        const m = n.attrs.multiplier ?? 1;
        const c = tensorOf(g, x).shape[2]!;
        const l = add(n, 'DepthwiseConv2D', {
          kernel_size: k.shape.slice(0, 2), strides: n.attrs.strides ?? [1, 1], padding: padding(n), data_format: 'channels_last',
          dilation_rate: n.attrs.dilations ?? [1, 1], depth_multiplier: m, activation: act(n), use_bias: !!n.inputs[2],
        }, [x]);
        weight(l, 'depthwise_kernel', n.inputs[1]!, [k.shape[0]!, k.shape[1]!, c, m]);
        if (n.inputs[2]) weight(l, 'bias', n.inputs[2]);
        break;
      }
      case 'dense':
      case 'matmul': {
        const k = tensorOf(g, n.inputs[1]!);
        if (!k.data) qfail('E_EXPORT', `layer "${n.name}": a matmul of two activations has no Keras layer`);
        const l = add(n, 'Dense', { units: k.shape[1], activation: act(n), use_bias: !!n.inputs[2] }, [x]);
        weight(l, 'kernel', n.inputs[1]!);
        if (n.inputs[2]) weight(l, 'bias', n.inputs[2]);
        break;
      }
      case 'batchnorm': {
        const [, gamma, beta, mean, variance] = n.inputs;
        const l = add(n, 'BatchNormalization', { axis: -1, epsilon: n.attrs.epsilon ?? 1e-3, center: !!beta, scale: !!gamma, momentum: 0.99 }, [x]);
        if (gamma) weight(l, 'gamma', gamma);
        if (beta) weight(l, 'beta', beta);
        weight(l, 'moving_mean', mean!);
        weight(l, 'moving_variance', variance!);
        break;
      }
      case 'maxpool':
      case 'avgpool':
        add(n, n.op === 'maxpool' ? 'MaxPooling2D' : 'AveragePooling2D', { pool_size: n.attrs.pool ?? [2, 2], strides: n.attrs.strides ?? [1, 1], padding: padding(n), data_format: 'channels_last' }, [x]);
        break;
      case 'globalpool':
      case 'mean':
        add(n, 'GlobalAveragePooling2D', { data_format: 'channels_last' }, [x]);
        break;
      case 'add':
      case 'sub':
      case 'mul': {
        if (n.attrs.activation && n.attrs.activation !== 'none') qfail('E_EXPORT', `layer "${n.name}": a fused activation on ${n.op} has no Keras form`);
        add(n, n.op === 'add' ? 'Add' : n.op === 'sub' ? 'Subtract' : 'Multiply', {}, n.inputs);
        break;
      }
      case 'concat': {
        const r = tensorOf(g, x).shape.length;
        const a = n.attrs.axis! < 0 ? n.attrs.axis! + r : n.attrs.axis!;
        add(n, 'Concatenate', { axis: a + 1 }, n.inputs);
        break;
      }
      case 'pad': {
        const p = n.attrs.pads!;
        if (p.length !== 3 || p[2]![0] || p[2]![1] || (n.attrs.value ?? 0) !== 0) qfail('E_EXPORT', `layer "${n.name}": only zero padding of image rows and columns has a Keras form`);
        add(n, 'ZeroPadding2D', { padding: [p[0], p[1]], data_format: 'channels_last' }, [x]);
        break;
      }
      case 'flatten':
        add(n, 'Flatten', {}, [x]);
        break;
      case 'reshape':
        add(n, 'Reshape', { target_shape: n.attrs.shape }, [x]);
        break;
      case 'identity':
        add(n, 'Activation', { activation: 'linear' }, [x]);
        break;
      case 'softmax':
        if ((n.attrs.beta ?? 1) !== 1) qfail('E_EXPORT', `layer "${n.name}": softmax with beta ${n.attrs.beta}`);
        add(n, 'Softmax', { axis: -1 }, [x]);
        break;
      case 'activation': {
        const fn = n.attrs.fn!;
        if (fn === 'leakyRelu') add(n, 'LeakyReLU', { alpha: n.attrs.alpha ?? 0.3 }, [x]);
        else if (fn === 'elu' && (n.attrs.alpha ?? 1) !== 1) add(n, 'ELU', { alpha: n.attrs.alpha }, [x]);
        else if (fn === 'clip' && (n.attrs.min ?? 0) === 0 && n.attrs.max !== undefined) add(n, 'ReLU', { max_value: n.attrs.max }, [x]);
        else if (ACT[fn] && !(fn === 'hardSigmoid' && ((n.attrs.alpha ?? 0.2) !== 0.2 || (n.attrs.beta ?? 0.5) !== 0.5))) add(n, 'Activation', { activation: ACT[fn] }, [x]);
        else qfail('E_EXPORT', `layer "${n.name}": activation ${fn} has no Keras form`);
        break;
      }
      default:
        qfail('E_EXPORT', `layer "${n.name}" (${n.op}) has no TF.js layers form`);
    }
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const c of chunks) all.set(c, (off += c.length) - c.length);
  void size;
  const json = {
    format: 'layers-model',
    generatedBy: 'minnow',
    convertedBy: null,
    modelTopology: {
      class_name: 'Model',
      config: {
        name: g.name,
        layers,
        input_layers: g.inputs.map((i) => [layerOf.get(i), 0, 0]),
        output_layers: g.outputs.map((o) => [layerOf.get(o), 0, 0]),
      },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [shardName], weights }],
  };
  return { json, shardName, shard: new Uint8Array(all.buffer) };
}
