// Float ONNX models (and QDQ models: QuantizeLinear/DequantizeLinear around
// float ops) → the float graph IR.
//
// Layout. The IR is NHWC without the batch axis; ONNX is NCHW with it. The
// leading axis of every activation is the batch. Rank-4 activations are held
// in the IR as [H, W, C] (NCHW → NHWC), everything else in ONNX's own order
// without the batch axis. Weights are transposed to the IR's layouts (conv
// [KH, KW, Cin, Cout], depthwise [KH, KW, C*m], dense [K, N]). An op that needs
// ONNX's order of a 4-D tensor (Flatten, Reshape, MatMul over W, ...) gets a
// transpose back to [C, H, W] first (a reshape when C or H×W is 1); a
// transpose → flatten → dense chain is folded into the dense weights after
// import, so a plain CNN export has no transpose left.
//
// Models whose ops work across the leading axis (a concat or softmax over
// axis 0, a reshape that changes it, ...) are imported with no batch axis:
// the whole ONNX shape is the IR shape and the model runs one sample at a time
// (`batchAxis: false`; then no layout change is made and 2-D convolutions are
// not available).
//
// Every node is checked; all unsupported ops and attributes are reported at
// once (node name, op type, why, what to do).
import { checkGraph, consumers, GraphError, inferShape, size, tensorOf, type Attrs, type IrGraph, type IrNode, type OpKind, type Padding } from '../../ir/graph.js';
import { failIfUnsupported, Unsupported, type OpStatus } from '../issues.js';
import type onnxProto from 'onnx-proto';
import { decodeTensor, OnnxError, OnnxType, onnxTypeName, type DecodedTensor, type ModelProto } from './proto.js';

type Long = number | { toNumber(): number };
type Attr = { name?: string | null; type?: number | null; i?: Long | null; f?: number | null; s?: Uint8Array | null; ints?: Long[] | null; floats?: number[] | null; t?: unknown };
type NodeProto = onnxProto.onnx.INodeProto;
const num = (v: Long | null | undefined): number | undefined => (v == null ? undefined : typeof v === 'number' ? v : v.toNumber());

/** How an ONNX graph input or output maps onto the IR's. */
export interface OnnxIo {
  name: string;
  /** ONNX dims (batch axis included; a symbolic batch is 1). */
  dims: number[];
  /** True when the IR holds the tensor as NHWC of ONNX's NCHW (rank 4 with a batch axis). */
  nchw: boolean;
  dataType: number;
}

export interface OnnxFloatModel {
  graph: IrGraph;
  inputs: OnnxIo[];
  outputs: OnnxIo[];
  /** Whether the leading ONNX axis is the IR's batch axis (see the header). */
  batchAxis: boolean;
  /** Every node with whether it was imported. */
  ops: OpStatus[];
  floatBytes: number;
}

export interface OnnxImportOptions {
  name?: string;
  /** Values for graph inputs that are weights (they become constants). */
  constants?: Map<string, DecodedTensor>;
  /** Collect statuses without throwing (for inspect). */
  collect?: boolean;
  /** Force the batch-axis mode (default: with a batch axis, else without). */
  batchAxis?: boolean;
}

/** An op that works across the leading (batch) axis: retried without a batch axis. */
class BatchAxis extends Unsupported {}

/** Operand slots that must be constants (weights), by op type. */
export const WEIGHT_SLOTS: Record<string, number[]> = {
  Conv: [1, 2], Gemm: [1, 2], MatMul: [1], BatchNormalization: [1, 2, 3, 4], Clip: [1, 2], Pad: [1, 2, 3],
  Reshape: [1], Squeeze: [1], Unsqueeze: [1], PRelu: [1], QuantizeLinear: [1, 2], DequantizeLinear: [1, 2],
};

/** Graph inputs of a model that are only ever used as weights (bind them as constants). */
export function weightInputs(model: ModelProto): Set<string> {
  const uses = new Map<string, boolean>();
  for (const n of model.graph?.node ?? []) {
    const slots = WEIGHT_SLOTS[n.opType ?? ''] ?? [];
    (n.input ?? []).forEach((name, k) => {
      if (!name) return;
      const w = slots.includes(k);
      uses.set(name, (uses.get(name) ?? true) && w);
    });
  }
  return new Set((model.graph?.input ?? []).map((i) => i.name!).filter((n) => uses.get(n)));
}

const UNSUPPORTED_HINTS: Record<string, string> = {
  LSTM: 'recurrent ops are not supported yet (they come with their own issue); export the model without them',
  GRU: 'recurrent ops are not supported yet (they come with their own issue); export the model without them',
  RNN: 'recurrent ops are not supported yet (they come with their own issue); export the model without them',
  Attention: 'attention is not supported yet (it comes with its own issue)',
  LayerNormalization: 'minnow has no layer normalization kernel; use batch normalization (folded into the conv/dense before it)',
  LogSoftmax: 'use Softmax (take the log outside the model)',
  ConvTranspose: 'minnow has no transposed convolution; use an upsampling-free architecture',
  Resize: 'minnow has no resize kernel; resize the input before the model',
  DynamicQuantizeLinear: 'dynamic quantization is not supported; quantize the float model with minnow',
};

/** The op types this importer converts. */
export const KNOWN_OPS = new Set([
  'Constant', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Identity', 'Dropout', 'Relu', 'Sigmoid', 'Tanh', 'LeakyRelu',
  'Elu', 'HardSwish', 'HardSigmoid', 'Gelu', 'Clip', 'Add', 'Sub', 'Mul', 'Div', 'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
  'GlobalMaxPool', 'BatchNormalization', 'Gemm', 'MatMul', 'Flatten', 'Reshape', 'Transpose', 'Pad', 'Softmax', 'QuantizeLinear', 'DequantizeLinear',
]);

export function importOnnxFloat(model: ModelProto, opts: OnnxImportOptions = {}): OnnxFloatModel {
  const name = opts.name ?? model.graph?.name ?? 'model';
  if (opts.batchAxis !== undefined) return convert(model, name, opts, opts.batchAxis);
  const withBatch = convert(model, name, { ...opts, collect: true }, true);
  const batchIssues = withBatch.ops.filter((o) => !o.supported);
  if (!batchIssues.length) return withBatch;
  if (batchIssues.some((o) => o.why?.startsWith('works across the batch axis'))) {
    const whole = convert(model, name, { ...opts, collect: true }, false);
    if (whole.ops.every((o) => o.supported)) return whole;
  }
  if (!opts.collect) failIfUnsupported(name, withBatch.ops);
  return withBatch;
}

interface Val {
  /** IR tensor name. */
  ir: string;
  /** ONNX rank. */
  rank: number;
}

function convert(model: ModelProto, name: string, opts: OnnxImportOptions, batchAxis: boolean): OnnxFloatModel {
  const graph = model.graph;
  if (!graph) throw new OnnxError('E_ONNX_GRAPH', `${name}: the model has no graph`);
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  const opsetVersion = num(opset as Long) ?? 13;
  const g: IrGraph = { name, inputs: [], outputs: [], tensors: new Map(), nodes: [], meta: { source: 'onnx' } };
  const consts = new Map<string, DecodedTensor>();
  const vals = new Map<string, Val>();
  const poisoned = new Set<string>();
  const ops: OpStatus[] = [];
  const inputs: OnnxIo[] = [];
  const outputs: OnnxIo[] = [];
  let floatBytes = 0;
  let batchN = 1;
  const usedNames = new Set<string>();
  const nhwcInputs = new Set<string>();
  const unique = (base: string) => {
    let n = base;
    for (let i = 1; usedNames.has(n) || g.tensors.has(n); i++) n = `${base}_${i}`;
    usedNames.add(n);
    return n;
  };

  for (const t of graph.initializer ?? []) {
    const d = decodeTensor(t);
    consts.set(d.name, d);
  }
  for (const [k, v] of opts.constants ?? []) consts.set(k, v);

  for (const i of graph.input ?? []) {
    const iname = i.name!;
    if (consts.has(iname)) continue;
    const tt = i.type?.tensorType;
    const dims = (tt?.shape?.dim ?? []).map((d) => num(d.dimValue as Long) ?? 0);
    const dt = tt?.elemType ?? 0;
    const fixed = dims.map((d, k) => (d > 0 ? d : k === 0 ? 1 : d));
    if (dt !== OnnxType.FLOAT) ops.push({ name: iname, op: 'input', supported: false, why: `input of type ${onnxTypeName(dt)}`, fix: 'give the model a float32 input (integer inputs: use the QLinear/QDQ forms)' });
    if (fixed.some((d) => !(d > 0))) ops.push({ name: iname, op: 'input', supported: false, why: `input shape [${dims}] has unknown dimensions after the batch`, fix: 'export the model with a fixed input shape (only the batch axis may be symbolic)' });
    if (batchAxis && fixed.length === 0) ops.push({ name: iname, op: 'input', supported: false, why: 'works across the batch axis: a scalar input', fix: 'give the input a batch axis' });
    if (batchAxis) batchN = fixed[0] ?? 1;
    // An NHWC input read only by Transpose(0, 3, 1, 2) (TensorFlow exports, minnow's own): taken as it is.
    const readers = (graph.node ?? []).filter((n) => (n.input ?? []).includes(iname));
    const nhwc = batchAxis && fixed.length === 4 && readers.length > 0 &&
      readers.every((n) => n.opType === 'Transpose' && (n.attribute ?? []).find((a) => a.name === 'perm')?.ints?.map((v) => num(v as Long)).join() === '0,3,1,2');
    if (nhwc) nhwcInputs.add(iname);
    const nchw = batchAxis && fixed.length === 4 && !nhwc;
    inputs.push({ name: iname, dims: fixed, nchw, dataType: dt });
    const shape = !batchAxis ? fixed : nchw ? [fixed[2]!, fixed[3]!, fixed[1]!] : fixed.slice(1);
    if (nhwc) {
      g.tensors.set(iname, { name: iname, shape });
      usedNames.add(iname);
      g.inputs.push(iname);
      vals.set(iname, { ir: iname, rank: 4 });
      continue;
    }
    g.tensors.set(iname, { name: iname, shape: shape.map((d) => Math.max(d, 1)) });
    usedNames.add(iname);
    g.inputs.push(iname);
    vals.set(iname, { ir: iname, rank: fixed.length });
  }

  const irShape = (v: Val) => tensorOf(g, v.ir).shape;
  /** ONNX dims of an activation. */
  const dimsOf = (v: Val): number[] => {
    const s = irShape(v);
    if (!batchAxis) return [...s];
    if (v.rank === 4) return [batchN, s[2]!, s[0]!, s[1]!];
    return [batchN, ...s];
  };
  const isNchw = (v: Val) => batchAxis && v.rank === 4;

  for (const [index, node] of (graph.node ?? []).entries()) {
    const op = node.opType ?? '';
    const nodeName = node.name || `${op}_${index}`;
    const ins = (node.input ?? []) as string[];
    const outs = (node.output ?? []) as string[];
    if (ins.some((i) => poisoned.has(i))) {
      // After an unsupported node: only whether the op type is known.
      for (const o of outs) poisoned.add(o);
      ops.push(KNOWN_OPS.has(op) ? { name: nodeName, op, supported: true } : {
        name: nodeName, op, supported: false, why: `no minnow equivalent for ${op}`, fix: UNSUPPORTED_HINTS[op] ?? 'replace it in the source model, or export the model without it',
      });
      continue;
    }
    try {
      convertNode(node, op, nodeName, ins, outs);
      ops.push({ name: nodeName, op, supported: true });
    } catch (e) {
      for (const o of outs) poisoned.add(o);
      if (e instanceof Unsupported) ops.push({ name: nodeName, op, supported: false, why: e.message, fix: e.fix });
      else if (e instanceof GraphError) ops.push({ name: nodeName, op, supported: false, why: e.message, fix: 'check the model\'s shapes (export it with fixed, consistent shapes)' });
      else throw e;
    }
  }

  for (const o of graph.output ?? []) {
    const oname = o.name!;
    const v = vals.get(oname);
    if (poisoned.has(oname)) continue;
    if (!v) {
      ops.push({ name: oname, op: 'output', supported: false, why: consts.has(oname) ? 'the output is a constant' : 'the output is produced by no node', fix: 'export a model whose outputs depend on its inputs' });
      continue;
    }
    g.outputs.push(v.ir);
    outputs.push({ name: oname, dims: dimsOf(v), nchw: isNchw(v), dataType: OnnxType.FLOAT });
  }
  if (!opts.collect) failIfUnsupported(name, ops);
  if (ops.every((s) => s.supported)) {
    cleanup(g);
    checkGraph(g);
  }
  for (const t of g.tensors.values()) if (t.data) floatBytes += t.data.length * 4;
  return { graph: g, inputs, outputs, batchAxis, ops, floatBytes };

  // ---- helpers ---------------------------------------------------------------

  function attrs(n: NodeProto) {
    const m = new Map<string, Attr>();
    for (const a of (n.attribute ?? []) as Attr[]) m.set(a.name ?? '', a);
    return m;
  }

  function emit(op: OpKind, inputs: string[], a: Attrs, source: string, outName?: string): string {
    const out = outName ?? unique(`${source}/${op}`);
    usedNames.add(out);
    const n: IrNode = { name: unique(`${source}${outName ? '' : `/${op}`}`), op, inputs, outputs: [out], attrs: a, source: [source] };
    g.nodes.push(n);
    const shape = inferShape(g, n);
    g.tensors.set(out, { name: out, shape });
    return out;
  }

  function constant(base: string, shape: number[], data: Float32Array, weightScales?: Float32Array): string {
    const n = unique(base);
    g.tensors.set(n, weightScales ? { name: n, shape, data, weightScales } : { name: n, shape, data });
    return n;
  }

  /** A QDQ weight's scales when they are per tensor or along `axis` (the output channels); otherwise undefined. */
  function recordedScales(t: DecodedTensor, axis: number): Float32Array | undefined {
    const q = t.quantized;
    if (!q) return undefined;
    if (q.scales.length === 1 || q.axis === axis) return q.scales;
    return undefined;
  }

  function floatsOf(t: DecodedTensor): Float32Array {
    if (t.data instanceof Float32Array) return t.data;
    if (t.data instanceof BigInt64Array) return Float32Array.from(t.data, Number);
    return Float32Array.from(t.data as ArrayLike<number>);
  }
  function intsOf(t: DecodedTensor): number[] {
    return Array.from(t.data as ArrayLike<number | bigint>, Number);
  }

  function act(name: string | undefined, what = 'input'): Val {
    const v = name ? vals.get(name) : undefined;
    if (!v) {
      if (name && consts.has(name)) throw new Unsupported(`the ${what} "${name}" is a constant`, 'fold constant computations out of the model (onnx-simplifier, or export with constant folding)');
      throw new Unsupported(`the ${what} "${name}" is not computed by any earlier node`, 'export a model with its nodes in topological order');
    }
    return v;
  }
  function konst(name: string | undefined, what: string): DecodedTensor {
    const t = name ? consts.get(name) : undefined;
    if (!t) throw new Unsupported(`${what} ("${name}") is computed at run time`, 'minnow needs it as a constant: make it an initializer');
    return t;
  }
  function optConst(name: string | undefined, what: string) {
    return name ? konst(name, what) : undefined;
  }

  /** The IR tensor holding v in ONNX's order (without the batch axis). */
  function plain(v: Val, source: string): string {
    if (!isNchw(v)) return v.ir;
    const [h, w, c] = irShape(v) as [number, number, number];
    const key = `${v.ir}/nchw_order`;
    if (g.tensors.has(key)) return key;
    if (c === 1 || h * w === 1) return emit('reshape', [v.ir], { shape: [c, h, w] }, source, key);
    return emit('transpose', [v.ir], { perm: [2, 0, 1] }, source, key);
  }
  /** A plain IR tensor of ONNX rank `rank` as the IR holds that rank (NHWC for rank 4). */
  function fromPlain(ir: string, rank: number, source: string, outName: string): string {
    if (!(batchAxis && rank === 4)) return emit('identity', [ir], {}, source, outName);
    const [c, h, w] = tensorOf(g, ir).shape as [number, number, number];
    if (c === 1 || h * w === 1) return emit('reshape', [ir], { shape: [h, w, c] }, source, outName);
    return emit('transpose', [ir], { perm: [1, 2, 0] }, source, outName);
  }
  function set(onnxName: string, ir: string, rank: number) {
    vals.set(onnxName, { ir, rank });
  }

  /** An ONNX axis of a rank-r tensor → the IR axis (without batch), for tensors as the IR holds them. */
  function irAxis(axis: number, rank: number): number {
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw new Unsupported(`axis ${axis} is out of range for rank ${rank}`, 'fix the axis');
    if (!batchAxis) return a;
    if (a === 0) throw new BatchAxis('works across the batch axis (axis 0)', 'keep the batch axis first and untouched');
    if (rank === 4) return [-1, 2, 0, 1][a]!;
    return a - 1;
  }

  /** A constant operand of an elementwise op with an activation of rank r: as an IR constant. */
  function broadcastConst(t: DecodedTensor, r: number, source: string): string {
    const data = floatsOf(t);
    let dims = t.dims;
    if (!batchAxis) return constant(`${source}/${t.name || 'const'}`, dims, data.slice());
    if (dims.length > r) throw new Unsupported(`constant "${t.name}" [${dims}] has more axes than the activation`, 'fix the constant\'s shape');
    if (r === 4) {
      dims = [...new Array(4 - dims.length).fill(1), ...dims];
      const [n, c, h, w] = dims as [number, number, number, number];
      if (n !== 1) throw new BatchAxis(`works across the batch axis: constant "${t.name}" [${t.dims}] differs along the batch axis`, 'give the constant a leading axis of 1');
      const out = new Float32Array(data.length);
      for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(y * w + x) * c + ch] = data[(ch * h + y) * w + x]!;
      return constant(`${source}/${t.name || 'const'}`, [h, w, c], out);
    }
    if (dims.length === r) {
      if (dims[0] !== 1) throw new BatchAxis(`works across the batch axis: constant "${t.name}" [${t.dims}] differs along the batch axis`, 'give the constant a leading axis of 1');
      dims = dims.slice(1);
    }
    return constant(`${source}/${t.name || 'const'}`, dims, data.slice());
  }

  function needFloat(t: DecodedTensor, what: string) {
    if (t.dataType !== OnnxType.FLOAT && t.dataType !== OnnxType.DOUBLE)
      throw new Unsupported(`${what} is ${onnxTypeName(t.dataType)}`, 'minnow imports float32 models (or QDQ int8 ones)');
  }

  function windowAttrs(a: Map<string, Attr>, xDims: number[], kernel: [number, number], forPool: boolean, opName: string) {
    const strides = (a.get('strides')?.ints ?? [1, 1]).map((v) => num(v)!) as [number, number];
    const dil = (a.get('dilations')?.ints ?? [1, 1]).map((v) => num(v)!) as [number, number];
    const autoPad = a.get('auto_pad')?.s ? new TextDecoder().decode(a.get('auto_pad')!.s!) : 'NOTSET';
    const pads = (a.get('pads')?.ints ?? [0, 0, 0, 0]).map((v) => num(v)!);
    const ceil = num(a.get('ceil_mode')?.i) === 1;
    if (forPool && (dil[0] !== 1 || dil[1] !== 1)) throw new Unsupported(`dilations [${dil}] on ${opName}`, 'use dilation 1 for pooling');
    const [H, W] = [xDims[2]!, xDims[3]!];
    const ek = [(kernel[0] - 1) * dil[0] + 1, (kernel[1] - 1) * dil[1] + 1];
    let padding: Padding;
    let explicit: [number, number, number, number];
    if (autoPad === 'VALID') {
      padding = 'valid';
      explicit = [0, 0, 0, 0];
    } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const tot = [0, 1].map((k) => Math.max((Math.ceil([H, W][k]! / strides[k]!) - 1) * strides[k]! + ek[k]! - [H, W][k]!, 0));
      const before = tot.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2)));
      explicit = [before[0]!, tot[0]! - before[0]!, before[1]!, tot[1]! - before[1]!];
      padding = autoPad === 'SAME_UPPER' ? 'same' : explicit;
    } else if (autoPad === 'NOTSET') {
      if (pads.length !== 4) throw new Unsupported(`pads [${pads}]`, 'give 4 pads (2-D)');
      explicit = [pads[0]!, pads[2]!, pads[1]!, pads[3]!];
      padding = explicit.every((p) => p === 0) ? 'valid' : explicit;
    } else throw new Unsupported(`auto_pad ${autoPad}`, 'use NOTSET, VALID, SAME_UPPER or SAME_LOWER');
    if (explicit.some((p) => p < 0)) throw new Unsupported(`negative pads [${pads}]`, 'crop the input instead');
    if (ceil) {
      // Extra padding at the end gives the ceil-mode output size (windows may not start in the end padding).
      const extra = [0, 1].map((k) => {
        const inP = [H, W][k]! + explicit[2 * k]! + explicit[2 * k + 1]!;
        const s = strides[k]!;
        let out = Math.ceil((inP - ek[k]!) / s) + 1;
        if ((out - 1) * s >= [H, W][k]! + explicit[2 * k]!) out--;
        const floorOut = Math.floor((inP - ek[k]!) / s) + 1;
        return out > floorOut ? (out - 1) * s + ek[k]! - inP : 0;
      });
      if (extra[0] || extra[1]) {
        explicit = [explicit[0], explicit[1] + extra[0]!, explicit[2], explicit[3] + extra[1]!];
        padding = explicit;
      }
    }
    return { strides, dilations: dil, padding, explicit };
  }

  function convertNode(node: NodeProto, op: string, src: string, ins: string[], outs: string[]): void {
    const a = attrs(node);
    const out = outs[0]!;
    const extraOutputs = () => {
      if (outs.slice(1).some((o) => o)) throw new Unsupported(`${outs.length} outputs`, 'use the single-output form of the op');
    };
    // Constant folding of shape arithmetic (Shape → Gather → Unsqueeze → Concat → Reshape).
    if (['Constant', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Identity'].includes(op) && foldConstant(node, op, a, ins, out)) return;
    switch (op) {
      case 'Identity':
      case 'Dropout': {
        if (op === 'Dropout' && outs[1]) throw new Unsupported('the mask output', 'export the model in inference mode');
        const x = act(ins[0]);
        set(out, emit('identity', [x.ir], {}, src, out), x.rank);
        return;
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
      case 'LeakyRelu':
      case 'Elu':
      case 'HardSwish':
      case 'HardSigmoid':
      case 'Gelu':
      case 'Clip': {
        const x = act(ins[0]);
        const at: Attrs = {};
        if (op === 'Relu') at.fn = 'relu';
        else if (op === 'Sigmoid') at.fn = 'sigmoid';
        else if (op === 'Tanh') at.fn = 'tanh';
        else if (op === 'HardSwish') at.fn = 'hardSwish';
        else if (op === 'LeakyRelu') Object.assign(at, { fn: 'leakyRelu', alpha: a.get('alpha')?.f ?? 0.01 });
        else if (op === 'Elu') Object.assign(at, { fn: 'elu', alpha: a.get('alpha')?.f ?? 1 });
        else if (op === 'HardSigmoid') Object.assign(at, { fn: 'hardSigmoid', alpha: a.get('alpha')?.f ?? 0.2, beta: a.get('beta')?.f ?? 0.5 });
        else if (op === 'Gelu') {
          const approx = a.get('approximate')?.s ? new TextDecoder().decode(a.get('approximate')!.s!) : 'none';
          if (approx !== 'none' && approx !== 'tanh') throw new Unsupported(`approximate "${approx}"`, 'use "none" or "tanh"');
          at.fn = approx === 'tanh' ? 'gelu' : 'geluErf';
        } else {
          const lo = opsetVersion < 11 ? a.get('min')?.f ?? -Infinity : ins[1] ? scalar(konst(ins[1], 'min')) : -Infinity;
          const hi = opsetVersion < 11 ? a.get('max')?.f ?? Infinity : ins[2] ? scalar(konst(ins[2], 'max')) : Infinity;
          const f32 = Math.fround;
          if (f32(lo) === 0 && hi === Infinity) at.fn = 'relu';
          else if (f32(lo) === 0 && f32(hi) === 6) at.fn = 'relu6';
          else Object.assign(at, { fn: 'clip', min: lo, max: hi });
        }
        set(out, emit('activation', [x.ir], at, src, out), x.rank);
        return;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const kind: OpKind = op === 'Add' ? 'add' : op === 'Sub' ? 'sub' : 'mul';
        const [pa, pb] = [ins[0]!, ins[1]!];
        const va = vals.get(pa), vb = vals.get(pb);
        if (!va && !vb) throw new Unsupported('both operands are constants', 'fold constant computations out of the model');
        if (va && vb) {
          if (op === 'Div') throw new Unsupported('a division of two activations', 'minnow has no elementwise division kernel; multiply by a constant instead');
          if (va.rank !== vb.rank && (isNchw(va) || isNchw(vb))) throw new Unsupported(`operands of rank ${va.rank} and ${vb.rank} with a 4-D image`, 'give both operands the same rank');
          if (va.rank !== vb.rank && batchAxis) throw new BatchAxis(`works across the batch axis: operands of rank ${va.rank} and ${vb.rank} broadcast the batch axis`, 'give both operands the same rank');
          set(out, emit(kind, [va.ir, vb.ir], {}, src, out), Math.max(va.rank, vb.rank));
          return;
        }
        const x = (va ?? vb)!;
        const cT = konst(va ? pb : pa, 'the constant operand');
        needFloat(cT, 'the constant operand');
        const rank = Math.max(x.rank, cT.dims.length);
        if (rank > x.rank) throw new Unsupported(`the constant [${cT.dims}] has more axes than the activation`, 'fix the constant\'s shape');
        let c = cT;
        if (op === 'Div') {
          if (!va) throw new Unsupported('a constant divided by an activation', 'minnow has no elementwise division kernel');
          c = { ...cT, data: Float32Array.from(floatsOf(cT), (v) => 1 / v) };
        }
        const cn = broadcastConst(c, x.rank, src);
        if (kind === 'sub' && !va) {
          // c - x = (-1 * x) + c
          const neg = emit('mul', [x.ir, constant(`${src}/minus_one`, [], Float32Array.of(-1))], {}, src);
          set(out, emit('add', [neg, cn], {}, src, out), x.rank);
          return;
        }
        set(out, emit(op === 'Div' ? 'mul' : kind, va ? [x.ir, cn] : [cn, x.ir], {}, src, out), x.rank);
        return;
      }
      case 'Conv': {
        const x = act(ins[0]);
        if (!isNchw(x)) throw new Unsupported(x.rank === 3 ? '1-D convolution' : `a ${x.rank}-D input (only 2-D convolutions of [N, C, H, W] images)`, x.rank === 3 ? 'export it as a 2-D convolution over [N, C, 1, W]' : 'use a 2-D convolution');
        const wT = konst(ins[1], 'the weights');
        needFloat(wT, 'the weights');
        const w = floatsOf(wT);
        if (wT.dims.length !== 4) throw new Unsupported(`weights of rank ${wT.dims.length}`, 'use 2-D convolution weights [M, C/group, kH, kW]');
        const [M, Cg, KH, KW] = wT.dims as [number, number, number, number];
        const C = dimsOf(x)[1]!;
        const group = num(a.get('group')?.i) ?? 1;
        const ks = a.get('kernel_shape')?.ints?.map((v) => num(v)!);
        if (ks && (ks[0] !== KH || ks[1] !== KW)) throw new Unsupported(`kernel_shape [${ks}] differs from the weights' [${KH}, ${KW}]`, 'fix the model');
        const win = windowAttrs(a, dimsOf(x), [KH, KW], false, op);
        const bT = optConst(ins[2], 'the bias');
        const bias = bT ? constant(`${src}/bias`, [M], floatsOf(bT).slice()) : '';
        const attrsC: Attrs = { strides: win.strides, dilations: win.dilations, padding: win.padding, activation: 'none' };
        if (group === 1) {
          if (Cg !== C) throw new Unsupported(`weights for ${Cg} input channels, the input has ${C}`, 'fix the model');
          const k = new Float32Array(w.length);
          for (let m = 0; m < M; m++) for (let c = 0; c < C; c++) for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) k[((i * KW + j) * C + c) * M + m] = w[((m * C + c) * KH + i) * KW + j]!;
          set(out, emit('conv2d', [x.ir, constant(`${src}/kernel`, [KH, KW, C, M], k, recordedScales(wT, 0)), bias], attrsC, src, out), 4);
        } else if (group === C && Cg === 1 && M % C === 0) {
          const k = new Float32Array(w.length);
          for (let m = 0; m < M; m++) for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) k[(i * KW + j) * M + m] = w[(m * KH + i) * KW + j]!;
          set(out, emit('depthwise', [x.ir, constant(`${src}/kernel`, [KH, KW, M], k, recordedScales(wT, 0)), bias], { ...attrsC, multiplier: M / C }, src, out), 4);
        } else throw new Unsupported(`group ${group} with ${C} input channels`, 'use group 1 (convolution) or group = channels (depthwise)');
        return;
      }
      case 'MaxPool':
      case 'AveragePool': {
        extraOutputs();
        const x = act(ins[0]);
        if (!isNchw(x)) throw new Unsupported(`a ${x.rank}-D input (only 2-D pooling of [N, C, H, W] images)`, x.rank === 3 ? 'export it as 2-D pooling over [N, C, 1, W]' : 'use 2-D pooling');
        const ks = (a.get('kernel_shape')?.ints ?? []).map((v) => num(v)!) as [number, number];
        if (ks.length !== 2) throw new Unsupported(`kernel_shape [${ks}]`, 'give a 2-D kernel_shape');
        if (num(a.get('storage_order')?.i)) throw new Unsupported('storage_order 1', 'use the default row-major order');
        const win = windowAttrs(a, dimsOf(x), ks, true, op);
        let xin = x.ir;
        let padding = win.padding;
        if (op === 'AveragePool' && num(a.get('count_include_pad')?.i) === 1) {
          // Counted padding: zeros padded in first, then pooled (a ceil-mode extra stays uncounted).
          const [t, b, l, r] = windowAttrs(new Map([...a].filter(([k]) => k !== 'ceil_mode')), dimsOf(x), ks, true, op).explicit;
          if (t || b || l || r) {
            xin = emit('pad', [x.ir], { pads: [[t, b], [l, r], [0, 0]], value: 0 }, src);
            const e = win.explicit;
            padding = e[1] === b && e[3] === r ? 'valid' : [0, e[1] - b, 0, e[3] - r];
          }
        }
        set(out, emit(op === 'MaxPool' ? 'maxpool' : 'avgpool', [xin], { pool: ks, strides: win.strides, padding }, src, out), 4);
        return;
      }
      case 'GlobalAveragePool':
      case 'GlobalMaxPool': {
        const x = act(ins[0]);
        if (!isNchw(x)) throw new Unsupported(`a ${x.rank}-D input`, 'use a [N, C, H, W] image');
        const [h, w, c] = irShape(x) as [number, number, number];
        if (op === 'GlobalMaxPool') set(out, emit('maxpool', [x.ir], { pool: [h, w], strides: [1, 1], padding: 'valid' }, src, out), 4);
        else set(out, emit('reshape', [emit('globalpool', [x.ir], {}, src)], { shape: [1, 1, c] }, src, out), 4);
        return;
      }
      case 'BatchNormalization': {
        extraOutputs();
        if (num(a.get('training_mode')?.i) === 1) throw new Unsupported('training_mode 1', 'export the model in inference mode');
        const x = act(ins[0]);
        if (!(isNchw(x) || (batchAxis && x.rank === 2) || (!batchAxis && x.rank === 1))) throw new Unsupported(`a ${x.rank}-D input`, 'batch-normalize [N, C] vectors or [N, C, H, W] images');
        const ps = [1, 2, 3, 4].map((k) => {
          const t = konst(ins[k], ['scale', 'bias', 'mean', 'variance'][k - 1]!);
          return constant(`${src}/${['gamma', 'beta', 'mean', 'variance'][k - 1]}`, [size(t.dims)], floatsOf(t).slice());
        });
        set(out, emit('batchnorm', [x.ir, ...ps], { epsilon: a.get('epsilon')?.f ?? 1e-5 }, src, out), x.rank);
        return;
      }
      case 'Gemm':
      case 'MatMul': {
        const x = act(ins[0]);
        const bT = konst(ins[1], 'B (the weights)');
        needFloat(bT, 'B');
        const transA = num(a.get('transA')?.i) === 1;
        const transB = num(a.get('transB')?.i) === 1;
        const alpha = a.get('alpha')?.f ?? 1;
        const beta = a.get('beta')?.f ?? 1;
        if (bT.dims.length !== 2) throw new Unsupported(`B of rank ${bT.dims.length}`, 'use a 2-D weight matrix [K, N] (batched MatMul has no runtime op)');
        if (x.rank < (batchAxis ? 2 : 1)) throw new Unsupported('a vector A', 'give A a batch axis');
        const [K, N] = (transB ? [bT.dims[1]!, bT.dims[0]!] : bT.dims) as [number, number];
        const b = floatsOf(bT);
        const k = new Float32Array(K * N);
        for (let i = 0; i < K; i++) for (let j = 0; j < N; j++) k[i * N + j] = alpha * (transB ? b[j * K + i]! : b[i * N + j]!);
        let xin = plain(x, src);
        if (transA) {
          if (batchAxis) throw new BatchAxis('works across the batch axis: transA', 'transpose A before the model');
          xin = emit('transpose', [xin], { perm: [1, 0] }, src);
        }
        const cT = optConst(ins[2], 'C (the bias)');
        let bias = '';
        let matrixBias: Float32Array | undefined;
        if (cT) {
          const c = floatsOf(cT);
          if (size(cT.dims) === N && (cT.dims.length <= 1 || cT.dims[0] === 1)) bias = constant(`${src}/bias`, [N], Float32Array.from(c, (v) => beta * v));
          else if (size(cT.dims) === 1) bias = constant(`${src}/bias`, [N], new Float32Array(N).fill(beta * c[0]!));
          else if (batchAxis) throw new BatchAxis(`works across the batch axis: a bias C [${cT.dims}] per row`, 'use a bias of shape [N]');
          else matrixBias = Float32Array.from(c, (v) => beta * v);
        }
        // alpha rescales the weights: recorded scales stay valid only for alpha 1.
        const kname = constant(`${src}/kernel`, [K, N], k, alpha === 1 ? recordedScales(bT, transB ? 0 : 1) : undefined);
        const rank = x.rank;
        if (rank === 4 && batchAxis) {
          set(out, fromPlain(emit('dense', [xin, kname, bias], { activation: 'none' }, src), 4, src, out), 4);
        } else if (matrixBias) {
          const y = emit('dense', [xin, kname, ''], { activation: 'none' }, src);
          set(out, emit('add', [y, constant(`${src}/C`, cT!.dims, matrixBias)], {}, src, out), rank);
        } else set(out, emit('dense', [xin, kname, bias], { activation: 'none' }, src, out), rank);
        return;
      }
      case 'Flatten': {
        const x = act(ins[0]);
        let axis = num(a.get('axis')?.i) ?? 1;
        if (axis < 0) axis += x.rank;
        const xin = plain(x, src);
        if (batchAxis) {
          if (axis !== 1) throw new BatchAxis(`works across the batch axis: Flatten axis ${axis}`, 'flatten from axis 1');
          set(out, emit('flatten', [xin], {}, src, out), 2);
        } else {
          const d = dimsOf(x);
          set(out, emit('reshape', [xin], { shape: [size(d.slice(0, axis)), size(d.slice(axis))] }, src, out), 2);
        }
        return;
      }
      case 'Reshape':
      case 'Squeeze':
      case 'Unsqueeze': {
        const x = act(ins[0]);
        const d = dimsOf(x);
        let target: number[];
        if (op === 'Reshape') {
          const shape = intsOf(konst(ins[1], 'the shape'));
          const allowZero = num(a.get('allowzero')?.i) === 1;
          target = shape.map((s, k) => (s === 0 && !allowZero ? d[k]! : s));
          const known = target.filter((s) => s !== -1).reduce((p, q) => p * q, 1);
          target = target.map((s) => (s === -1 ? size(d) / known : s));
        } else {
          const axes = (opsetVersion >= 13 && ins[1] ? intsOf(konst(ins[1], 'axes')) : (a.get('axes')?.ints ?? []).map((v) => num(v)!));
          if (op === 'Squeeze') {
            const ax = (axes.length ? axes : d.map((v, k) => (v === 1 ? k : -1)).filter((k) => k >= 0)).map((v) => (v < 0 ? v + d.length : v));
            target = d.filter((_, k) => !ax.includes(k));
          } else {
            const r = d.length + axes.length;
            const ax = axes.map((v) => (v < 0 ? v + r : v));
            target = [];
            let j = 0;
            for (let k = 0; k < r; k++) target.push(ax.includes(k) ? 1 : d[j++]!);
          }
        }
        if (size(target) !== size(d) || target.some((t) => !Number.isInteger(t) || t < 0)) throw new Unsupported(`cannot reshape [${d}] to [${target}]`, 'fix the target shape');
        if (batchAxis && (target.length === 0 || target[0] !== d[0])) throw new BatchAxis(`works across the batch axis: reshape [${d}] → [${target}]`, 'keep the batch axis first and unchanged');
        const irT = batchAxis ? target.slice(1) : target;
        const r = emit('reshape', [plain(x, src)], { shape: irT }, src, batchAxis && target.length === 4 ? undefined : out);
        set(out, batchAxis && target.length === 4 ? fromPlain(r, 4, src, out) : r, target.length);
        return;
      }
      case 'Transpose': {
        const x = act(ins[0]);
        const perm = a.get('perm')?.ints?.map((v) => num(v)!) ?? [...Array(x.rank).keys()].reverse();
        if (perm.length !== x.rank) throw new Unsupported(`perm [${perm}] for rank ${x.rank}`, 'fix perm');
        if (nhwcInputs.has(ins[0]!)) {
          // NHWC input → NCHW: the IR already holds it as NHWC.
          set(out, emit('identity', [x.ir], {}, src, out), 4);
          return;
        }
        if (batchAxis) {
          if (perm[0] !== 0) throw new BatchAxis(`works across the batch axis: perm [${perm}]`, 'keep the batch axis first');
          const p = perm.slice(1).map((v) => v - 1);
          const t = p.every((v, k) => v === k) ? emit('identity', [plain(x, src)], {}, src) : emit('transpose', [plain(x, src)], { perm: p }, src, x.rank === 4 ? undefined : out);
          set(out, x.rank === 4 ? fromPlain(t, 4, src, out) : t, x.rank);
        } else set(out, emit('transpose', [x.ir], { perm }, src, out), x.rank);
        return;
      }
      case 'Concat': {
        const xs = ins.map((i) => vals.get(i) ?? (consts.has(i) ? undefined : act(i)));
        if (xs.some((v) => !v)) throw new Unsupported('a constant operand', 'concatenate activations only (or fold the constant into the model)');
        const vs = xs as Val[];
        const rank = vs[0]!.rank;
        if (vs.some((v) => v.rank !== rank)) throw new Unsupported('operands of different ranks', 'fix the model');
        const axis = irAxis(num(a.get('axis')?.i) ?? 0, rank);
        set(out, emit('concat', vs.map((v) => v.ir), { axis }, src, out), rank);
        return;
      }
      case 'Pad': {
        const x = act(ins[0]);
        const mode = a.get('mode')?.s ? new TextDecoder().decode(a.get('mode')!.s!) : 'constant';
        if (mode !== 'constant') throw new Unsupported(`mode "${mode}"`, 'use constant padding (minnow has no edge/reflect/wrap padding)');
        const pads = opsetVersion < 11 ? (a.get('pads')?.ints ?? []).map((v) => num(v)!) : intsOf(konst(ins[1], 'pads'));
        const value = opsetVersion < 11 ? a.get('value')?.f ?? 0 : ins[2] ? scalar(konst(ins[2], 'constant_value')) : 0;
        let axes = [...Array(x.rank).keys()];
        if (ins[3]) axes = intsOf(konst(ins[3], 'axes')).map((v) => (v < 0 ? v + x.rank : v));
        if (pads.length !== 2 * axes.length) throw new Unsupported(`${pads.length} pads for ${axes.length} axes`, 'fix pads');
        if (pads.some((p) => p < 0)) throw new Unsupported('negative pads (cropping)', 'crop the input before the model');
        const irRank = tensorOf(g, x.ir).shape.length;
        const irPads: [number, number][] = Array.from({ length: irRank }, () => [0, 0]);
        axes.forEach((ax, k) => {
          const p: [number, number] = [pads[k]!, pads[k + axes.length]!];
          if (!p[0] && !p[1]) return;
          irPads[irAxis(ax, x.rank)] = p;
        });
        set(out, emit('pad', [x.ir], { pads: irPads, value }, src, out), x.rank);
        return;
      }
      case 'Softmax': {
        const x = act(ins[0]);
        let axis = num(a.get('axis')?.i) ?? (opsetVersion >= 13 ? -1 : 1);
        if (axis < 0) axis += x.rank;
        if (opsetVersion < 13 && axis !== x.rank - 1) {
          // Softmax over the flattened axes from `axis` on.
          if (batchAxis && axis === 0) throw new BatchAxis('works across the batch axis: softmax over axis 0', 'apply softmax over the last axis');
          const d = dimsOf(x);
          const xin = plain(x, src);
          const irD = batchAxis ? d.slice(1) : d;
          const k = batchAxis ? axis - 1 : axis;
          const flat = emit('reshape', [xin], { shape: [...irD.slice(0, k), size(irD.slice(k))] }, src);
          const r = emit('reshape', [emit('softmax', [flat], { beta: 1 }, src)], { shape: irD }, src, isNchw(x) ? undefined : out);
          set(out, isNchw(x) ? fromPlain(r, 4, src, out) : r, x.rank);
          return;
        }
        const ia = irAxis(axis, x.rank);
        const last = tensorOf(g, x.ir).shape.length - 1;
        if (ia === last) {
          set(out, emit('softmax', [x.ir], { beta: 1 }, src, out), x.rank);
          return;
        }
        const perm = [...Array(last + 1).keys()];
        perm[ia] = last;
        perm[last] = ia;
        const t = emit('transpose', [x.ir], { perm }, src);
        set(out, emit('transpose', [emit('softmax', [t], { beta: 1 }, src)], { perm }, src, out), x.rank);
        return;
      }
      case 'QuantizeLinear':
      case 'DequantizeLinear': {
        const sT = konst(ins[1], op === 'QuantizeLinear' ? 'y_scale' : 'x_scale');
        const zT = ins[2] ? konst(ins[2], 'the zero point') : undefined;
        if (consts.has(ins[0]!) && op === 'DequantizeLinear') {
          // A quantized weight: folded to float here (minnow re-quantizes it per channel).
          const q = consts.get(ins[0]!)!;
          consts.set(out, dequantizeConst(q, sT, zT, num(a.get('axis')?.i) ?? 1));
          return;
        }
        const x = act(ins[0]);
        if (size(sT.dims) !== 1) throw new Unsupported('per-axis activation scales', 'use one scale per activation tensor');
        if (num(a.get('block_size')?.i)) throw new Unsupported('blocked quantization', 'use per-tensor activation quantization');
        const type = zT?.dataType ?? (op === 'QuantizeLinear' ? OnnxType.UINT8 : OnnxType.UINT8);
        if (type !== OnnxType.INT8 && type !== OnnxType.UINT8) throw new Unsupported(`${onnxTypeName(type)} quantization`, 'use int8 or uint8 QDQ');
        let zp = zT ? intsOf(zT)[0]! : 0;
        if (type === OnnxType.UINT8) zp -= 128; // same real grid, int8 storage
        const scale = floatsOf(sT)[0]!;
        set(out, emit(op === 'QuantizeLinear' ? 'quantize' : 'dequantize', [x.ir], { scale, zeroPoint: zp }, src, out), x.rank);
        return;
      }
      default:
        throw new Unsupported(`no minnow equivalent for ${op}${node.domain ? ` (domain ${node.domain})` : ''}`, UNSUPPORTED_HINTS[op] ?? 'replace it in the source model, or export the model without it');
    }
  }

  function scalar(t: DecodedTensor): number {
    return Number((t.data as ArrayLike<number | bigint>)[0]);
  }

  function dequantizeConst(q: DecodedTensor, s: DecodedTensor, z: DecodedTensor | undefined, axis: number): DecodedTensor {
    const qs = intsOf(q);
    const ss = floatsOf(s);
    const zs = z ? intsOf(z) : [0];
    const ax = axis < 0 ? axis + q.dims.length : axis;
    const inner = size(q.dims.slice(ax + 1));
    const n = q.dims[ax] ?? 1;
    const out = new Float32Array(qs.length);
    for (let i = 0; i < qs.length; i++) {
      const c = ss.length === 1 ? 0 : Math.floor(i / inner) % n;
      out[i] = (qs[i]! - (zs[zs.length === 1 ? 0 : c] ?? 0)) * ss[c]!;
    }
    // Symmetric int8 weights keep their scales, so that minnow packs the same int8 values.
    const symmetric = q.dataType === OnnxType.INT8 && zs.every((z) => z === 0);
    return { name: q.name, dims: q.dims, dataType: OnnxType.FLOAT, data: out, quantized: symmetric ? { scales: Float32Array.from(ss), axis: ax } : undefined };
  }

  /** Folds shape arithmetic on constants; returns whether the node was folded. */
  function foldConstant(_n: NodeProto, op: string, a: Map<string, Attr>, ins: string[], out: string): boolean {
    if (op === 'Constant') {
      const at = [...a.values()][0];
      if (!at) throw new Unsupported('a Constant without a value', 'fix the model');
      let t: DecodedTensor;
      if (at.name === 'value') t = decodeTensor(at.t as Parameters<typeof decodeTensor>[0]);
      else if (at.name === 'value_float') t = { name: out, dims: [], dataType: OnnxType.FLOAT, data: Float32Array.of(at.f ?? 0) };
      else if (at.name === 'value_floats') t = { name: out, dims: [at.floats!.length], dataType: OnnxType.FLOAT, data: Float32Array.from(at.floats!) };
      else if (at.name === 'value_int') t = { name: out, dims: [], dataType: OnnxType.INT64, data: BigInt64Array.of(BigInt(num(at.i)!)) };
      else if (at.name === 'value_ints') t = { name: out, dims: [at.ints!.length], dataType: OnnxType.INT64, data: BigInt64Array.from(at.ints!.map((v) => BigInt(num(v)!))) };
      else throw new Unsupported(`Constant with ${at.name}`, 'use a tensor value');
      consts.set(out, { ...t, name: out });
      return true;
    }
    if (op === 'Shape') {
      const v = vals.get(ins[0]!);
      if (!v) return false;
      const d = dimsOf(v);
      consts.set(out, { name: out, dims: [d.length], dataType: OnnxType.INT64, data: BigInt64Array.from(d.map(BigInt)) });
      return true;
    }
    if (!ins.filter(Boolean).every((i) => consts.has(i))) return false;
    const c = ins.map((i) => consts.get(i)!);
    const x = c[0]!;
    const asInt = (v: number[], dims: number[]): DecodedTensor => ({ name: out, dims, dataType: OnnxType.INT64, data: BigInt64Array.from(v.map((e) => BigInt(Math.trunc(e)))) });
    const values = (t: DecodedTensor) => Array.from(t.data as ArrayLike<number | bigint>, Number);
    switch (op) {
      case 'Identity':
        consts.set(out, { ...x, name: out });
        return true;
      case 'Cast': {
        const to = num(a.get('to')?.i) ?? OnnxType.FLOAT;
        const v = values(x);
        consts.set(out, to === OnnxType.FLOAT ? { name: out, dims: x.dims, dataType: to, data: Float32Array.from(v) } : asInt(v, x.dims));
        return true;
      }
      case 'Gather': {
        const idx = values(c[1]!);
        if ((num(a.get('axis')?.i) ?? 0) !== 0 || x.dims.length !== 1) return false;
        const v = values(x);
        consts.set(out, asInt(idx.map((i) => v[i < 0 ? i + v.length : i]!), c[1]!.dims));
        return true;
      }
      case 'Unsqueeze':
      case 'Squeeze': {
        const v = values(x);
        consts.set(out, { ...(x.dataType === OnnxType.FLOAT ? { ...x, data: Float32Array.from(v) } : asInt(v, x.dims)), name: out, dims: op === 'Unsqueeze' && x.dims.length === 0 ? [1] : x.dims.filter((d) => d !== 1) });
        return true;
      }
      case 'Concat': {
        if (c.some((t) => t.dims.length !== 1)) return false;
        const v = c.flatMap(values);
        consts.set(out, asInt(v, [v.length]));
        return true;
      }
    }
    return false;
  }
}

/**
 * Tidies an imported graph: a transpose to ONNX order feeding only a flatten
 * whose readers are all dense layers is folded into their weights (rows
 * permuted), so a CNN's Flatten → Gemm needs no transpose at run time.
 */
function cleanup(g: IrGraph): void {
  // MatMul/Conv + Add(constant per output channel) → the op's bias.
  for (const a of [...g.nodes]) {
    if (a.op !== 'add' || (a.attrs.activation ?? 'none') !== 'none') continue;
    const ci = a.inputs.findIndex((i) => g.tensors.get(i)?.data);
    if (ci < 0) continue;
    const x = a.inputs[1 - ci]!;
    const c = tensorOf(g, a.inputs[ci]!);
    const p = g.nodes.find((m) => m.outputs.includes(x));
    if (!p || !['dense', 'conv2d', 'depthwise'].includes(p.op) || (p.attrs.activation ?? 'none') !== 'none' || g.outputs.includes(x)) continue;
    if ((consumers(g).get(x) ?? []).length !== 1) continue;
    const k = tensorOf(g, p.inputs[1]!);
    const n = k.shape[k.shape.length - 1]!;
    if (size(c.shape) !== n || c.shape.slice(0, -1).some((d) => d !== 1)) continue;
    const old = p.inputs[2] ? tensorOf(g, p.inputs[2]).data! : new Float32Array(n);
    const name = `${p.name}/bias_add`;
    g.tensors.set(name, { name, shape: [n], data: Float32Array.from(old, (v, i) => v + c.data![i]!) });
    p.inputs[2] = name;
    p.outputs = [a.outputs[0]!];
    p.source = [...(p.source ?? []), ...(a.source ?? [])];
    g.tensors.delete(x);
    g.nodes.splice(g.nodes.indexOf(a), 1);
  }
  for (const t of [...g.nodes]) {
    if (t.op !== 'transpose') continue;
    const uses = consumers(g);
    const tu = uses.get(t.outputs[0]!) ?? [];
    if (tu.length !== 1 || tu[0]!.op !== 'flatten' || g.outputs.includes(t.outputs[0]!)) continue;
    const fl = tu[0]!;
    const fu = uses.get(fl.outputs[0]!) ?? [];
    if (!fu.length || g.outputs.includes(fl.outputs[0]!) || !fu.every((d) => d.op === 'dense' && d.inputs[0] === fl.outputs[0] && g.tensors.get(d.inputs[1]!)?.data)) continue;
    const xs = tensorOf(g, t.inputs[0]!).shape;
    const perm = t.attrs.perm!;
    const ts = perm.map((p) => xs[p]!);
    // Row r of the flattened transposed tensor reads element src[r] of the untransposed one.
    const n = size(xs);
    const inStr = xs.map((_, d) => size(xs.slice(d + 1)));
    const src = new Int32Array(n);
    const idx = new Array(ts.length).fill(0);
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let d = 0; d < ts.length; d++) s += idx[d] * inStr[perm[d]!]!;
      src[r] = s;
      for (let d = ts.length - 1; d >= 0; d--) {
        if (++idx[d] < ts[d]!) break;
        idx[d] = 0;
      }
    }
    for (const d of fu) {
      const k = tensorOf(g, d.inputs[1]!);
      const N = k.shape[1]!;
      const data = new Float32Array(k.data!.length);
      for (let r = 0; r < n; r++) data.set(k.data!.subarray(r * N, r * N + N), src[r]! * N);
      const name = `${k.name}/nhwc_rows`;
      g.tensors.set(name, { name, shape: [...k.shape], data });
      d.inputs[1] = name;
    }
    fl.inputs[0] = t.inputs[0]!;
    g.nodes.splice(g.nodes.indexOf(t), 1);
    g.tensors.delete(t.outputs[0]!);
  }
}

// ---- running an imported model on ONNX-layout data ---------------------------

/** NCHW data (batch n) → NHWC. */
export function nchwToNhwc(x: ArrayLike<number>, [n, c, h, w]: number[]): Float32Array {
  const y = new Float32Array(x.length);
  for (let b = 0; b < n!; b++) for (let ci = 0; ci < c!; ci++) for (let i = 0; i < h! * w!; i++) y[(b * h! * w! + i) * c! + ci] = x[(b * c! + ci) * h! * w! + i]!;
  return y;
}

/** NHWC data (batch n) → NCHW. */
export function nhwcToNchw(y: ArrayLike<number>, [n, c, h, w]: number[]): Float32Array {
  const x = new Float32Array(y.length);
  for (let b = 0; b < n!; b++) for (let ci = 0; ci < c!; ci++) for (let i = 0; i < h! * w!; i++) x[(b * c! + ci) * h! * w! + i] = y[(b * h! * w! + i) * c! + ci]!;
  return x;
}
