// The loaded model as the kernels see it: where the file, its constants and the
// arena are, and accessors for tensor records and op records. Everything here
// reads the .mnw bytes in place; nothing is copied or allocated.
import {
  DT_FLOAT32, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_UINT8,
  LOC_ARENA, OP_INPUT_COUNT, OP_OUTPUT_COUNT, OP_PARAM_COUNT, OP_TEMP_COUNT, OP_TENSORS,
  T_BYTES, T_DIMS, T_DTYPE, T_LOCATION, T_OFFSET, T_RANK, T_SCALE, T_ZERO_POINT,
  TENSOR_RECORD_BYTES,
} from './generated/format';

/** Address of the .mnw file in memory (16-byte aligned). */
export let modelBase: usize = 0;
/** Address of the constant section. */
export let constBase: usize = 0;
/** Address of the arena (16-byte aligned). */
export let arenaBase: usize = 0;
/** Address of the tensor table. */
export let tensorBase: usize = 0;
export let tensorCount: i32 = 0;

export function setModel(model: usize, consts: usize, arena: usize, tensors: usize, count: i32): void {
  modelBase = model;
  constBase = consts;
  arenaBase = arena;
  tensorBase = tensors;
  tensorCount = count;
}

// ---- tensor records -------------------------------------------------------

@inline export function tensorRecord(t: i32): usize {
  return tensorBase + <usize>t * TENSOR_RECORD_BYTES;
}
@inline export function tensorDtype(t: i32): u8 {
  return load<u8>(tensorRecord(t) + T_DTYPE);
}
@inline export function tensorRank(t: i32): i32 {
  return <i32>load<u8>(tensorRecord(t) + T_RANK);
}
@inline export function tensorDim(t: i32, k: i32): i32 {
  return <i32>load<u32>(tensorRecord(t) + T_DIMS + (<usize>k << 2));
}
/** Dimension k of the shape read right-aligned as 4-D (missing leading dims are 1). */
@inline export function dim4(t: i32, k: i32): i32 {
  const r = tensorRank(t);
  const j = k - (4 - r);
  return j < 0 ? 1 : tensorDim(t, j);
}
/** The last dimension (1 for a scalar). */
@inline export function lastDim(t: i32): i32 {
  const r = tensorRank(t);
  return r == 0 ? 1 : tensorDim(t, r - 1);
}
@inline export function tensorBytes(t: i32): i32 {
  return <i32>load<u32>(tensorRecord(t) + T_BYTES);
}
@inline export function tensorElements(t: i32): i32 {
  return tensorBytes(t) / dtypeBytes(tensorDtype(t));
}
@inline export function tensorScale(t: i32): f32 {
  return load<f32>(tensorRecord(t) + T_SCALE);
}
@inline export function tensorZeroPoint(t: i32): i32 {
  return load<i32>(tensorRecord(t) + T_ZERO_POINT);
}
/** Address of the tensor's data: in the arena, or in the constant section. */
@inline export function tensorData(t: i32): usize {
  const rec = tensorRecord(t);
  const base = load<u8>(rec + T_LOCATION) == LOC_ARENA ? arenaBase : constBase;
  return base + <usize>load<u32>(rec + T_OFFSET);
}

export function dtypeBytes(dt: u8): i32 {
  if (dt == DT_INT8 || dt == DT_UINT8) return 1;
  if (dt == DT_INT16) return 2;
  if (dt == DT_INT32 || dt == DT_FLOAT32) return 4;
  if (dt == DT_INT64) return 8;
  return 0;
}

// ---- op records -------------------------------------------------------------
// `op` is the address of an op record (see src/format/layout.ts, OP).

@inline export function opInputCount(op: usize): i32 {
  return <i32>load<u8>(op + OP_INPUT_COUNT);
}
@inline export function opOutputCount(op: usize): i32 {
  return <i32>load<u8>(op + OP_OUTPUT_COUNT);
}
@inline export function opTempCount(op: usize): i32 {
  return <i32>load<u8>(op + OP_TEMP_COUNT);
}
@inline export function opParamCount(op: usize): i32 {
  return <i32>load<u8>(op + OP_PARAM_COUNT);
}
/** Tensor index of input k (NONE when an optional input is absent). */
@inline export function opInput(op: usize, k: i32): i32 {
  return <i32>load<u16>(op + OP_TENSORS + (<usize>k << 1));
}
@inline export function opOutput(op: usize, k: i32): i32 {
  return <i32>load<u16>(op + OP_TENSORS + (<usize>(opInputCount(op) + k) << 1));
}
/** Tensor index of scratch tensor k, or NONE when the op has fewer. */
@inline export function opTemp(op: usize, k: i32): i32 {
  return k < opTempCount(op)
    ? <i32>load<u16>(op + OP_TENSORS + (<usize>(opInputCount(op) + opOutputCount(op) + k) << 1))
    : 0xffff;
}
@inline export function opTensorCount(op: usize): i32 {
  return opInputCount(op) + opOutputCount(op) + opTempCount(op);
}
@inline export function opParam(op: usize, k: i32): i32 {
  const n = opTensorCount(op);
  return load<i32>(op + OP_TENSORS + ((<usize>(n * 2) + 3) & ~3) + (<usize>k << 2));
}
@inline export function opRecordBytes(op: usize): usize {
  const n = opTensorCount(op);
  return <usize>OP_TENSORS + ((<usize>(n * 2) + 3) & ~3) + (<usize>opParamCount(op) << 2);
}
