// Lowering: an optimized float IR graph plus calibrated ranges → runtime ops in
// a GraphBuilder (int8, with int16 for the layers asked for).
//
// Activations are asymmetric per tensor (int8) or symmetric (int16, zero point
// 0). Ops that TFLite requires to keep their input's quantization (pooling,
// reshape, pad) inherit it; concatenation takes the union of its inputs'
// ranges and requantizes the inputs that differ; softmax, sigmoid and tanh
// outputs have TFLite's fixed scales. Every other elementwise function is a
// LOOKUP table.
//
// The model input is an int8 (or int16) tensor with the calibrated scale: the
// host quantizes Float32Array inputs. Outputs are int8/int16 with their scale;
// the host dequantizes them (`values`).
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder, type Quant, type TensorId } from '../pack/graph.js';
import { add as addOp } from '../pack/ops/add.js';
import { concatenation } from '../pack/ops/concatenation.js';
import { maxPool2d } from '../pack/ops/max_pool_2d.js';
import { averagePool2d } from '../pack/ops/average_pool_2d.js';
import { mean as meanOp } from '../pack/ops/mean.js';
import { mul as mulOp } from '../pack/ops/mul.js';
import { pad as padOp } from '../pack/ops/pad.js';
import { quantize as quantizeOp } from '../pack/ops/quantize.js';
import { softmax as softmaxOp } from '../pack/ops/softmax.js';
import { qfail } from '../errors.js';
import { activationFunction } from '../ir/execute.js';
import { dataInputs, size, tensorOf, windowAxis, type IrGraph, type IrNode } from '../ir/graph.js';
import { conv2d as conv2dOp } from '../pack/ops/conv_2d.js';
import { depthwiseConv2d } from '../pack/ops/depthwise_conv_2d.js';
import { fullyConnected } from '../pack/ops/fully_connected.js';
import { logisticInt8Table, lookup as lookupOp, lookupFunction, tanhInt8Table } from '../pack/ops/lookup.js';
import { quantizeBias32, quantizeBias64, quantizeWeights } from './weights.js';

export type QDType = 'int8' | 'int16';

export interface TensorQuant extends Quant {
  dtype: QDType;
}

export type Ranges = Map<string, [number, number]>;

export interface LowerOptions {
  perTensor?: boolean;
  /** Names of nodes computed in int16 (16x8). */
  int16?: Set<string>;
}

/** Ops that can run in int16 (16x8 for dense) in the runtime's op table. */
export const INT16_OPS = new Set(['dense', 'add', 'activation', 'concat', 'pad', 'reshape', 'flatten']);

/** Ops whose output keeps the input's quantization. */
const TIED = new Set(['maxpool', 'avgpool', 'reshape', 'flatten', 'pad', 'identity']);

export function quantFor(range: [number, number], dtype: QDType): TensorQuant {
  const lo = Math.min(range[0], 0);
  const hi = Math.max(range[1], 0);
  if (dtype === 'int16') {
    const m = Math.max(-lo, hi);
    return { dtype, scale: Math.fround(m > 0 ? m / 32767 : 1), zeroPoint: 0 };
  }
  if (!(hi > lo)) return { dtype, scale: 1, zeroPoint: 0 };
  const scale = Math.fround((hi - lo) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { dtype, scale, zeroPoint };
}

/** The real range a quantization covers. */
export function rangeOf(q: TensorQuant): [number, number] {
  const [lo, hi] = q.dtype === 'int16' ? [-32768, 32767] : [-128, 127];
  return [(lo - q.zeroPoint) * q.scale, (hi - q.zeroPoint) * q.scale];
}

function fixedQuant(n: IrNode, dtype: QDType): TensorQuant | undefined {
  if (n.op === 'softmax') return { dtype: 'int8', scale: 1 / 256, zeroPoint: -128 };
  if (n.op === 'activation' && (n.attrs.fn === 'sigmoid' || n.attrs.fn === 'tanh')) {
    if (dtype === 'int16') return { dtype, scale: 1 / 32768, zeroPoint: 0 };
    return n.attrs.fn === 'sigmoid' ? { dtype, scale: 1 / 256, zeroPoint: -128 } : { dtype, scale: 1 / 128, zeroPoint: 0 };
  }
  return undefined;
}

/** Checks that a node can be lowered; throws naming the layer, the op and the fix. */
export function checkSupported(g: IrGraph, n: IrNode, int16: boolean): void {
  const layer = `layer "${(n.source ?? [n.name]).join('+')}" (${n.op}${n.op === 'activation' ? ` ${n.attrs.fn}` : ''})`;
  if (int16 && !INT16_OPS.has(n.op))
    qfail('E_INT16_UNSUPPORTED', `${layer} cannot run in int16: the runtime has 16-bit kernels for dense, add, concatenation, pad and elementwise functions only; drop it from --int16`);
  switch (n.op) {
    case 'transpose':
      qfail('E_UNSUPPORTED_OP', `${layer}: the runtime has no TRANSPOSE; fold the transpose into the weights or reshape instead`);
    case 'quantize':
    case 'dequantize':
      qfail('E_UNSUPPORTED_OP', `${layer}: QDQ nodes are not lowered yet; quantize the float model instead`);
    case 'batchnorm':
      qfail('E_UNSUPPORTED_OP', `${layer}: batch normalization was not folded; run the optimize pass first`);
    case 'matmul':
      qfail('E_UNSUPPORTED_OP', `${layer}: a matmul of two activations has no runtime op; only constant weights (dense) are supported`);
    case 'conv2d':
    case 'depthwise':
    case 'maxpool':
    case 'avgpool':
      if (tensorOf(g, n.inputs[0]!).shape.length !== 3) qfail('E_UNSUPPORTED_OP', `${layer}: needs an image input [H, W, C]`);
      break;
    case 'concat':
    case 'pad':
    case 'add':
    case 'sub':
    case 'mul':
      if (tensorOf(g, n.outputs[0]!).shape.length > 3) qfail('E_UNSUPPORTED_OP', `${layer}: the runtime handles at most 4-D tensors (batch included)`);
      break;
  }
}

/**
 * The quantization of every activation tensor: calibrated ranges, tied ops,
 * fixed output scales, and int16 where asked.
 */
export function assignQuant(g: IrGraph, ranges: Ranges, opts: LowerOptions = {}): Map<string, TensorQuant> {
  const q = new Map<string, TensorQuant>();
  const range = (t: string): [number, number] => {
    const r = ranges.get(t);
    if (!r) qfail('E_CALIBRATION', `tensor "${t}" has no calibrated range`);
    return r;
  };
  for (const i of g.inputs) q.set(i, quantFor(range(i), 'int8'));
  for (const n of g.nodes) {
    const wide = opts.int16?.has(n.name) ?? false;
    checkSupported(g, n, wide);
    const dtype: QDType = wide ? 'int16' : 'int8';
    const y = n.outputs[0]!;
    const x = n.inputs[0]!;
    if (TIED.has(n.op)) {
      const qin = q.get(x)!;
      // Pools are int8 only; reshape/pad keep the input's type.
      const keep = n.op === 'maxpool' || n.op === 'avgpool' ? 'int8' : wide ? 'int16' : qin.dtype;
      q.set(y, keep === qin.dtype ? qin : quantFor(rangeOf(qin), keep));
      continue;
    }
    if (n.op === 'concat') {
      let lo = 0, hi = 0;
      for (const i of n.inputs) {
        const [a, b] = rangeOf(q.get(i)!);
        lo = Math.min(lo, a);
        hi = Math.max(hi, b);
      }
      q.set(y, quantFor([lo, hi], dtype));
      continue;
    }
    q.set(y, fixedQuant(n, dtype) ?? quantFor(range(y), dtype));
  }
  return q;
}

export interface LoweredLayer {
  /** The IR node. */
  name: string;
  op: string;
  /** Source layers (after folding/fusion, several). */
  source: string[];
  /** IR output tensor. */
  output: string;
  /** Runtime op indices it became. */
  ops: number[];
}

export interface Lowered {
  builder: GraphBuilder;
  /** IR tensor → runtime tensor holding it (in the dtype its producer wrote). */
  tensorIds: Map<string, TensorId>;
  quant: Map<string, TensorQuant>;
  /** Constant name → the weights as the int8 model sees them (dequantized). */
  simulatedWeights: Map<string, Float32Array>;
  /** Per weight tensor: int8 values and per-channel scales (for the report's histograms). */
  weightScales: Map<string, Float64Array>;
  layers: LoweredLayer[];
}

const DT = { int8: DType.INT8, int16: DType.INT16 } as const;

/** Lowers the graph into runtime ops. */
export function lower(g: IrGraph, ranges: Ranges, opts: LowerOptions = {}): Lowered {
  const quant = assignQuant(g, ranges, opts);
  const b = new GraphBuilder();
  const ids = new Map<string, TensorId>();
  const converted = new Map<string, TensorId>();
  const simulatedWeights = new Map<string, Float32Array>();
  const weightScales = new Map<string, Float64Array>();
  const layers: LoweredLayer[] = [];
  const shape4 = (t: string) => [1, ...tensorOf(g, t).shape];

  for (const i of g.inputs) {
    const qi = quant.get(i)!;
    ids.set(i, b.input(i, DT[qi.dtype], shape4(i), { scale: qi.scale, zeroPoint: qi.zeroPoint }));
  }
  /** A constant operand of an elementwise op (e.g. x * c + d): stored quantized per tensor over its own range. */
  const constantOperand = (t: string, d: QDType): TensorId => {
    const c = tensorOf(g, t);
    if (!c.data) qfail('E_GRAPH', `tensor "${t}" is neither computed by a node nor a constant`);
    let lo = 0;
    let hi = 0;
    for (const v of c.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const qc = quantFor([lo, hi], d);
    quant.set(t, qc);
    const [qlo, qhi] = d === 'int16' ? [-32768, 32767] : [-128, 127];
    const values = d === 'int16' ? new Int16Array(c.data.length) : new Int8Array(c.data.length);
    c.data.forEach((v, i) => (values[i] = Math.max(qlo, Math.min(qhi, Math.round(v / qc.scale) + qc.zeroPoint))));
    const id = b.constant(t, DT[d], c.shape.length ? c.shape : [1], values, { scale: qc.scale, zeroPoint: qc.zeroPoint });
    ids.set(t, id);
    return id;
  };
  /** The runtime tensor of IR tensor t in dtype d (a QUANTIZE converts once if needed). */
  const need = (t: string, d: QDType): TensorId => {
    const id = ids.get(t) ?? constantOperand(t, d);
    const have = b.tensor(id);
    if (have.dtype === DT[d]) return id;
    const key = `${t}/${d}`;
    if (!converted.has(key)) {
      const qt = quantFor(rangeOf(quant.get(t)!), d);
      converted.set(key, quantizeOp(b, id, DT[d], { scale: qt.scale, zeroPoint: qt.zeroPoint, name: `${t}/${d}` }));
    }
    return converted.get(key)!;
  };

  for (const n of g.nodes) {
    const first = b.ops.length;
    const y = n.outputs[0]!;
    const qy = quant.get(y)!;
    const label = n.name;
    const x = n.inputs[0]!;
    const xs = tensorOf(g, x).shape;
    let out: TensorId;
    const act = n.attrs.activation ?? 'none';
    switch (n.op) {
      case 'conv2d':
      case 'depthwise':
      case 'dense': {
        const xin = need(x, n.op === 'dense' ? qy.dtype : 'int8');
        const sIn = b.tensor(xin).scale;
        const kname = n.inputs[1]!;
        const kt = tensorOf(g, kname);
        const bias = n.inputs[2] ? tensorOf(g, n.inputs[2]).data : undefined;
        const oc = kt.shape[kt.shape.length - 1]!;
        const w = quantizeWeights(kt.data!, oc, !!opts.perTensor, bias, sIn, kt.weightScales);
        simulatedWeights.set(kname, w.dequantized);
        weightScales.set(kname, w.scales);
        const biasQ = qy.dtype === 'int16' ? quantizeBias64(bias, sIn, w.scales) : quantizeBias32(bias, sIn, w.scales);
        if (bias && n.inputs[2]) {
          // What the int8 model adds, as a float (for simulation).
          const sb = new Float32Array(oc);
          for (let c = 0; c < oc; c++) sb[c] = Number(biasQ[c]!) * sIn * w.scales[c]!;
          simulatedWeights.set(n.inputs[2], sb);
        }
        const ys = shape4(y);
        const output = { scale: qy.scale, zeroPoint: qy.zeroPoint };
        const biasArg = bias ? biasQ : undefined;
        if (n.op === 'dense') {
          const [K, N] = kt.shape as [number, number];
          const f = new Int8Array(K * N);
          for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) f[j * K + k] = w.q[k * N + j]!;
          out = fullyConnected(b, xin, { data: f, shape: [N, K], scales: w.scales }, biasArg, { activation: act, output, outputShape: ys, name: label });
        } else {
          const [kh, kw] = kt.shape as [number, number];
          const p = n.attrs.padding ?? 'valid';
          const common = {
            stride: n.attrs.strides ?? [1, 1], dilation: n.attrs.dilations ?? [1, 1], activation: act, output, name: label,
            padding: typeof p === 'string' ? p : { top: p[0], bottom: p[1], left: p[2], right: p[3] },
          } as const;
          if (n.op === 'conv2d') {
            const ci = kt.shape[2]!;
            const f = new Int8Array(w.q.length);
            // HWIO → OHWI
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++)
                for (let i = 0; i < ci; i++)
                  for (let o = 0; o < oc; o++) f[((o * kh + ky) * kw + kx) * ci + i] = w.q[((ky * kw + kx) * ci + i) * oc + o]!;
            out = conv2dOp(b, xin, { data: f, shape: [oc, kh, kw, ci], scales: w.scales }, biasArg as Int32Array | undefined, common);
          } else {
            out = depthwiseConv2d(b, xin, { data: w.q, shape: [1, kh, kw, oc], scales: w.scales }, biasArg as Int32Array | undefined, { ...common, depthMultiplier: n.attrs.multiplier ?? 1 });
          }
        }
        const got = b.tensor(out).shape;
        if (got.join() !== ys.join()) qfail('E_SHAPE', `layer "${label}": the runtime op gives shape [${got}], the float graph [${ys}]`);
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const [ph, pw] = n.attrs.pool ?? [2, 2];
        const strides = n.attrs.strides ?? [1, 1];
        const p = n.attrs.padding ?? 'valid';
        const padding = typeof p === 'string' ? p : { top: p[0], bottom: p[1], left: p[2], right: p[3] };
        const o = { filter: [ph, pw] as [number, number], stride: strides, padding, name: label };
        out = n.op === 'maxpool' ? maxPool2d(b, need(x, 'int8'), o) : averagePool2d(b, need(x, 'int8'), o);
        break;
      }
      case 'globalpool':
      case 'mean':
        out = meanOp(b, need(x, 'int8'), { scale: qy.scale, zeroPoint: qy.zeroPoint, keepDims: false, name: label });
        break;
      case 'add':
      case 'mul':
      case 'sub': {
        const a = need(x, qy.dtype);
        let c = need(n.inputs[1]!, qy.dtype);
        if (n.op === 'sub') {
          // a - c = a + (-c): negate c with a table into the mirrored range.
          const qc = quant.get(n.inputs[1]!)!;
          const [lo, hi] = rangeOf(qc);
          const qn = quantFor([-hi, -lo], qy.dtype);
          c = lookupFunction(b, c, (v) => -v, { scale: qn.scale, zeroPoint: qn.zeroPoint }, `${label}/negate`);
        }
        const o = { scale: qy.scale, zeroPoint: qy.zeroPoint, activation: act, name: label };
        if (n.op === 'mul' && qy.dtype === 'int16') qfail('E_INT16_UNSUPPORTED', `layer "${label}" (mul) cannot run in int16; drop it from --int16`);
        out = n.op === 'mul' ? mulOp(b, a, c, o) : addOp(b, a, c, o);
        break;
      }
      case 'concat': {
        const parts = n.inputs.map((i) => {
          const id = need(i, qy.dtype);
          const t = b.tensor(id);
          if (Math.fround(t.scale) === Math.fround(qy.scale) && t.zeroPoint === qy.zeroPoint) return id;
          return quantizeOp(b, id, DT[qy.dtype], { scale: qy.scale, zeroPoint: qy.zeroPoint, name: `${i}/for_${label}` });
        });
        const axis = n.attrs.axis! < 0 ? xs.length + n.attrs.axis! : n.attrs.axis!;
        out = concatenation(b, parts, axis + 1, label);
        break;
      }
      case 'pad': {
        const xin = need(x, qy.dtype);
        const pads = [[0, 0] as [number, number], ...n.attrs.pads!];
        const t = b.tensor(xin);
        const value = Math.max(t.dtype === DType.INT16 ? -32768 : -128, Math.min(t.dtype === DType.INT16 ? 32767 : 127, Math.round((n.attrs.value ?? 0) / t.scale) + t.zeroPoint));
        out = padOp(b, xin, pads, { padValue: value, name: label });
        break;
      }
      case 'reshape':
      case 'flatten':
      case 'identity':
        out = b.reshape(need(x, qy.dtype), shape4(y), label);
        break;
      case 'softmax':
        out = softmaxOp(b, need(x, 'int8'), { beta: n.attrs.beta ?? 1, name: label });
        break;
      case 'activation': {
        const xin = need(x, qy.dtype);
        const output = { scale: qy.scale, zeroPoint: qy.zeroPoint };
        const fn = n.attrs.fn!;
        // int8 sigmoid/tanh: TFLite's fixed-point kernels as tables (bit-exact with TFLite).
        if (qy.dtype === 'int8' && fn === 'sigmoid') out = lookupOp(b, xin, logisticInt8Table(b.tensor(xin)), output, label);
        else if (qy.dtype === 'int8' && fn === 'tanh') out = lookupOp(b, xin, tanhInt8Table(b.tensor(xin)), output, label);
        else out = lookupFunction(b, xin, activationFunction(fn, n.attrs.alpha, n.attrs), output, label);
        break;
      }
      default:
        qfail('E_UNSUPPORTED_OP', `layer "${label}" (${n.op}) has no runtime op`);
    }
    ids.set(y, out);
    layers.push({ name: n.name, op: n.op === 'activation' ? n.attrs.fn! : n.op, source: n.source ?? [n.name], output: y, ops: b.ops.map((_, i) => i).slice(first) });
    void dataInputs;
  }
  for (const o of g.outputs) b.output(ids.get(o)!, o);
  return { builder: b, tensorIds: ids, quant, simulatedWeights, weightScales, layers };
}
