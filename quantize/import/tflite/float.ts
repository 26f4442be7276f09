// Float TFLite models → the float graph IR (then calibrated and quantized by
// minnow like any float model). TFLite is NHWC already; the batch axis (dim 0)
// is dropped, filters are moved to the IR's layouts (CONV_2D [O, KH, KW, I] →
// [KH, KW, I, O]; DEPTHWISE_CONV_2D [1, KH, KW, C*m] → [KH, KW, C*m];
// FULLY_CONNECTED [N, K] → [K, N]). float16 weights and DEQUANTIZE'd int8
// weights are expanded to float32. Every unsupported op is reported at once.
import { checkGraph, inferShape, size, tensorOf, type Attrs, type IrGraph, type IrNode, type OpKind } from '../../ir/graph.js';
import { failIfUnsupported, Unsupported, type OpStatus } from '../issues.js';
import { Activation, BuiltinOp, Padding, TFLITE_TYPE_NAMES, TfliteType, type TfliteModel, type TfliteOperator, type TfliteTensor } from './reader.js';
import { halfToFloat } from '../half.js';

export interface TfliteFloatModel {
  graph: IrGraph;
  ops: OpStatus[];
  floatBytes: number;
}

export function importTfliteFloat(model: TfliteModel, name = 'model', opts: { collect?: boolean } = {}): TfliteFloatModel {
  const sg = model.subgraphs[0]!;
  const g: IrGraph = { name, inputs: [], outputs: [], tensors: new Map(), nodes: [], meta: { source: 'tflite' } };
  const ops: OpStatus[] = [];
  const irName = new Map<number, string>();
  const folded = new Map<number, Float32Array>();
  const poisoned = new Set<number>();
  const used = new Set<string>();
  const nodeNames = new Set<string>();
  const unique = (base: string) => {
    let n = base || 'tensor';
    for (let i = 1; used.has(n); i++) n = `${base}_${i}`;
    used.add(n);
    return n;
  };

  const bytesOf = (t: TfliteTensor) => model.buffers[t.buffer] ?? new Uint8Array(0);
  const isConst = (t: TfliteTensor) => bytesOf(t).length > 0 || folded.has(t.index);
  function floats(t: TfliteTensor): Float32Array {
    const f = folded.get(t.index);
    if (f) return f;
    const b = bytesOf(t);
    const copy = b.slice().buffer;
    if (t.type === TfliteType.FLOAT32) return new Float32Array(copy, 0, b.length / 4);
    if (t.type === TfliteType.FLOAT16) return Float32Array.from(new Uint16Array(copy, 0, b.length / 2), halfToFloat);
    if (t.type === TfliteType.INT32) return Float32Array.from(new Int32Array(copy, 0, b.length / 4));
    throw new Unsupported(`constant "${t.name}" is ${TFLITE_TYPE_NAMES[t.type]}`, 'use float32 weights');
  }
  const ints = (t: TfliteTensor) => Array.from(new Int32Array(bytesOf(t).slice().buffer, 0, bytesOf(t).length / 4));

  for (const i of sg.inputs) {
    const t = sg.tensors[i]!;
    const n = unique(t.name || `input_${i}`);
    if (t.type !== TfliteType.FLOAT32) ops.push({ name: n, op: 'input', supported: false, why: `input of type ${TFLITE_TYPE_NAMES[t.type]}`, fix: 'a float model takes float32 inputs' });
    g.tensors.set(n, { name: n, shape: t.shape.length > 1 ? t.shape.slice(1) : [1] });
    g.inputs.push(n);
    irName.set(i, n);
  }

  for (const op of sg.operators) {
    const label = sg.tensors[op.outputs[0]!]?.name || `op_${op.index}`;
    if (op.inputs.some((i) => poisoned.has(i))) {
      op.outputs.forEach((o) => poisoned.add(o));
      ops.push({ name: label, op: op.opName, supported: true });
      continue;
    }
    try {
      convert(op, label);
      ops.push({ name: label, op: op.opName, supported: true });
    } catch (e) {
      op.outputs.forEach((o) => poisoned.add(o));
      if (e instanceof Unsupported) ops.push({ name: label, op: op.opName, supported: false, why: e.message, fix: e.fix });
      else if (e instanceof Error && (e as { code?: string }).code === 'E_SHAPE') ops.push({ name: label, op: op.opName, supported: false, why: e.message, fix: 'check the model\'s shapes' });
      else throw e;
    }
  }
  for (const o of sg.outputs) {
    const n = irName.get(o);
    if (n) g.outputs.push(n);
    else if (!poisoned.has(o)) ops.push({ name: sg.tensors[o]!.name, op: 'output', supported: false, why: 'produced by no operator', fix: 'fix the model' });
  }
  if (!opts.collect) failIfUnsupported(name, ops);
  if (ops.every((o) => o.supported)) checkGraph(g);
  let floatBytes = 0;
  for (const t of g.tensors.values()) if (t.data) floatBytes += t.data.length * 4;
  return { graph: g, ops, floatBytes };

  function emit(op: OpKind, inputs: string[], attrs: Attrs, label: string, out?: number): string {
    const o = out !== undefined ? unique(sg.tensors[out]!.name || `t${out}`) : unique(`${label}/${op}`);
    let nn = `${label}${out !== undefined ? '' : `/${op}`}`;
    for (let i = 1; nodeNames.has(nn); i++) nn = `${label}/${op}_${i}`;
    nodeNames.add(nn);
    const n: IrNode = { name: nn, op, inputs, outputs: [o], attrs, source: [label] };
    g.nodes.push(n);
    g.tensors.set(o, { name: o, shape: inferShape(g, n) });
    if (out !== undefined) irName.set(out, o);
    return o;
  }
  function constant(base: string, shape: number[], data: Float32Array): string {
    const n = unique(base);
    g.tensors.set(n, { name: n, shape, data });
    return n;
  }

  function convert(op: TfliteOperator, label: string): void {
    const T = (k: number) => sg.tensors[op.inputs[k]!]!;
    const out = op.outputs[0]!;
    const outT = sg.tensors[out]!;
    const x = (k = 0): string => {
      const n = irName.get(op.inputs[k]!);
      if (!n) throw new Unsupported(`input "${T(k).name}" is a constant`, 'fold constant computations out of the model');
      return n;
    };
    const needFloat = () => {
      if (outT.type !== TfliteType.FLOAT32) throw new Unsupported(`${TFLITE_TYPE_NAMES[outT.type]} output in a float model`, 'convert the whole model to float32, or to full-integer int8');
    };
    /** The op's output with a fused activation applied. */
    const fused = (kind: OpKind, inputs: string[], attrs: Attrs, slot: number) => {
      const a = model.option(op, slot, 'i8', 0);
      if (a === Activation.NONE || a === Activation.RELU || a === Activation.RELU6) {
        emit(kind, inputs, { ...attrs, activation: a === Activation.RELU ? 'relu' : a === Activation.RELU6 ? 'relu6' : 'none' }, label, out);
        return;
      }
      const y = emit(kind, inputs, { ...attrs, activation: 'none' }, label);
      if (a === Activation.RELU_N1_TO_1) emit('activation', [y], { fn: 'clip', min: -1, max: 1 }, label, out);
      else if (a === Activation.TANH) emit('activation', [y], { fn: 'tanh' }, label, out);
      else throw new Unsupported(`fused activation ${a}`, 'use none, RELU, RELU6, RELU_N1_TO_1 or TANH');
    };
    const padding = (slot: number) => (model.option(op, slot, 'i8', 0) === Padding.SAME ? 'same' : 'valid') as 'same' | 'valid';
    const bias = (k: number, n: number) => (op.inputs[k]! >= 0 ? constant(`${label}/bias`, [n], floats(T(k)).slice()) : '');
    const irShape = (k: number) => tensorOf(g, x(k)).shape;

    switch (op.builtin) {
      case BuiltinOp.DEQUANTIZE: {
        const t = T(0);
        if (!isConst(t)) throw new Unsupported('DEQUANTIZE of an activation in a float model', 'use a float model or a full-integer int8 one');
        if (t.type === TfliteType.FLOAT16) folded.set(out, floats(t));
        else if (t.type === TfliteType.INT8) {
          const q = new Int8Array(bytesOf(t).slice().buffer);
          const s = t.quant?.scale ?? Float32Array.of(1);
          const z = t.quant?.zeroPoint ?? [0];
          const dim = t.quant?.quantizedDimension ?? 0;
          const inner = size(t.shape.slice(dim + 1));
          const nq = t.shape[dim] ?? 1;
          folded.set(out, Float32Array.from(q, (v, i) => {
            const c = s.length === 1 ? 0 : Math.floor(i / inner) % nq;
            return (v - (z[z.length === 1 ? 0 : c] ?? 0)) * s[c]!;
          }));
        } else throw new Unsupported(`DEQUANTIZE of ${TFLITE_TYPE_NAMES[t.type]}`, 'use float32, float16 or int8 weights');
        return;
      }
      case BuiltinOp.CONV_2D: {
        needFloat();
        const w = floats(T(1));
        const [O, KH, KW, I] = T(1).shape as [number, number, number, number];
        const k = new Float32Array(w.length);
        for (let o = 0; o < O; o++) for (let i = 0; i < KH * KW * I; i++) k[i * O + o] = w[o * KH * KW * I + i]!;
        fused('conv2d', [x(), constant(`${label}/kernel`, [KH, KW, I, O], k), bias(2, O)], {
          padding: padding(0), strides: [model.option(op, 2, 'i32', 1), model.option(op, 1, 'i32', 1)],
          dilations: [model.option(op, 5, 'i32', 1), model.option(op, 4, 'i32', 1)],
        }, 3);
        return;
      }
      case BuiltinOp.DEPTHWISE_CONV_2D: {
        needFloat();
        const [, KH, KW, M] = T(1).shape as [number, number, number, number];
        const C = irShape(0)[2]!;
        fused('depthwise', [x(), constant(`${label}/kernel`, [KH, KW, M], floats(T(1)).slice()), bias(2, M)], {
          padding: padding(0), strides: [model.option(op, 2, 'i32', 1), model.option(op, 1, 'i32', 1)], multiplier: M / C,
          dilations: [model.option(op, 6, 'i32', 1), model.option(op, 5, 'i32', 1)],
        }, 4);
        return;
      }
      case BuiltinOp.FULLY_CONNECTED: {
        needFloat();
        if (model.option(op, 1, 'i8', 0) !== 0) throw new Unsupported('shuffled weights format', 're-export with the default weights format');
        const [N, K] = T(1).shape as [number, number];
        const w = floats(T(1));
        const k = new Float32Array(K * N);
        for (let j = 0; j < N; j++) for (let i = 0; i < K; i++) k[i * N + j] = w[j * K + i]!;
        let xin = x();
        const s = tensorOf(g, xin).shape;
        if (s[s.length - 1] !== K) {
          if (size(s) % K) throw new Unsupported(`input [${s}] does not divide into rows of ${K}`, 'fix the model');
          xin = emit('reshape', [xin], { shape: size(s) === K ? [K] : [size(s) / K, K] }, label);
        }
        fused('dense', [xin, constant(`${label}/kernel`, [K, N], k), bias(2, N)], {}, 0);
        return;
      }
      case BuiltinOp.AVERAGE_POOL_2D:
      case BuiltinOp.MAX_POOL_2D:
        needFloat();
        fused(op.builtin === BuiltinOp.MAX_POOL_2D ? 'maxpool' : 'avgpool', [x()], {
          padding: padding(0), strides: [model.option(op, 2, 'i32', 1), model.option(op, 1, 'i32', 1)],
          pool: [model.option(op, 4, 'i32', 1), model.option(op, 3, 'i32', 1)],
        }, 5);
        return;
      case BuiltinOp.ADD:
      case BuiltinOp.SUB:
      case BuiltinOp.MUL: {
        needFloat();
        const kind = op.builtin === BuiltinOp.ADD ? 'add' : op.builtin === BuiltinOp.SUB ? 'sub' : 'mul';
        const operand = (k: number) => {
          const n = irName.get(op.inputs[k]!);
          if (n) return n;
          const t = T(k);
          const shape = t.shape.length === outT.shape.length ? t.shape.slice(1) : t.shape;
          if (t.shape.length === outT.shape.length && t.shape[0] !== 1) throw new Unsupported(`constant "${t.name}" differs along the batch axis`, 'give it a leading axis of 1');
          return constant(`${label}/${t.name}`, shape, floats(t).slice());
        };
        const a = operand(0), b = operand(1);
        if (g.tensors.get(a)?.data && g.tensors.get(b)?.data) throw new Unsupported('two constant operands', 'fold constant computations out of the model');
        fused(kind, [a, b], {}, 0);
        return;
      }
      case BuiltinOp.RESHAPE:
      case BuiltinOp.SQUEEZE:
      case BuiltinOp.EXPAND_DIMS:
        if (outT.shape[0] !== T(0).shape[0]) throw new Unsupported(`reshape [${T(0).shape}] → [${outT.shape}] changes the batch axis`, 'keep the batch axis first');
        emit('reshape', [x()], { shape: outT.shape.length > 1 ? outT.shape.slice(1) : [1] }, label, out);
        return;
      case BuiltinOp.SOFTMAX:
        needFloat();
        emit('softmax', [x()], { beta: model.option(op, 0, 'f32', 1) }, label, out);
        return;
      case BuiltinOp.LOGISTIC:
      case BuiltinOp.TANH:
      case BuiltinOp.RELU:
      case BuiltinOp.RELU6:
      case BuiltinOp.RELU_N1_TO_1:
      case BuiltinOp.HARD_SWISH:
      case BuiltinOp.LEAKY_RELU:
      case BuiltinOp.ELU:
      case BuiltinOp.GELU: {
        needFloat();
        const B = BuiltinOp;
        const attrs: Attrs =
          op.builtin === B.LOGISTIC ? { fn: 'sigmoid' } : op.builtin === B.TANH ? { fn: 'tanh' } : op.builtin === B.RELU ? { fn: 'relu' } :
          op.builtin === B.RELU6 ? { fn: 'relu6' } : op.builtin === B.RELU_N1_TO_1 ? { fn: 'clip', min: -1, max: 1 } :
          op.builtin === B.HARD_SWISH ? { fn: 'hardSwish' } : op.builtin === B.LEAKY_RELU ? { fn: 'leakyRelu', alpha: model.option(op, 0, 'f32', 0.2) } :
          op.builtin === B.ELU ? { fn: 'elu', alpha: 1 } : { fn: model.option(op, 0, 'bool', 0) ? 'gelu' : 'geluErf' };
        emit('activation', [x()], attrs, label, out);
        return;
      }
      case BuiltinOp.CONCATENATION: {
        needFloat();
        const rank = outT.shape.length;
        let axis = model.option(op, 0, 'i32', 0);
        if (axis < 0) axis += rank;
        if (axis === 0) throw new Unsupported('concatenation along the batch axis', 'concatenate along another axis');
        const xs = op.inputs.map((i, k) => {
          const n = irName.get(i);
          if (n) return n;
          throw new Unsupported(`constant operand "${T(k).name}"`, 'concatenate activations only');
        });
        const a = model.option(op, 1, 'i8', 0);
        if (a !== Activation.NONE) throw new Unsupported('a fused activation on concatenation', 'apply the activation before concatenating');
        emit('concat', xs, { axis: axis - 1 }, label, out);
        return;
      }
      case BuiltinOp.PAD:
      case BuiltinOp.PADV2: {
        needFloat();
        const p = ints(T(1));
        if (p[0] || p[1]) throw new Unsupported('padding of the batch axis', 'pad the other axes only');
        const pads: [number, number][] = [];
        for (let i = 2; i < p.length; i += 2) pads.push([p[i]!, p[i + 1]!]);
        const value = op.builtin === BuiltinOp.PADV2 && op.inputs[2]! >= 0 ? floats(T(2))[0]! : 0;
        emit('pad', [x()], { pads, value }, label, out);
        return;
      }
      case BuiltinOp.MEAN: {
        needFloat();
        const axes = ints(T(1)).map((a) => (a < 0 ? a + T(0).shape.length : a)).sort();
        if (T(0).shape.length !== 4 || axes.join() !== '1,2') throw new Unsupported(`MEAN over axes [${axes}]`, 'only the spatial mean (axes 1 and 2 of NHWC) is supported');
        if (outT.shape.length === 4) emit('reshape', [emit('mean', [x()], { axes: [0, 1] }, label)], { shape: outT.shape.slice(1) }, label, out);
        else emit('mean', [x()], { axes: [0, 1] }, label, out);
        return;
      }
      default:
        throw new Unsupported('no minnow equivalent for this operator', 'replace it in the source model');
    }
  }
}
