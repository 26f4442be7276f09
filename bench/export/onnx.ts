// Writes an int8 Net as a QDQ ONNX model (opset 13), the format onnxruntime
// turns into its integer kernels: every int8 activation is DequantizeLinear'd
// before a float op and QuantizeLinear'd after it; int8 weights are
// DequantizeLinear'd per output channel (axis 0), int32 biases at scale
// s_in * s_w. Graph input and output are int8 (or uint8, see the options). 4-D tensors are NCHW (the Net
// is NHWC): filters are transposed, and a flatten of a tensor with spatial
// extent is preceded by a transpose back to NHWC order so the values agree.
import onnxProto from 'onnx-proto';
import { onnx } from '../../quantize/import/onnx/proto.js';
import { elements, isQuantized, spatial, type Layer, type Net, type Quant } from './net.js';

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
type Attr = onnxProto.onnx.IAttributeProto;

const nchw = (s: number[]) => (s.length === 4 ? [s[0]!, s[3]!, s[1]!, s[2]!] : s);
const ints = (name: string, v: number[]): Attr => ({ name, type: A.INTS, ints: v });
const int = (name: string, v: number): Attr => ({ name, type: A.INT, i: v });

export interface OnnxExportOptions {
  /** Producer name written into the model. */
  producer?: string;
  /**
   * Activation type: int8 (default, TFLite's) or uint8, the same values moved
   * by 128 (zero point + 128, same scale: bit-identical arithmetic), which is
   * onnxruntime's preferred (U8S8) form on x86.
   */
  activations?: 'int8' | 'uint8';
}

/** The .onnx bytes of a quantized Net. */
export function writeOnnxQdq(net: Net, options: OnnxExportOptions = {}): Uint8Array {
  if (!isQuantized(net)) throw new Error(`${net.name}: the network is not quantized`);
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const inits: onnxProto.onnx.ITensorProto[] = [];
  const names = new Set<string>();
  const unique = (base: string) => {
    let n = base.replace(/[^A-Za-z0-9_./-]/g, '_');
    for (let i = 1; names.has(n); i++) n = `${base}_${i}`;
    names.add(n);
    return n;
  };
  const init = (base: string, dataType: number, dims: number[], data: Int8Array | Uint8Array | Int32Array | Float32Array | BigInt64Array) => {
    const name = unique(base);
    inits.push({ name, dataType, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() });
    return name;
  };
  const node = (opType: string, inputs: string[], outBase: string, attribute: Attr[] = []) => {
    const out = unique(outBase);
    nodes.push({ opType, name: unique(`${outBase}/${opType}`), input: inputs, output: [out], attribute });
    return out;
  };
  // The int8 value of each Net tensor, and its scale / zero point initializers.
  const value = net.tensors.map((t) => unique(t.name));
  const u8 = options.activations === 'uint8';
  const actType = u8 ? T.UINT8 : T.INT8;
  const qparams = net.tensors.map((t) => {
    const q = t.quant!;
    const zp = u8 ? Uint8Array.of(q.zeroPoint + 128) : Int8Array.of(q.zeroPoint);
    return [init(`${t.name}/scale`, T.FLOAT, [], Float32Array.of(q.scale)), init(`${t.name}/zero_point`, actType, [], zp)] as const;
  });
  const dq = (t: number, consumer: string) => node('DequantizeLinear', [value[t]!, ...qparams[t]!], `${consumer}/${net.tensors[t]!.name}_dq`);
  const q = (f: string, t: number) => {
    const [s, z] = qparams[t]!;
    nodes.push({ opType: 'QuantizeLinear', name: unique(`${value[t]}/QuantizeLinear`), input: [f, s, z], output: [value[t]!] });
  };
  const activation = (f: string, l: Layer & { activation: string }) => {
    if (l.activation === 'relu') return node('Relu', [f], `${l.name}/relu`);
    if (l.activation === 'relu6') return node('Clip', [f, init(`${l.name}/min`, T.FLOAT, [], Float32Array.of(0)), init(`${l.name}/max`, T.FLOAT, [], Float32Array.of(6))], `${l.name}/relu6`);
    return f;
  };
  /** DequantizeLinear of the filter (reordered to ONNX layout) and the bias. */
  const weights = (l: Layer & { op: 'conv2d' | 'depthwise' | 'dense' }, inScale: number) => {
    const wq = l.weights.q!;
    const s = l.weights.shape;
    let dims: number[];
    let data: Int8Array;
    if (l.op === 'dense') {
      dims = s;
      data = wq.data;
    } else if (l.op === 'conv2d') {
      const [oc, kh, kw, ic] = s as [number, number, number, number];
      dims = [oc, ic, kh, kw];
      data = new Int8Array(wq.data.length);
      for (let o = 0; o < oc; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ic; i++)
        data[((o * ic + i) * kh + y) * kw + x] = wq.data[((o * kh + y) * kw + x) * ic + i]!;
    } else {
      const [, kh, kw, oc] = s as [number, number, number, number];
      dims = [oc, 1, kh, kw];
      data = new Int8Array(wq.data.length);
      for (let o = 0; o < oc; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) data[(o * kh + y) * kw + x] = wq.data[(y * kw + x) * oc + o]!;
    }
    const oc = dims[0]!;
    const perChannel = wq.scales.length > 1;
    const axis = perChannel ? [int('axis', 0)] : [];
    const scaleDims = perChannel ? [oc] : [];
    const w = init(`${l.name}/filter`, T.INT8, dims, data);
    const ws = init(`${l.name}/filter_scale`, T.FLOAT, scaleDims, Float32Array.from(wq.scales));
    const wz = init(`${l.name}/filter_zero_point`, T.INT8, scaleDims, new Int8Array(wq.scales.length));
    const b = init(`${l.name}/bias`, T.INT32, [oc], wq.bias);
    const bs = init(`${l.name}/bias_scale`, T.FLOAT, scaleDims, Float32Array.from(wq.scales, (v) => Math.fround(Math.fround(inScale) * v)));
    const bz = init(`${l.name}/bias_zero_point`, T.INT32, scaleDims, new Int32Array(wq.scales.length));
    return [node('DequantizeLinear', [w, ws, wz], `${l.name}/filter_dq`, axis), node('DequantizeLinear', [b, bs, bz], `${l.name}/bias_dq`, axis)];
  };
  const pads = (l: Layer & { stride: [number, number]; padding: 'same' | 'valid' }, kh: number, kw: number) => {
    const [, h, w] = net.tensors[l.inputs[0]!]!.shape as [number, number, number, number];
    const py = spatial(h, kh, l.stride[0], l.padding);
    const px = spatial(w, kw, l.stride[1], l.padding);
    return ints('pads', [py.before, px.before, py.after, px.after]);
  };

  for (const l of net.layers) {
    const inQ: Quant = net.tensors[l.inputs[0]!]!.quant!;
    switch (l.op) {
      case 'conv2d':
      case 'depthwise': {
        const [, kh, kw] = l.weights.shape as [number, number, number, number];
        const [w, b] = weights(l, inQ.scale);
        const group = l.op === 'depthwise' ? net.tensors[l.inputs[0]!]!.shape[3]! : 1;
        const y = node('Conv', [dq(l.inputs[0]!, l.name), w, b], `${l.name}/conv`, [
          ints('kernel_shape', [kh, kw]), ints('strides', l.stride), ints('dilations', [1, 1]), pads(l, kh, kw), int('group', group),
        ]);
        q(activation(y, l), l.output);
        break;
      }
      case 'dense': {
        const xs = net.tensors[l.inputs[0]!]!.shape;
        if (xs.length !== 2) throw new Error(`${net.name}: dense layer ${l.name} on a rank-${xs.length} input; reshape it to [rows, K] first`);
        const [w, b] = weights(l, inQ.scale);
        const y = node('Gemm', [dq(l.inputs[0]!, l.name), w, b], `${l.name}/gemm`, [int('transB', 1)]);
        q(activation(y, l), l.output);
        break;
      }
      case 'avgpool':
      case 'maxpool': {
        const attrs = [ints('kernel_shape', l.filter), ints('strides', l.stride), pads(l, l.filter[0], l.filter[1])];
        if (l.op === 'maxpool' && l.activation === 'none') {
          // Same scale in and out: max pooling commutes with dequantization, so it runs on the int8 values.
          nodes.push({ opType: 'MaxPool', name: unique(`${l.name}/MaxPool`), input: [value[l.inputs[0]!]!], output: [value[l.output]!], attribute: attrs });
          break;
        }
        const y = node(l.op === 'avgpool' ? 'AveragePool' : 'MaxPool', [dq(l.inputs[0]!, l.name)], `${l.name}/pool`, l.op === 'avgpool' ? [...attrs, int('count_include_pad', 0)] : attrs);
        q(activation(y, l), l.output);
        break;
      }
      case 'add': {
        const y = node('Add', [dq(l.inputs[0]!, l.name), dq(l.inputs[1]!, l.name)], `${l.name}/add`);
        q(activation(y, l), l.output);
        break;
      }
      case 'reshape': {
        // Same scale in and out: a reshape of the int8 values (NHWC order restored first if needed).
        const xs = net.tensors[l.inputs[0]!]!.shape;
        let x = value[l.inputs[0]!]!;
        if (xs.length === 4 && xs[1]! * xs[2]! > 1) x = node('Transpose', [x], `${l.name}/nhwc`, [ints('perm', [0, 2, 3, 1])]);
        const outShape = net.tensors[l.output]!.shape;
        const shape = init(`${l.name}/shape`, T.INT64, [outShape.length], BigInt64Array.from(nchw(outShape), BigInt));
        if (outShape.length === 4 && outShape[1]! * outShape[2]! > 1) throw new Error(`${net.name}: reshape ${l.name} to a 4-D shape with spatial extent is not supported`);
        nodes.push({ opType: 'Reshape', name: unique(`${l.name}/Reshape`), input: [x, shape], output: [value[l.output]!] });
        break;
      }
      case 'softmax': {
        const y = node('Softmax', [dq(l.inputs[0]!, l.name)], `${l.name}/softmax`, [int('axis', -1)]);
        q(y, l.output);
        break;
      }
    }
  }

  const info = (t: number): onnxProto.onnx.IValueInfoProto => ({
    name: value[t]!,
    type: { tensorType: { elemType: actType, shape: { dim: nchw(net.tensors[t]!.shape).map((d) => ({ dimValue: d })) } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: options.producer ?? 'minnow bench',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: net.name, node: nodes, initializer: inits, input: [info(net.input)], output: [info(net.output)] },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** NHWC int8 input values in the ONNX model's NCHW order. */
export function toNchw(x: Int8Array | Float32Array, shape: number[]): typeof x {
  if (shape.length !== 4) return x;
  const [n, h, w, c] = shape as [number, number, number, number];
  const out = new (x.constructor as Int8ArrayConstructor)(elements(shape));
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let i = 0; i < w; i++) for (let k = 0; k < c; k++)
    out[((b * c + k) * h + y) * w + i] = x[((b * h + y) * w + i) * c + k]!;
  return out as typeof x;
}
