// Int8 TFLite models packed unchanged: the same weights, scales and zero
// points, each op prepared exactly as TFLite's own Prepare does (through the
// pack-time op builders), so the outputs match TFLite's reference kernels bit
// for bit. Every unsupported op is reported at once, with what to do.
import { DType } from '../../../src/format/dtypes.js';
import { GraphBuilder, type Quant, type TensorId } from '../../pack/graph.js';
import { add } from '../../pack/ops/add.js';
import { averagePool2d } from '../../pack/ops/average_pool_2d.js';
import { concatenation } from '../../pack/ops/concatenation.js';
import { conv2d, type QuantizedFilter } from '../../pack/ops/conv_2d.js';
import { depthwiseConv2d } from '../../pack/ops/depthwise_conv_2d.js';
import { dequantize } from '../../pack/ops/dequantize.js';
import { fullyConnected } from '../../pack/ops/fully_connected.js';
import type { FusedActivation } from '../../pack/ops/fused_activation.js';
import { logisticInt8Table, lookup, tanhInt8Table } from '../../pack/ops/lookup.js';
import { maxPool2d } from '../../pack/ops/max_pool_2d.js';
import { mean } from '../../pack/ops/mean.js';
import { mul } from '../../pack/ops/mul.js';
import { pad } from '../../pack/ops/pad.js';
import { quantize } from '../../pack/ops/quantize.js';
import { softmax } from '../../pack/ops/softmax.js';
import { hardSwishInt8Table, leakyReluInt8Table } from './tables.js';
import { Activation, BuiltinOp, Padding, TFLITE_TYPE_NAMES, TfliteError, TfliteType, type TfliteModel, type TfliteOperator, type TfliteTensor } from './reader.js';

/** Whether a model is a quantized (int8) model rather than a float one. */
export function isInt8Model(model: TfliteModel): boolean {
  const sg = model.subgraphs[0]!;
  return sg.operators.some((o) =>
    [BuiltinOp.CONV_2D, BuiltinOp.DEPTHWISE_CONV_2D, BuiltinOp.FULLY_CONNECTED].includes(o.builtin as 3) &&
    sg.tensors[o.inputs[1]!]?.type === TfliteType.INT8,
  );
}

const ACTIVATIONS: Record<number, FusedActivation | undefined> = {
  [Activation.NONE]: 'none',
  [Activation.RELU]: 'relu',
  [Activation.RELU6]: 'relu6',
  [Activation.RELU_N1_TO_1]: 'relu_n1_to_1',
};

/** Problems found in a model: every unsupported op at once. */
export interface ImportIssue {
  op: number;
  opName: string;
  tensor?: string;
  why: string;
  fix: string;
}

export function importTfliteInt8(model: TfliteModel, name = 'model'): GraphBuilder {
  const sg = model.subgraphs[0]!;
  const g = new GraphBuilder();
  g.meta.producer = `minnow import of ${name} (TFLite int8)`;
  const ids = new Map<number, TensorId>();
  const issues: ImportIssue[] = [];
  const constIds = new Map<number, TensorId>();

  const quantOf = (t: TfliteTensor): Quant => ({ scale: t.quant?.scale[0] ?? 0, zeroPoint: t.quant?.zeroPoint[0] ?? 0 });
  const bytesOf = (t: TfliteTensor) => model.buffers[t.buffer]!;
  const isConst = (t: TfliteTensor) => bytesOf(t).length > 0;
  const dtypeOf = (t: TfliteTensor): DType | undefined =>
    t.type === TfliteType.INT8 ? DType.INT8 : t.type === TfliteType.INT16 ? DType.INT16 : t.type === TfliteType.FLOAT32 ? DType.FLOAT32 : t.type === TfliteType.INT32 ? DType.INT32 : undefined;
  const typed = <T>(t: TfliteTensor, make: (b: ArrayBuffer, n: number) => T, size: number): T => {
    const b = bytesOf(t);
    return make(b.slice().buffer, b.length / size);
  };
  const int32s = (t: TfliteTensor) => typed(t, (b, n) => new Int32Array(b, 0, n), 4);
  const filterOf = (t: TfliteTensor): QuantizedFilter => ({
    data: typed(t, (b, n) => new Int8Array(b, 0, n), 1),
    shape: t.shape,
    scales: t.quant?.scale ?? [0],
    zeroPoint: t.quant?.zeroPoint[0] ?? 0,
  });

  for (const i of sg.inputs) {
    const t = sg.tensors[i]!;
    const dt = dtypeOf(t);
    if (dt === undefined || dt === DType.INT32) {
      issues.push({ op: -1, opName: 'input', tensor: t.name, why: `input type ${TFLITE_TYPE_NAMES[t.type]}`, fix: 'give the model an int8, int16 or float32 input' });
      continue;
    }
    ids.set(i, g.input(t.name || `input_${i}`, dt, t.shape.length ? t.shape : [1], quantOf(t)));
  }

  for (const op of sg.operators) {
    try {
      convert(op);
    } catch (e) {
      if (e instanceof Unsupported) issues.push({ op: op.index, opName: op.opName, why: e.message, fix: e.fix });
      else throw e;
    }
  }
  if (issues.length)
    throw new TfliteError(
      'E_UNSUPPORTED',
      `${name}: ${issues.length} operator${issues.length > 1 ? 's' : ''} cannot be imported:\n` +
        issues.map((i) => `  op ${i.op} ${i.opName}${i.tensor ? ` (tensor "${i.tensor}")` : ''}: ${i.why} — ${i.fix}`).join('\n'),
    );
  for (const o of sg.outputs) {
    const id = ids.get(o);
    if (id === undefined) throw new TfliteError('E_TFLITE_GRAPH', `${name}: output tensor ${o} is produced by no operator`);
    g.output(id, sg.tensors[o]!.name || `output_${o}`);
  }
  return g;

  function convert(op: TfliteOperator): void {
    const T = (k: number) => sg.tensors[op.inputs[k]!]!;
    const out = sg.tensors[op.outputs[0]!]!;
    const x = () => {
      const id = ids.get(op.inputs[0]!);
      if (id === undefined) throw new Unsupported(`input "${T(0).name}" is a constant or unknown`, 'fold it into the model');
      return id;
    };
    const act = (slot: number) => {
      const a = model.option(op, slot, 'i8', 0);
      const name = ACTIVATIONS[a];
      if (!name) throw new Unsupported(`fused activation ${a}`, 'use none, ReLU, ReLU6 or ReLU_N1_TO_1');
      return name;
    };
    const padding = (slot: number) => (model.option(op, slot, 'i8', 0) === Padding.SAME ? 'same' : 'valid') as 'same' | 'valid';
    const outQ = quantOf(out);
    const label = out.name || `op_${op.index}`;
    const set = (id: TensorId) => ids.set(op.outputs[0]!, id);
    const needInt8 = () => {
      if (out.type !== TfliteType.INT8) throw new Unsupported(`${TFLITE_TYPE_NAMES[out.type]} output`, 'quantize the model to int8 (full-integer quantization)');
    };
    const checkShape = (id: TensorId) => {
      const got = g.tensor(id).shape;
      if (got.join() !== out.shape.join())
        throw new TfliteError('E_TFLITE_SHAPE', `op ${op.index} ${op.opName}: computed output shape [${got}] differs from the file's [${out.shape}]`);
      return id;
    };

    switch (op.builtin) {
      case BuiltinOp.CONV_2D: {
        needInt8();
        const bias = op.inputs[2]! >= 0 ? int32s(T(2)) : undefined;
        set(checkShape(conv2d(g, x(), filterOf(T(1)), bias, {
          padding: padding(0),
          stride: [model.option(op, 2, 'i32', 1), model.option(op, 1, 'i32', 1)],
          activation: act(3),
          dilation: [model.option(op, 5, 'i32', 1), model.option(op, 4, 'i32', 1)],
          output: outQ,
          name: label,
        })));
        return;
      }
      case BuiltinOp.DEPTHWISE_CONV_2D: {
        needInt8();
        const bias = op.inputs[2]! >= 0 ? int32s(T(2)) : undefined;
        const inC = T(0).shape[3]!;
        set(checkShape(depthwiseConv2d(g, x(), filterOf(T(1)), bias, {
          padding: padding(0),
          stride: [model.option(op, 2, 'i32', 1), model.option(op, 1, 'i32', 1)],
          depthMultiplier: T(1).shape[3]! / inC,
          activation: act(4),
          dilation: [model.option(op, 6, 'i32', 1), model.option(op, 5, 'i32', 1)],
          output: outQ,
          name: label,
        })));
        return;
      }
      case BuiltinOp.FULLY_CONNECTED: {
        if (out.type !== TfliteType.INT8 && out.type !== TfliteType.INT16) needInt8();
        if (model.option(op, 1, 'i8', 0) !== 0) throw new Unsupported('shuffled weights format', 're-export with the default weights format');
        const bias = op.inputs[2]! >= 0 ? (T(2).type === TfliteType.INT64 ? typed(T(2), (b, n) => new BigInt64Array(b, 0, n), 8) : int32s(T(2))) : undefined;
        set(checkShape(fullyConnected(g, x(), filterOf(T(1)), bias, { activation: act(0), output: outQ, outputShape: out.shape, name: label })));
        return;
      }
      case BuiltinOp.AVERAGE_POOL_2D:
      case BuiltinOp.MAX_POOL_2D: {
        needInt8();
        const o = {
          padding: padding(0),
          stride: [model.option(op, 2, 'i32', 1), model.option(op, 1, 'i32', 1)] as [number, number],
          filter: [model.option(op, 4, 'i32', 1), model.option(op, 3, 'i32', 1)] as [number, number],
          activation: act(5),
          name: label,
        };
        set(checkShape(op.builtin === BuiltinOp.MAX_POOL_2D ? maxPool2d(g, x(), o) : averagePool2d(g, x(), o)));
        return;
      }
      case BuiltinOp.RESHAPE:
      case BuiltinOp.SQUEEZE:
      case BuiltinOp.EXPAND_DIMS:
        set(g.reshape(x(), out.shape.length ? out.shape : [1], label));
        return;
      case BuiltinOp.SOFTMAX:
        needInt8();
        set(checkShape(softmax(g, x(), { beta: model.option(op, 0, 'f32', 1), name: label })));
        return;
      case BuiltinOp.LOGISTIC:
      case BuiltinOp.TANH: {
        needInt8();
        const inQ = quantOf(T(0));
        const table = op.builtin === BuiltinOp.LOGISTIC ? logisticInt8Table(inQ) : tanhInt8Table(inQ);
        set(lookup(g, x(), table, outQ, label));
        return;
      }
      case BuiltinOp.HARD_SWISH:
      case BuiltinOp.LEAKY_RELU: {
        needInt8();
        const inQ = quantOf(T(0));
        let table: Int8Array;
        if (op.builtin === BuiltinOp.HARD_SWISH) table = hardSwishInt8Table(inQ, outQ);
        else {
          const alpha = model.option(op, 0, 'f32', 0.2);
          if (!(alpha >= 0)) throw new Unsupported(`LEAKY_RELU alpha ${alpha}`, 'use a non-negative alpha');
          table = leakyReluInt8Table(inQ, outQ, alpha);
        }
        set(lookup(g, x(), table, outQ, label));
        return;
      }
      case BuiltinOp.ADD:
      case BuiltinOp.MUL: {
        needInt8();
        if (!ids.has(op.inputs[0]!) && !ids.has(op.inputs[1]!)) throw new Unsupported('two constant operands', 'fold the constant computation into the model');
        const a = ids.get(op.inputs[0]!) ?? constantOperand(T(0));
        const b = ids.get(op.inputs[1]!) ?? constantOperand(T(1));
        const o = { ...outQ, activation: act(0), name: label };
        set(checkShape(op.builtin === BuiltinOp.ADD ? add(g, a, b, o) : mul(g, a, b, o)));
        return;
      }
      case BuiltinOp.CONCATENATION: {
        needInt8();
        if (act(1) !== 'none') throw new Unsupported('a fused activation on concatenation', 'apply the activation before concatenating');
        const xs = op.inputs.map((i) => ids.get(i) ?? constantOperand(sg.tensors[i]!));
        let axis = model.option(op, 0, 'i32', 0);
        if (axis < 0) axis += out.shape.length;
        set(checkShape(concatenation(g, xs, axis, label)));
        return;
      }
      case BuiltinOp.PAD:
      case BuiltinOp.PADV2: {
        needInt8();
        const p = int32s(T(1));
        const pairs: [number, number][] = [];
        for (let i = 0; i < p.length; i += 2) pairs.push([p[i]!, p[i + 1]!]);
        const padValue = op.builtin === BuiltinOp.PADV2 && op.inputs[2]! >= 0 ? typed(T(2), (b, n) => new Int8Array(b, 0, n), 1)[0] : outQ.zeroPoint;
        set(checkShape(pad(g, x(), pairs, { padValue, name: label })));
        return;
      }
      case BuiltinOp.MEAN: {
        needInt8();
        const axes = Array.from(int32s(T(1))).map((a) => (a < 0 ? a + T(0).shape.length : a)).sort();
        if (T(0).shape.length !== 4 || axes.join() !== '1,2') throw new Unsupported(`MEAN over axes [${axes}]`, 'only the spatial mean (axes 1 and 2 of NHWC) is supported');
        set(checkShape(mean(g, x(), { ...outQ, keepDims: out.shape.length === 4, name: label })));
        return;
      }
      case BuiltinOp.QUANTIZE: {
        const dt = dtypeOf(out);
        if (dt !== DType.INT8 && dt !== DType.INT16) throw new Unsupported(`QUANTIZE to ${TFLITE_TYPE_NAMES[out.type]}`, 'quantize to int8 or int16');
        set(quantize(g, x(), dt, { ...outQ, name: label }));
        return;
      }
      case BuiltinOp.DEQUANTIZE:
        set(dequantize(g, x(), label));
        return;
      default:
        throw new Unsupported('no minnow kernel for this operator', 'replace it in the source model, or quantize the float model with minnow');
    }
  }

  /** A constant int8 operand (ADD/MUL/CONCATENATION): stored in the file with its own scale and zero point. */
  function constantOperand(t: TfliteTensor): TensorId {
    if (!isConst(t) || t.type !== TfliteType.INT8) throw new Unsupported(`operand "${t.name}" is not an int8 tensor`, 'give the op int8 operands');
    if ((t.quant?.scale.length ?? 1) > 1) throw new Unsupported(`constant operand "${t.name}" is quantized per channel`, 'quantize elementwise operands per tensor');
    const cached = constIds.get(t.index);
    if (cached !== undefined) return cached;
    const id = g.constant(t.name || `const_${t.index}`, DType.INT8, t.shape.length ? t.shape : [1], typed(t, (b, n) => new Int8Array(b, 0, n), 1), quantOf(t));
    constIds.set(t.index, id);
    return id;
  }
}

class Unsupported extends Error {
  constructor(message: string, readonly fix: string) {
    super(message);
  }
}
