// The float graph IR: what every model source becomes before quantization.
//
// A graph is a list of nodes in execution order over named tensors. Layout is
// NHWC; tensor shapes EXCLUDE the batch axis (an image is [H, W, C], a feature
// vector [K]). Constants (weights) carry their float data. Importers (the
// training library's saved models, ONNX, TFLite, TF.js) all produce this form;
// passes rewrite it (BN folding, activation fusion) and the lowering turns it
// into runtime ops.
//
// Weight layouts (the training library's, which are also Keras/TF.js's):
//   conv2d     kernel [KH, KW, Cin, Cout], bias [Cout]
//   depthwise  kernel [KH, KW, C * multiplier], bias [C * multiplier]
//   dense      kernel [K, N], bias [N]
//   batchnorm  gamma, beta, mean, variance: [C]
import { MinnowError } from '../../src/format/errors.js';

/** A graph that cannot be built, run or quantized (names the node and the fix). */
export class GraphError extends MinnowError {}

export type Padding = 'same' | 'valid' | [top: number, bottom: number, left: number, right: number];

/** Activations a conv/dense/add can fuse as an output clamp. */
export type FusedActivation = 'none' | 'relu' | 'relu6';

/** Elementwise functions (LOOKUP tables in int8). */
export type ActivationFn = 'relu' | 'relu6' | 'leakyRelu' | 'elu' | 'sigmoid' | 'tanh' | 'gelu' | 'hardSwish' | 'linear'
  // Importers (ONNX/TFLite/TF.js): clip to [min, max], hard sigmoid max(0, min(1, alpha x + beta)), erf GELU.
  | 'clip' | 'hardSigmoid' | 'geluErf';

export type OpKind =
  | 'conv2d'
  | 'depthwise'
  | 'dense'
  | 'matmul'
  | 'maxpool'
  | 'avgpool'
  | 'globalpool'
  | 'mean'
  | 'add'
  | 'sub'
  | 'mul'
  | 'concat'
  | 'pad'
  | 'reshape'
  | 'flatten'
  | 'transpose'
  | 'batchnorm'
  | 'activation'
  | 'softmax'
  | 'identity'
  | 'quantize'
  | 'dequantize';

export interface Attrs {
  /** Window steps (conv2d, depthwise, pools); [1, 1] when absent. */
  strides?: [number, number];
  dilations?: [number, number];
  padding?: Padding;
  pool?: [number, number];
  /** Fused output activation (conv2d, depthwise, dense, add, sub, mul). */
  activation?: FusedActivation;
  /** Elementwise function of an 'activation' node. */
  fn?: ActivationFn;
  alpha?: number;
  multiplier?: number;
  epsilon?: number;
  axis?: number;
  axes?: number[];
  /** reshape: target shape without batch. */
  shape?: number[];
  perm?: number[];
  /** pad: [before, after] per axis (without batch), value. */
  pads?: [number, number][];
  value?: number;
  /** quantize/dequantize (QDQ models): the recorded quantization. */
  scale?: number;
  zeroPoint?: number;
  /** softmax: beta; hardSigmoid: the offset. */
  beta?: number;
  /** activation 'clip': the bounds. */
  min?: number;
  max?: number;
}

export interface IrNode {
  name: string;
  op: OpKind;
  /** Tensor names: data inputs first, then constants (kernel, bias, ...). Empty string = absent. */
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
  /** The source layer(s) this node came from (after fusion: several). */
  source?: string[];
}

export interface IrTensor {
  name: string;
  /** Shape without the batch axis. */
  shape: number[];
  /** Constants carry their data. */
  data?: Float32Array;
  /**
   * Weights a QDQ model stored as symmetric int8: their scales, one per channel of
   * the last axis (or one for the tensor). Lowering keeps them instead of choosing
   * new ones; a pass that rewrites the data must drop them.
   */
  weightScales?: Float32Array;
}

export interface IrGraph {
  name: string;
  inputs: string[];
  outputs: string[];
  tensors: Map<string, IrTensor>;
  nodes: IrNode[];
  /** Labels of a classifier's output, preprocessing, source format, ... */
  meta: { labels?: string[]; preprocessing?: Record<string, unknown>; source?: string; dataset?: string; [k: string]: unknown };
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function tensorOf(g: IrGraph, name: string): IrTensor {
  const t = g.tensors.get(name);
  if (!t) throw new GraphError('E_GRAPH', `tensor "${name}" is not defined in graph "${g.name}"`);
  return t;
}

export function isConstant(g: IrGraph, name: string): boolean {
  return !!g.tensors.get(name)?.data;
}

/** The node producing each tensor. */
export function producers(g: IrGraph): Map<string, IrNode> {
  const m = new Map<string, IrNode>();
  for (const n of g.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

/** The nodes reading each tensor. */
export function consumers(g: IrGraph): Map<string, IrNode[]> {
  const m = new Map<string, IrNode[]>();
  for (const n of g.nodes)
    for (const i of n.inputs) {
      if (!i) continue;
      if (!m.has(i)) m.set(i, []);
      m.get(i)!.push(n);
    }
  return m;
}

/** Data (non-constant) inputs of a node. */
export function dataInputs(g: IrGraph, n: IrNode): string[] {
  return n.inputs.filter((i) => i && !isConstant(g, i));
}

/** Output size of a window along one axis, and the padding before it. */
export function windowAxis(inSize: number, k: number, stride: number, dilation: number, padding: Padding, axis: 0 | 1): { out: number; before: number } {
  const ek = (k - 1) * dilation + 1;
  if (padding === 'same') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + ek - inSize, 0);
    return { out, before: Math.floor(total / 2) };
  }
  if (padding === 'valid') return { out: Math.floor((inSize - ek) / stride) + 1, before: 0 };
  const before = axis === 0 ? padding[0] : padding[2];
  const after = axis === 0 ? padding[1] : padding[3];
  return { out: Math.floor((inSize + before + after - ek) / stride) + 1, before };
}

/** Infers and checks the output shape of a node from its inputs' shapes. */
export function inferShape(g: IrGraph, n: IrNode): number[] {
  const shapeOf = (i: number) => tensorOf(g, n.inputs[i]!).shape;
  const where = `${n.op} node "${n.name}"`;
  const bad = (msg: string): never => {
    throw new GraphError('E_SHAPE', `${where}: ${msg}`);
  };
  const x = n.inputs[0] ? shapeOf(0) : [];
  const a = n.attrs;
  switch (n.op) {
    case 'conv2d':
    case 'depthwise':
    case 'maxpool':
    case 'avgpool': {
      if (x.length !== 3) bad(`needs an image input [H, W, C], got [${x}]`);
      const [h, w, c] = x as [number, number, number];
      let kh: number, kw: number, oc: number;
      if (n.op === 'conv2d') {
        const k = shapeOf(1);
        if (k.length !== 4 || k[2] !== c) bad(`kernel [${k}] does not fit input [${x}] (expected [KH, KW, ${c}, Cout])`);
        [kh, kw, , oc] = k as [number, number, number, number];
      } else if (n.op === 'depthwise') {
        const k = shapeOf(1);
        const m = a.multiplier ?? 1;
        if (k.length !== 3 || k[2] !== c * m) bad(`kernel [${k}] does not fit input [${x}] with multiplier ${m}`);
        [kh, kw, oc] = k as [number, number, number];
      } else {
        [kh, kw] = a.pool ?? [2, 2];
        oc = c;
      }
      const [sh, sw] = a.strides ?? [1, 1];
      const [dh, dw] = a.dilations ?? [1, 1];
      const oy = windowAxis(h, kh, sh, dh, a.padding ?? 'valid', 0).out;
      const ox = windowAxis(w, kw, sw, dw, a.padding ?? 'valid', 1).out;
      if (!(oy > 0 && ox > 0)) bad(`a ${kh}x${kw} window does not fit input [${x}]`);
      return [oy, ox, oc];
    }
    case 'dense':
    case 'matmul': {
      const k = shapeOf(1);
      if (k.length !== 2 || k[0] !== x[x.length - 1]) bad(`weights [${k}] do not fit input [${x}] (expected [${x[x.length - 1]}, N])`);
      return [...x.slice(0, -1), k[1]!];
    }
    case 'globalpool':
      if (x.length !== 3) bad(`needs an image input [H, W, C], got [${x}]`);
      return [x[2]!];
    case 'mean': {
      const axes = a.axes ?? [0, 1];
      if (x.length !== 3 || axes.length !== 2 || !axes.includes(0) || !axes.includes(1))
        bad(`only the mean over height and width of an image is supported (axes [${axes}] of [${x}])`);
      return [x[2]!];
    }
    case 'add':
    case 'sub':
    case 'mul': {
      const y = shapeOf(1);
      const r = Math.max(x.length, y.length);
      const out: number[] = [];
      for (let d = 0; d < r; d++) {
        const p = x[x.length - r + d] ?? 1;
        const q = y[y.length - r + d] ?? 1;
        if (p !== q && p !== 1 && q !== 1) bad(`inputs [${x}] and [${y}] do not broadcast`);
        out.push(Math.max(p, q));
      }
      return out;
    }
    case 'concat': {
      const axis = a.axis! < 0 ? x.length + a.axis! : a.axis!;
      const out = [...x];
      out[axis] = 0;
      for (let i = 0; i < n.inputs.length; i++) {
        const s = shapeOf(i);
        if (s.length !== x.length || s.some((d, k) => k !== axis && d !== x[k])) bad(`inputs differ off axis ${axis}: [${x}] and [${s}]`);
        out[axis]! += s[axis]!;
      }
      return out;
    }
    case 'pad': {
      const pads = a.pads ?? [];
      if (pads.length !== x.length) bad(`pads give ${pads.length} axes for input [${x}]`);
      return x.map((d, k) => d + pads[k]![0] + pads[k]![1]);
    }
    case 'reshape': {
      const s = a.shape!;
      if (size(s) !== size(x)) bad(`cannot reshape [${x}] to [${s}]`);
      return [...s];
    }
    case 'flatten':
      return [size(x)];
    case 'transpose': {
      const perm = a.perm!;
      if (perm.length !== x.length) bad(`perm [${perm}] does not fit [${x}]`);
      return perm.map((p) => x[p]!);
    }
    case 'batchnorm':
    case 'activation':
    case 'softmax':
    case 'identity':
    case 'quantize':
    case 'dequantize':
      return [...x];
  }
}

/** Recomputes every non-constant tensor's shape in order (after a pass). */
export function checkGraph(g: IrGraph): void {
  const defined = new Set<string>([...g.inputs, ...[...g.tensors.values()].filter((t) => t.data).map((t) => t.name)]);
  for (const n of g.nodes) {
    for (const i of n.inputs)
      if (i && !defined.has(i)) throw new GraphError('E_GRAPH', `node "${n.name}" (${n.op}) reads "${i}" before anything defines it`);
    const shape = inferShape(g, n);
    for (const o of n.outputs) {
      const t = g.tensors.get(o);
      if (t) t.shape = shape;
      else g.tensors.set(o, { name: o, shape });
      defined.add(o);
    }
  }
  for (const o of g.outputs) if (!defined.has(o)) throw new GraphError('E_GRAPH', `output "${o}" is never computed`);
}
