// The op table: the one source of truth for every op minnow runs.
//
// The packer writes op records from it, the readers (TypeScript and the wasm
// loader) check op records against it, the runtime's dispatch and parameter
// indices are generated from it (assembly/generated/ops.ts, see gen-assembly.ts),
// and the reference interpreter implements exactly the ops listed here.
//
// Ids and parameter order are part of the file format: append, never renumber.
//
// Conventions shared by all ops:
// - Layout is NHWC. A tensor of rank < 4 given to a 4-D op is read right-aligned
//   (missing leading dimensions are 1).
// - "Offset" parameters follow TFLite: inputOffset = -zp_in and
//   filterOffset = -zp_filter are added to the stored values before multiplying;
//   outputOffset = +zp_out is added after requantization.
// - multiplier/shift pairs are TFLite's quantized multipliers: Q31 multiplier in
//   [2^30, 2^31) (or 0) and a power-of-two shift (positive = left), applied with
//   TFLite's double rounding (saturating rounding doubling high multiply, then
//   rounding divide by a power of two).
// - actMin/actMax are the fused activation's clamp in the output's quantized
//   domain (ReLU, ReLU6 or none become clamps at pack time).

import { DType } from './dtypes.js';

export interface TensorSlot {
  name: string;
  dtypes: readonly DType[];
  /** Must be a constant (weights, prepared multipliers, tables). */
  constant?: boolean;
  /** May be absent (tensor index NONE). */
  optional?: boolean;
}

export interface OpDef {
  id: number;
  name: string;
  summary: string;
  inputs: readonly TensorSlot[];
  /** The last input may repeat (CONCATENATION); min count applies. */
  variadic?: { min: number; max: number };
  outputs: readonly TensorSlot[];
  /** Scratch tensors, live only while the op runs (planned in the arena). */
  temps?: readonly TensorSlot[];
  /** int32 parameters, in file order. */
  params: readonly string[];
  /** The output may share the input's bytes (elementwise, same size). */
  inPlace?: boolean;
  /** The output is a view of the input's bytes (no kernel runs). */
  alias?: boolean;
}

const { FLOAT32, INT8, INT16, INT32, INT64 } = DType;
const Q = [INT8] as const;
const Q16 = [INT8, INT16] as const;

const prepared = [
  { name: 'multiplier', dtypes: [INT32], constant: true },
  { name: 'shift', dtypes: [INT32], constant: true },
] as const;

export const OPS = [
  {
    id: 1,
    name: 'CONV_2D',
    summary: 'int8 2-D convolution, NHWC input, OHWI filter, per-channel or per-tensor requantization',
    inputs: [
      { name: 'input', dtypes: Q },
      { name: 'filter', dtypes: [INT8], constant: true },
      { name: 'bias', dtypes: [INT32], constant: true, optional: true },
      ...prepared,
    ],
    outputs: [{ name: 'output', dtypes: Q }],
    temps: [{ name: 'scratch', dtypes: [INT8], optional: true }],
    params: ['strideH', 'strideW', 'dilationH', 'dilationW', 'padTop', 'padLeft', 'inputOffset', 'filterOffset', 'outputOffset', 'actMin', 'actMax'],
  },
  {
    id: 2,
    name: 'DEPTHWISE_CONV_2D',
    summary: 'int8 depthwise convolution with a depth multiplier; filter [1, KH, KW, C*multiplier]',
    inputs: [
      { name: 'input', dtypes: Q },
      { name: 'filter', dtypes: [INT8], constant: true },
      { name: 'bias', dtypes: [INT32], constant: true, optional: true },
      ...prepared,
    ],
    outputs: [{ name: 'output', dtypes: Q }],
    params: ['strideH', 'strideW', 'dilationH', 'dilationW', 'padTop', 'padLeft', 'depthMultiplier', 'inputOffset', 'filterOffset', 'outputOffset', 'actMin', 'actMax'],
  },
  {
    id: 3,
    name: 'FULLY_CONNECTED',
    summary: 'int8 (or 16x8) fully connected: input [..., K] as rows of K, filter [OC, K]',
    inputs: [
      { name: 'input', dtypes: Q16 },
      { name: 'filter', dtypes: [INT8], constant: true },
      { name: 'bias', dtypes: [INT32, INT64], constant: true, optional: true },
      ...prepared,
    ],
    outputs: [{ name: 'output', dtypes: Q16 }],
    params: ['inputOffset', 'filterOffset', 'outputOffset', 'actMin', 'actMax'],
  },
  {
    id: 4,
    name: 'MAX_POOL_2D',
    summary: 'max pooling; input and output share scale and zero point',
    inputs: [{ name: 'input', dtypes: Q }],
    outputs: [{ name: 'output', dtypes: Q }],
    params: ['filterH', 'filterW', 'strideH', 'strideW', 'padTop', 'padLeft', 'actMin', 'actMax'],
  },
  {
    id: 5,
    name: 'AVERAGE_POOL_2D',
    summary: 'average pooling over the valid (unpadded) taps, rounding half away from zero',
    inputs: [{ name: 'input', dtypes: Q }],
    outputs: [{ name: 'output', dtypes: Q }],
    params: ['filterH', 'filterW', 'strideH', 'strideW', 'padTop', 'padLeft', 'actMin', 'actMax'],
  },
  {
    id: 6,
    name: 'MEAN',
    summary: 'mean over the spatial axes H and W of an NHWC tensor, requantized',
    inputs: [{ name: 'input', dtypes: Q }],
    outputs: [{ name: 'output', dtypes: Q }],
    params: ['inputOffset', 'outputOffset', 'multiplier', 'shift'],
  },
  {
    id: 7,
    name: 'ADD',
    summary: 'elementwise add with broadcasting (int8, or int16 with zero points 0)',
    inputs: [
      { name: 'input1', dtypes: Q16 },
      { name: 'input2', dtypes: Q16 },
    ],
    outputs: [{ name: 'output', dtypes: Q16 }],
    params: ['inputOffset1', 'inputOffset2', 'outputOffset', 'leftShift', 'multiplier1', 'shift1', 'multiplier2', 'shift2', 'outputMultiplier', 'outputShift', 'actMin', 'actMax'],
    inPlace: true,
  },
  {
    id: 8,
    name: 'MUL',
    summary: 'elementwise multiply with broadcasting',
    inputs: [
      { name: 'input1', dtypes: Q },
      { name: 'input2', dtypes: Q },
    ],
    outputs: [{ name: 'output', dtypes: Q }],
    params: ['inputOffset1', 'inputOffset2', 'outputOffset', 'outputMultiplier', 'outputShift', 'actMin', 'actMax'],
    inPlace: true,
  },
  {
    id: 9,
    name: 'CONCATENATION',
    summary: 'concatenation along one axis; all inputs share the output scale and zero point',
    inputs: [{ name: 'inputs', dtypes: Q16 }],
    variadic: { min: 1, max: 64 },
    outputs: [{ name: 'output', dtypes: Q16 }],
    params: ['axis'],
  },
  {
    id: 10,
    name: 'PAD',
    summary: 'constant padding of up to 4 dimensions (right-aligned) with padValue',
    inputs: [{ name: 'input', dtypes: Q16 }],
    outputs: [{ name: 'output', dtypes: Q16 }],
    params: ['padValue', 'before0', 'after0', 'before1', 'after1', 'before2', 'after2', 'before3', 'after3'],
  },
  {
    id: 11,
    name: 'RESHAPE',
    summary: 'new shape, same bytes: the output is a zero-copy alias of the input',
    inputs: [{ name: 'input', dtypes: [INT8, INT16, INT32, FLOAT32] }],
    outputs: [{ name: 'output', dtypes: [INT8, INT16, INT32, FLOAT32] }],
    params: [],
    alias: true,
  },
  {
    id: 12,
    name: 'SOFTMAX',
    summary: "TFLite's fixed-point softmax over the last axis; int8 output with scale 1/256, zero point -128",
    inputs: [{ name: 'input', dtypes: Q }],
    outputs: [{ name: 'output', dtypes: Q }],
    params: ['inputBetaMultiplier', 'inputBetaLeftShift', 'diffMin'],
  },
  {
    id: 13,
    name: 'LOOKUP',
    summary: 'any elementwise function as a table computed at pack time: int8 → int8 (256 entries) or int16 → int16 (513 entries, interpolated)',
    inputs: [
      { name: 'input', dtypes: Q16 },
      { name: 'table', dtypes: Q16, constant: true },
    ],
    outputs: [{ name: 'output', dtypes: Q16 }],
    params: [],
    inPlace: true,
  },
  {
    id: 14,
    name: 'QUANTIZE',
    summary: 'float32 → int8/int16 with the output scale (round half away from zero), or requantize int8/int16 → int8/int16',
    inputs: [{ name: 'input', dtypes: [FLOAT32, INT8, INT16] }],
    outputs: [{ name: 'output', dtypes: Q16 }],
    params: ['inputOffset', 'outputOffset', 'multiplier', 'shift'],
  },
  {
    id: 15,
    name: 'DEQUANTIZE',
    summary: 'int8/int16 → float32: (q - zero point) * scale',
    inputs: [{ name: 'input', dtypes: Q16 }],
    outputs: [{ name: 'output', dtypes: [FLOAT32] }],
    params: [],
  },
] as const satisfies readonly OpDef[];

export type OpName = (typeof OPS)[number]['name'];

export const OP_BY_ID: ReadonlyMap<number, OpDef> = new Map(OPS.map((o) => [o.id, o as OpDef]));
export const OP_BY_NAME: ReadonlyMap<string, OpDef> = new Map(OPS.map((o) => [o.name, o as OpDef]));

export function opDef(name: OpName): OpDef {
  return OP_BY_NAME.get(name)!;
}

/** Index of a named parameter in an op's parameter list. */
export function paramIndex(op: OpDef, name: string): number {
  const i = op.params.indexOf(name);
  if (i < 0) throw new Error(`op ${op.name} has no parameter "${name}"`);
  return i;
}

/** Tensor index meaning "absent" in op records. */
export const NONE = 0xffff;
