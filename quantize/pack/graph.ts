// The packer API: build a graph of runtime ops from int8 weights and
// quantization parameters, plan its arena, and write the .mnw file.
//
//   const g = new GraphBuilder();
//   const x = g.input('image', DType.INT8, [1, 28, 28, 1], { scale: 1 / 255, zeroPoint: -128 });
//   const y = conv2d(g, x, filter, bias, { ... });      // quantize/pack/ops/*.ts
//   g.output(y, 'logits');
//   const { bytes, plan } = g.pack();
//
// Op-specific preparation (multipliers, shifts, tables, output shapes) lives in
// quantize/pack/ops/<op>.ts; this file holds only what all ops share.
import { DTYPE_BYTES, DTYPE_NAMES, type AnyTypedArray, type DType } from '../../src/format/dtypes.js';
import { MinnowError } from '../../src/format/errors.js';
import { Location } from '../../src/format/layout.js';
import type { Metadata, MnwSpec, PerChannelQuant } from '../../src/format/model.js';
import { NONE, OP_BY_NAME, type OpDef, type OpName } from '../../src/format/ops.js';
import { elementCount, writeMnw } from '../../src/format/writer.js';
import { planArena, type ArenaPlan } from '../plan/arena.js';

export type TensorId = number;

export interface Quant {
  scale: number;
  zeroPoint: number;
  perChannel?: PerChannelQuant;
}

export interface TensorInfo extends Quant {
  id: TensorId;
  name: string;
  dtype: DType;
  shape: number[];
  /** Constant bytes (weights, prepared multipliers, tables); undefined for arena tensors. */
  data?: Uint8Array;
  /** RESHAPE outputs: the tensor whose bytes this one shares. */
  aliasOf?: TensorId;
  /** Scratch tensors: the fewest bytes the kernel can still use, if fewer than it has. */
  leastBytes?: number;
}

export interface GraphOp {
  name: OpName;
  def: OpDef;
  inputs: (TensorId | undefined)[];
  outputs: TensorId[];
  temps: TensorId[];
  params: number[];
  /** The source layer's name, for reports and errors. */
  label: string;
  macs: number;
}

/** A model the packer cannot build or that breaks a budget. */
export class PackError extends MinnowError {}

export interface PackOptions {
  /** Refuse a plan whose arena exceeds this many bytes. */
  budgetArena?: number;
  /** Refuse a file larger than this many bytes. */
  budgetFlash?: number;
}

export interface PackResult {
  bytes: Uint8Array;
  plan: ArenaPlan;
  macs: number;
  /** Scratch tensors cut to their least size to fit the arena budget (their kernels run slower). */
  shrunk: string[];
}

function toBytes(data: Uint8Array | AnyTypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

export class GraphBuilder {
  readonly tensors: TensorInfo[] = [];
  readonly ops: GraphOp[] = [];
  readonly inputs: TensorId[] = [];
  readonly outputs: TensorId[] = [];
  readonly inputNames: string[] = [];
  readonly outputNames: string[] = [];
  /** Extra metadata (labels, preprocessing, producer, ...). */
  meta: Partial<Metadata> = {};

  private add(t: Omit<TensorInfo, 'id'>): TensorId {
    if (t.shape.some((d) => !Number.isInteger(d) || d < 1))
      throw new PackError('E_SHAPE', `tensor "${t.name}": shape [${t.shape}] must be positive integers`);
    const id = this.tensors.length;
    this.tensors.push({ ...t, id });
    return id;
  }

  tensor(id: TensorId): TensorInfo {
    const t = this.tensors[id];
    if (!t) throw new PackError('E_TENSOR', `no tensor ${id}`);
    return t;
  }

  /** A model input, living in the arena. */
  input(name: string, dtype: DType, shape: number[], quant: Quant = { scale: 0, zeroPoint: 0 }): TensorId {
    const id = this.activation(name, dtype, shape, quant);
    this.inputs.push(id);
    this.inputNames.push(name);
    return id;
  }

  /** An intermediate (arena) tensor, the output of some op. */
  activation(name: string, dtype: DType, shape: number[], quant: Quant = { scale: 0, zeroPoint: 0 }): TensorId {
    return this.add({ name, dtype, shape: [...shape], ...quant });
  }

  /** A constant: its bytes are stored in the file. */
  constant(name: string, dtype: DType, shape: number[], data: Uint8Array | AnyTypedArray, quant: Quant = { scale: 0, zeroPoint: 0 }): TensorId {
    const bytes = toBytes(data);
    const want = elementCount(shape) * DTYPE_BYTES[dtype];
    if (bytes.length !== want)
      throw new PackError('E_SHAPE', `constant "${name}": ${bytes.length} bytes given, shape [${shape}] of ${DTYPE_NAMES[dtype]} needs ${want}`);
    return this.add({ name, dtype, shape: [...shape], data: bytes, ...quant });
  }

  /**
   * A scratch buffer for one op, planned in the arena; leastBytes: what the
   * kernel can still make do with (more slowly) when the arena is over budget.
   */
  scratch(name: string, bytes: number, leastBytes?: number): TensorId {
    const least = leastBytes !== undefined && leastBytes < bytes ? Math.max(1, leastBytes) : undefined;
    return this.add({ name, dtype: 1 as DType, shape: [Math.max(1, bytes)], scale: 0, zeroPoint: 0, leastBytes: least });
  }

  /** Marks a tensor as a model output. */
  output(id: TensorId, name?: string): void {
    this.outputs.push(id);
    this.outputNames.push(name ?? this.tensor(id).name);
  }

  /**
   * Adds an op. Parameters are given by their op-table names; every parameter
   * must be present. Returns the op's index.
   */
  addOp(
    name: OpName,
    inputs: (TensorId | undefined)[],
    outputs: TensorId[],
    params: Record<string, number>,
    options: { temps?: TensorId[]; label?: string; macs?: number } = {},
  ): number {
    const def = OP_BY_NAME.get(name);
    if (!def) throw new PackError('E_OP', `unknown op ${name}`);
    const label = options.label ?? `${name.toLowerCase()}_${this.ops.length}`;
    for (const k of Object.keys(params))
      if (!def.params.includes(k)) throw new PackError('E_PARAM', `${label} (${name}): unknown parameter "${k}"`);
    const values = def.params.map((p) => {
      const v = params[p];
      if (v === undefined || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff)
        throw new PackError('E_PARAM', `${label} (${name}): parameter "${p}" is ${v}; it must be a 32-bit integer`);
      return v;
    });
    for (const id of [...inputs, ...outputs, ...(options.temps ?? [])]) if (id !== undefined) this.tensor(id);
    this.ops.push({ name, def, inputs, outputs, temps: options.temps ?? [], params: values, label, macs: options.macs ?? 0 });
    return this.ops.length - 1;
  }

  /** RESHAPE: a new shape over the same bytes (no copy at run time). */
  reshape(x: TensorId, shape: number[], name?: string): TensorId {
    const t = this.tensor(x);
    if (elementCount(shape) !== elementCount(t.shape))
      throw new PackError('E_SHAPE', `reshape of "${t.name}" [${t.shape}] to [${shape}] changes the element count`);
    // A constant is simply stored in its new shape.
    if (t.data) return this.constant(name ?? `${t.name}_reshaped`, t.dtype, shape, t.data, t);
    const y = this.add({ ...t, name: name ?? `${t.name}_reshaped`, shape: [...shape], aliasOf: x });
    this.addOp('RESHAPE', [x], [y], {}, { label: name });
    return y;
  }

  /** Total multiply-accumulates per inference. */
  get macs(): number {
    return this.ops.reduce((n, o) => n + o.macs, 0);
  }

  /** Plans the arena and writes the file (over the arena budget, cutting scratch tensors that allow it, in this graph too). */
  pack(options: PackOptions = {}): PackResult {
    if (!this.inputs.length) throw new PackError('E_GRAPH', 'the graph has no inputs');
    if (!this.outputs.length) throw new PackError('E_GRAPH', 'the graph has no outputs');
    for (const id of this.outputs)
      if (this.tensor(id).data) throw new PackError('E_GRAPH', `output "${this.tensor(id).name}" is a constant`);
    let plan = planArena(this);
    const shrunk: string[] = [];
    if (options.budgetArena !== undefined && plan.arenaBytes > options.budgetArena) {
      // Over budget: scratch tensors that can make do with less get their least.
      for (const t of this.tensors) {
        if (t.leastBytes === undefined) continue;
        t.shape = [t.leastBytes];
        t.leastBytes = undefined;
        shrunk.push(t.name);
      }
      if (shrunk.length) plan = planArena(this);
      if (plan.arenaBytes > options.budgetArena)
        throw new PackError('E_BUDGET', `arena needs ${plan.arenaBytes} bytes, over the budget of ${options.budgetArena}${shrunk.length ? ' (with every scratch tensor at its least)' : ''}.\n${plan.describePeak(this)}`);
    }

    const tensors: MnwSpec['tensors'] = this.tensors.map((t) => ({
      dtype: t.dtype,
      shape: t.shape,
      location: t.data ? Location.CONST : Location.ARENA,
      offset: t.data ? undefined : plan.offsets[t.id],
      data: t.data,
      scale: t.scale,
      zeroPoint: t.zeroPoint,
      perChannel: t.perChannel,
    }));
    const ops = this.ops.map((o) => ({
      opcode: o.def.id,
      inputs: o.inputs.map((i) => (i === undefined ? NONE : i)),
      outputs: o.outputs,
      temps: o.temps,
      params: o.params,
    }));
    const metadata: Metadata = {
      ...this.meta,
      inputs: this.inputNames,
      outputs: this.outputNames,
      tensorNames: this.tensors.map((t) => t.name),
      opNames: this.ops.map((o) => o.label),
    };
    const bytes = writeMnw({ arenaBytes: plan.arenaBytes, macs: this.macs, inputs: this.inputs, outputs: this.outputs, tensors, ops, metadata });
    if (options.budgetFlash !== undefined && bytes.length > options.budgetFlash) {
      const big = [...this.tensors].filter((t) => t.data).sort((a, b) => b.data!.length - a.data!.length).slice(0, 5);
      throw new PackError(
        'E_BUDGET',
        `the model file needs ${bytes.length} bytes, over the flash budget of ${options.budgetFlash}. Largest constants:\n` +
          big.map((t) => `  ${t.name} [${t.shape}] ${DTYPE_NAMES[t.dtype]}: ${t.data!.length} bytes`).join('\n'),
      );
    }
    return { bytes, plan, macs: this.macs, shrunk };
  }
}
