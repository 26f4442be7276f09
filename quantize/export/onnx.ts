// A float model (the IR of a minnow-trained model) written as ONNX (opset 20),
// so it can be checked in other tools.
//
// The graph input and output keep minnow's layout: NHWC images, [N, K]
// vectors, batch axis first and symbolic ("N"). Inside, images are NCHW as
// ONNX's Conv and pools want them: the input is transposed once, and a
// tensor leaves NCHW only where order matters (reshape, flatten, transpose)
// or at an output. Weights are transposed to ONNX's layouts (conv
// [Cout, Cin, KH, KW], depthwise [C*m, 1, KH, KW]); 'same' padding becomes
// explicit pads (TensorFlow's split: the extra pixel after).
import onnxProto from 'onnx-proto';
import { size, tensorOf, windowAxis, type IrGraph, type IrNode } from '../ir/graph.js';
import { qfail } from '../errors.js';
import { onnx } from '../import/onnx/proto.js';

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
type Attr = onnxProto.onnx.IAttributeProto;
type Node = onnxProto.onnx.INodeProto;

const ints = (name: string, v: number[]): Attr => ({ name, type: A.INTS, ints: v });
const int = (name: string, v: number): Attr => ({ name, type: A.INT, i: v });
const float = (name: string, v: number): Attr => ({ name, type: A.FLOAT, f: v });
const str = (name: string, v: string): Attr => ({ name, type: A.STRING, s: new TextEncoder().encode(v) });

export interface OnnxExportOptions {
  producer?: string;
}

/** ONNX bytes of a float IR graph (before optimization passes; BN stays BatchNormalization). */
export function exportOnnx(g: IrGraph, options: OnnxExportOptions = {}): Uint8Array {
  const nodes: Node[] = [];
  const inits: onnxProto.onnx.ITensorProto[] = [];
  const names = new Set<string>();
  const unique = (base: string) => {
    let n = base.replace(/[^A-Za-z0-9_./:-]/g, '_');
    for (let i = 1; names.has(n); i++) n = `${base}_${i}`;
    names.add(n);
    return n;
  };
  const init = (base: string, dims: number[], data: Float32Array | BigInt64Array) => {
    const name = unique(base);
    const dataType = data instanceof Float32Array ? T.FLOAT : T.INT64;
    inits.push({ name, dataType, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() });
    return name;
  };
  const i64 = (base: string, v: number[]) => init(base, [v.length], BigInt64Array.from(v.map(BigInt)));
  const node = (opType: string, inputs: string[], outBase: string, attribute: Attr[] = []) => {
    const out = unique(outBase);
    nodes.push({ opType, name: unique(`${outBase}/${opType}`), input: inputs, output: [out], attribute });
    return out;
  };

  /** ONNX name of each IR tensor, and whether it is held NCHW (IR images [H, W, C]). */
  const val = new Map<string, { name: string; nchw: boolean }>();
  const isImage = (t: string) => tensorOf(g, t).shape.length === 3;
  /** The tensor in minnow's order (NHWC / as the IR holds it). */
  const plain = (t: string): string => {
    const v = val.get(t)!;
    if (!v.nchw) return v.name;
    const key = `${t}/nhwc`;
    if (!val.has(key)) val.set(key, { name: node('Transpose', [v.name], key, [ints('perm', [0, 2, 3, 1])]), nchw: false });
    return val.get(key)!.name;
  };
  /** The tensor in NCHW order (images). */
  const nchw = (t: string): string => {
    const v = val.get(t)!;
    if (v.nchw) return v.name;
    if (!isImage(t)) qfail('E_EXPORT', `tensor "${t}" [${tensorOf(g, t).shape}] is not an image`);
    const key = `${t}/nchw`;
    if (!val.has(key)) val.set(key, { name: node('Transpose', [v.name], key, [ints('perm', [0, 3, 1, 2])]), nchw: true });
    return val.get(key)!.name;
  };
  /** A constant operand, laid out to broadcast against an activation held as `like`. */
  const constOperand = (t: string, asNchw: boolean) => {
    const c = tensorOf(g, t);
    if (asNchw) {
      const s = [...new Array(3 - c.shape.length).fill(1), ...c.shape] as [number, number, number];
      const [h, w, ch] = s;
      const out = new Float32Array(c.data!.length);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < ch; k++) out[(k * h + y) * w + x] = c.data![(y * w + x) * ch + k]!;
      return init(t, [1, ch, h, w], out);
    }
    return init(t, [...c.shape], c.data!);
  };
  const fused = (y: string, act: IrNode['attrs']['activation'], base: string) => {
    if (!act || act === 'none') return y;
    if (act === 'relu') return node('Relu', [y], base);
    return node('Clip', [y, init(`${base}/min`, [], Float32Array.of(0)), init(`${base}/max`, [], Float32Array.of(6))], base);
  };
  const pads = (n: IrNode, xs: number[], k: [number, number]) => {
    const [sh, sw] = n.attrs.strides ?? [1, 1];
    const [dh, dw] = n.attrs.dilations ?? [1, 1];
    const p = n.attrs.padding ?? 'valid';
    const ay = windowAxis(xs[0]!, k[0], sh, dh, p, 0);
    const ax = windowAxis(xs[1]!, k[1], sw, dw, p, 1);
    const endY = Math.max(0, (ay.out - 1) * sh + (k[0] - 1) * dh + 1 - xs[0]! - ay.before);
    const endX = Math.max(0, (ax.out - 1) * sw + (k[1] - 1) * dw + 1 - xs[1]! - ax.before);
    return [ay.before, ax.before, endY, endX];
  };

  const inputs = g.inputs.map((i) => {
    const name = unique(i);
    val.set(i, { name, nchw: false });
    return { name, type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'N' }, ...tensorOf(g, i).shape.map((d) => ({ dimValue: d }))] } } } };
  });

  for (const n of g.nodes) {
    const y = n.outputs[0]!;
    const x = n.inputs[0]!;
    const xs = tensorOf(g, x).shape;
    const ys = tensorOf(g, y).shape;
    const base = y;
    let out: string;
    let outNchw = false;
    switch (n.op) {
      case 'conv2d':
      case 'depthwise': {
        const k = tensorOf(g, n.inputs[1]!);
        const [kh, kw] = k.shape as [number, number];
        const oc = k.shape[k.shape.length - 1]!;
        const ci = n.op === 'conv2d' ? k.shape[2]! : 1;
        const w = new Float32Array(k.data!.length);
        for (let o = 0; o < oc; o++) for (let c = 0; c < ci; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) w[((o * ci + c) * kh + i) * kw + j] = k.data![((i * kw + j) * ci + c) * oc + o]!;
        const ins = [nchw(x), init(`${n.name}/W`, [oc, ci, kh, kw], w)];
        if (n.inputs[2]) ins.push(init(`${n.name}/B`, [oc], tensorOf(g, n.inputs[2]).data!));
        const attrs = [ints('kernel_shape', [kh, kw]), ints('strides', n.attrs.strides ?? [1, 1]), ints('dilations', n.attrs.dilations ?? [1, 1]), ints('pads', pads(n, xs, [kh, kw])), int('group', n.op === 'conv2d' ? 1 : xs[2]!)];
        out = fused(node('Conv', ins, base, attrs), n.attrs.activation, base);
        outNchw = true;
        break;
      }
      case 'dense':
      case 'matmul': {
        const k = tensorOf(g, n.inputs[1]!);
        if (!k.data) qfail('E_EXPORT', `layer "${n.name}": a matmul of two activations cannot be exported`);
        const xin = plain(x);
        const b = n.inputs[2] ? tensorOf(g, n.inputs[2]).data : undefined;
        if (xs.length === 1) out = node('Gemm', [xin, init(`${n.name}/B`, [...k.shape], k.data!), ...(b ? [init(`${n.name}/C`, [b.length], b)] : [])], base);
        else {
          out = node('MatMul', [xin, init(`${n.name}/B`, [...k.shape], k.data!)], base);
          if (b) out = node('Add', [out, init(`${n.name}/C`, [b.length], b)], base);
        }
        out = fused(out, n.attrs.activation, base);
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const k = n.attrs.pool ?? [2, 2];
        const attrs = [ints('kernel_shape', k), ints('strides', n.attrs.strides ?? [1, 1]), ints('pads', pads(n, xs, k))];
        out = node(n.op === 'maxpool' ? 'MaxPool' : 'AveragePool', [nchw(x)], base, attrs);
        outNchw = true;
        break;
      }
      case 'globalpool':
      case 'mean':
        out = node('Flatten', [node('GlobalAveragePool', [nchw(x)], `${base}/pool`)], base, [int('axis', 1)]);
        break;
      case 'add':
      case 'sub':
      case 'mul': {
        const [a, b] = n.inputs as [string, string];
        const aC = !!tensorOf(g, a).data, bC = !!tensorOf(g, b).data;
        // Images stay NCHW when every activation operand is NCHW.
        const acts = [a, b].filter((t) => !tensorOf(g, t).data);
        const asNchw = ys.length === 3 && acts.every((t) => isImage(t) && val.get(t)!.nchw);
        const operand = (t: string, c: boolean) => (c ? constOperand(t, asNchw) : asNchw ? nchw(t) : plain(t));
        out = fused(node(n.op === 'add' ? 'Add' : n.op === 'sub' ? 'Sub' : 'Mul', [operand(a, aC), operand(b, bC)], base), n.attrs.activation, base);
        outNchw = asNchw;
        break;
      }
      case 'concat': {
        const r = ys.length;
        let axis = n.attrs.axis! < 0 ? n.attrs.axis! + r : n.attrs.axis!;
        const asNchw = r === 3 && n.inputs.every((t) => val.get(t)!.nchw);
        if (asNchw) axis = [2, 3, 1][axis]!;
        else axis += 1;
        out = node('Concat', n.inputs.map((t) => (asNchw ? nchw(t) : plain(t))), base, [int('axis', axis)]);
        outNchw = asNchw;
        break;
      }
      case 'pad': {
        const p = n.attrs.pads!;
        const asNchw = xs.length === 3;
        const order = asNchw ? [[0, 0], p[2]!, p[0]!, p[1]!] : [[0, 0], ...p];
        const pv = [...order.map((q) => q[0]!), ...order.map((q) => q[1]!)];
        out = node('Pad', [asNchw ? nchw(x) : plain(x), i64(`${n.name}/pads`, pv), init(`${n.name}/value`, [], Float32Array.of(n.attrs.value ?? 0))], base, [str('mode', 'constant')]);
        outNchw = asNchw;
        break;
      }
      case 'reshape':
      case 'flatten':
        out = node('Reshape', [plain(x), i64(`${n.name}/shape`, [0, ...(n.op === 'flatten' ? [size(xs)] : ys)])], base);
        break;
      case 'transpose':
        out = node('Transpose', [plain(x)], base, [ints('perm', [0, ...n.attrs.perm!.map((p) => p + 1)])]);
        break;
      case 'batchnorm': {
        const c = xs[xs.length - 1]!;
        const [gamma, beta, mean, variance] = n.inputs.slice(1);
        const vec = (t: string | undefined, fill: number, what: string) => init(`${n.name}/${what}`, [c], t ? tensorOf(g, t).data! : new Float32Array(c).fill(fill));
        const asNchw = xs.length === 3;
        if (!asNchw && xs.length !== 1) qfail('E_EXPORT', `layer "${n.name}": batch normalization of a [${xs}] tensor cannot be exported`);
        out = node('BatchNormalization', [asNchw ? nchw(x) : plain(x), vec(gamma, 1, 'scale'), vec(beta, 0, 'bias'), vec(mean, 0, 'mean'), vec(variance, 1, 'var')], base, [float('epsilon', n.attrs.epsilon ?? 1e-3)]);
        outNchw = asNchw;
        break;
      }
      case 'activation':
      case 'identity': {
        const v = val.get(x)!;
        const xin = v.name;
        outNchw = v.nchw;
        const a = n.attrs;
        switch (n.op === 'identity' ? 'linear' : a.fn) {
          case 'linear': out = node('Identity', [xin], base); break;
          case 'relu': out = node('Relu', [xin], base); break;
          case 'relu6': out = node('Clip', [xin, init(`${base}/min`, [], Float32Array.of(0)), init(`${base}/max`, [], Float32Array.of(6))], base); break;
          case 'clip': out = node('Clip', [xin, init(`${base}/min`, [], Float32Array.of(a.min ?? -3.4e38)), init(`${base}/max`, [], Float32Array.of(a.max ?? 3.4e38))], base); break;
          case 'leakyRelu': out = node('LeakyRelu', [xin], base, [float('alpha', a.alpha ?? 0.3)]); break;
          case 'elu': out = node('Elu', [xin], base, [float('alpha', a.alpha ?? 1)]); break;
          case 'sigmoid': out = node('Sigmoid', [xin], base); break;
          case 'tanh': out = node('Tanh', [xin], base); break;
          case 'hardSwish': out = node('HardSwish', [xin], base); break;
          case 'hardSigmoid': out = node('HardSigmoid', [xin], base, [float('alpha', a.alpha ?? 0.2), float('beta', a.beta ?? 0.5)]); break;
          case 'gelu': out = node('Gelu', [xin], base, [str('approximate', 'tanh')]); break;
          case 'geluErf': out = node('Gelu', [xin], base); break;
          default: qfail('E_EXPORT', `layer "${n.name}": activation ${a.fn} cannot be exported`);
        }
        break;
      }
      case 'softmax': {
        const v = val.get(x)!;
        if ((n.attrs.beta ?? 1) !== 1) qfail('E_EXPORT', `layer "${n.name}": softmax with beta ${n.attrs.beta} cannot be exported`);
        out = node('Softmax', [v.name], base, [int('axis', v.nchw ? 1 : -1)]);
        outNchw = v.nchw;
        break;
      }
      default:
        qfail('E_EXPORT', `layer "${n.name}" (${n.op}) cannot be exported to ONNX`);
    }
    val.set(y, { name: out, nchw: outNchw });
  }

  const outputs = g.outputs.map((o) => {
    const name = unique(o);
    nodes.push({ opType: 'Identity', name: unique(`${o}/output`), input: [plain(o)], output: [name] });
    return { name, type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'N' }, ...tensorOf(g, o).shape.map((d) => ({ dimValue: d }))] } } } };
  });

  const model: onnxProto.onnx.IModelProto = {
    irVersion: 9,
    producerName: options.producer ?? 'minnow',
    opsetImport: [{ domain: '', version: 20 }],
    graph: { name: g.name, node: nodes, initializer: inits, input: inputs, output: outputs },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
