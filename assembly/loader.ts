// The wasm loader: checks every field of a .mnw file placed in memory before the
// first run (mirroring src/format/reader.ts and checks.ts), so that no kernel
// ever reads or writes outside the file's constants and the arena. Failures
// return a code and leave details in errors.ts; nothing traps.
import {
  CONST_ALIGN, CONSTANT_SLOT, E_ARENA, E_CHECKSUM, E_DTYPE, E_HEADER, E_MAGIC, E_MEMORY, E_OP, E_SECTION, E_TENSOR,
  E_TRUNCATED, E_VERSION, H_ARENA_BYTES, H_CONST_BYTES, H_CONST_OFFSET, H_CRC32, H_FILE_BYTES, H_FLAGS, H_HEADER_BYTES,
  H_INPUT_COUNT, H_IO_OFFSET, H_MAGIC, H_META_BYTES, H_META_OFFSET, H_OP_BYTES, H_OP_COUNT, H_OP_OFFSET,
  H_OUTPUT_COUNT, H_TENSOR_COUNT, H_TENSOR_OFFSET, H_VERSION_MAJOR, HEADER_BYTES, LOC_ARENA, LOC_CONST, MAGIC, MAX_RANK,
  NO_QUANT, NONE, OP_OPCODE, OP_RESERVED, OP_TENSORS, OPTIONAL_SLOT, T_BYTES, T_DIMS, T_DTYPE, T_FLAGS, T_LOCATION,
  T_OFFSET, T_QUANT, T_RANK, T_SCALE, T_ZERO_POINT, TENSOR_RECORD_BYTES, VERSION_MAJOR, inputSlot, maxInputs, maxTemps, minInputs,
  outputCountOf, outputSlot, paramCountOf, tempSlot,
} from './generated/format';
import { clearError, fail, setErrorOp } from './errors';
import { checkOp } from './dispatch';
import {
  dtypeBytes, opInput, opInputCount, opOutput, opOutputCount, opParamCount, opRecordBytes, opTemp, opTempCount,
  setModel, tensorDtype, tensorRecord,
} from './model';

/** Where the checked op list starts and how many ops it holds. */
export let opBase: usize = 0;
export let opCount: i32 = 0;
export let inputBase: usize = 0;
export let inputCount: i32 = 0;
export let outputCount: i32 = 0;
export let loaded: bool = false;

const MAX_BYTES: u64 = 0x7fff0000;

// CRC-32 with a 16-entry table (two lookups a byte): small code, fast enough.
const CRC_NIBBLES = memory.data<u32>([
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
  0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
]);

export function crc32(p: usize, n: usize): u32 {
  let c: u32 = 0xffffffff;
  for (let i: usize = 0; i < n; i++) {
    c ^= <u32>load<u8>(p + i);
    c = load<u32>(CRC_NIBBLES + ((<usize>(c & 15)) << 2)) ^ (c >>> 4);
    c = load<u32>(CRC_NIBBLES + ((<usize>(c & 15)) << 2)) ^ (c >>> 4);
  }
  return c ^ 0xffffffff;
}

/**
 * Checks the file at `model` (`size` bytes available) and binds it to the arena
 * at `arena` (`arenaSize` bytes). Returns 0 or a load code.
 */
export function loadModel(model: usize, size: u32, arena: usize, arenaSize: u32): i32 {
  clearError();
  loaded = false;
  if (size < HEADER_BYTES) return fail(E_TRUNCATED, -1, <i32>size);
  if (load<u32>(model + H_MAGIC) != MAGIC) return fail(E_MAGIC, -1, <i32>load<u32>(model + H_MAGIC));
  if (<u32>load<u16>(model + H_VERSION_MAJOR) != VERSION_MAJOR) return fail(E_VERSION, -1, <i32>load<u16>(model + H_VERSION_MAJOR));
  if (load<u32>(model + H_HEADER_BYTES) != HEADER_BYTES) return fail(E_HEADER, -1, <i32>load<u32>(model + H_HEADER_BYTES));
  const fileBytes = load<u32>(model + H_FILE_BYTES);
  if (fileBytes > size) return fail(E_TRUNCATED, -1, <i32>fileBytes);
  if (fileBytes < HEADER_BYTES || (fileBytes & 3) != 0) return fail(E_HEADER, -1, <i32>fileBytes);
  if (crc32(model + 20, <usize>(fileBytes - 20)) != load<u32>(model + H_CRC32)) return fail(E_CHECKSUM);
  if (load<u32>(model + H_FLAGS) != 0) return fail(E_HEADER, -1, <i32>load<u32>(model + H_FLAGS));
  const arenaBytes = load<u32>(model + H_ARENA_BYTES);
  if (<u64>arenaBytes > MAX_BYTES || (arenaBytes & 15) != 0) return fail(E_HEADER, -1, <i32>arenaBytes);

  // The memory the host gave must hold the file and the arena without overlap.
  if (arenaBytes > arenaSize) return fail(E_MEMORY, -1, <i32>arenaSize);
  const memBytes = <u64>memory.size() << 16;
  if (<u64>model + <u64>size > <u64>arena || <u64>arena + <u64>arenaSize > memBytes || (arena & 15) != 0 || (model & 15) != 0)
    return fail(E_MEMORY, -1, <i32>arena);

  const tCount = load<u32>(model + H_TENSOR_COUNT);
  const oCount = load<u32>(model + H_OP_COUNT);
  const nIn = <u32>load<u16>(model + H_INPUT_COUNT);
  const nOut = <u32>load<u16>(model + H_OUTPUT_COUNT);
  if (tCount == 0 || tCount > 0xfffe) return fail(E_HEADER, -1, <i32>tCount);
  if (nIn == 0 || nOut == 0) return fail(E_HEADER);

  // Sections, in file order, aligned, inside the file, not overlapping.
  let end: u64 = HEADER_BYTES;
  let r = section(model, H_IO_OFFSET, <u64>(nIn + nOut) * 2, 4, end, fileBytes);
  if (r) return r;
  end = <u64>load<u32>(model + H_IO_OFFSET) + <u64>(nIn + nOut) * 2;
  r = section(model, H_TENSOR_OFFSET, <u64>tCount * TENSOR_RECORD_BYTES, 4, end, fileBytes);
  if (r) return r;
  end = <u64>load<u32>(model + H_TENSOR_OFFSET) + <u64>tCount * TENSOR_RECORD_BYTES;
  const opBytes = load<u32>(model + H_OP_BYTES);
  r = section(model, H_OP_OFFSET, <u64>opBytes, 4, end, fileBytes);
  if (r) return r;
  end = <u64>load<u32>(model + H_OP_OFFSET) + <u64>opBytes;
  const constBytes = load<u32>(model + H_CONST_BYTES);
  r = section(model, H_CONST_OFFSET, <u64>constBytes, CONST_ALIGN, end, fileBytes);
  if (r) return r;
  end = <u64>load<u32>(model + H_CONST_OFFSET) + <u64>constBytes;
  r = section(model, H_META_OFFSET, <u64>load<u32>(model + H_META_BYTES), 4, end, fileBytes);
  if (r) return r;

  const consts = model + <usize>load<u32>(model + H_CONST_OFFSET);
  const tensors = model + <usize>load<u32>(model + H_TENSOR_OFFSET);
  setModel(model, consts, arena, tensors, <i32>tCount);

  for (let t: i32 = 0; t < <i32>tCount; t++) {
    r = checkTensor(t, consts, constBytes, arenaBytes);
    if (r) return r;
  }
  const io = model + <usize>load<u32>(model + H_IO_OFFSET);
  for (let k: u32 = 0; k < nIn + nOut; k++) {
    const t = <i32>load<u16>(io + (<usize>k << 1));
    if (t >= <i32>tCount) return fail(E_HEADER, t);
    if (load<u8>(tensorRecord(t) + T_LOCATION) != LOC_ARENA) return fail(E_TENSOR, t);
  }

  const ops = model + <usize>load<u32>(model + H_OP_OFFSET);
  const opEnd = ops + <usize>opBytes;
  let p = ops;
  for (let i: i32 = 0; i < <i32>oCount; i++) {
    setErrorOp(i);
    if (p + OP_TENSORS > opEnd) return fail(E_TRUNCATED);
    if (p + opRecordBytes(p) > opEnd) return fail(E_TRUNCATED);
    r = checkOpRecord(p, <i32>tCount);
    if (r) return r;
    r = checkOp(<i32>load<u16>(p + OP_OPCODE), p);
    if (r) return r;
    p += opRecordBytes(p);
  }
  setErrorOp(-1);
  if (p != opEnd) return fail(E_SECTION, -1, <i32>(opEnd - p));

  opBase = ops;
  opCount = <i32>oCount;
  inputBase = io;
  inputCount = <i32>nIn;
  outputCount = <i32>nOut;
  loaded = true;
  return 0;
}

function section(model: usize, field: u32, len: u64, align: u32, prevEnd: u64, fileBytes: u32): i32 {
  const off = load<u32>(model + field);
  if (off % align != 0) return fail(E_SECTION, -1, <i32>off);
  if (<u64>off < prevEnd) return fail(E_SECTION, -1, <i32>off);
  if (<u64>off + len > <u64>fileBytes) return fail(E_SECTION, -1, <i32>off);
  return 0;
}

function checkTensor(t: i32, consts: usize, constBytes: u32, arenaBytes: u32): i32 {
  const rec = tensorRecord(t);
  const dt = load<u8>(rec + T_DTYPE);
  const rank = <i32>load<u8>(rec + T_RANK);
  const loc = load<u8>(rec + T_LOCATION);
  const esize = dtypeBytes(dt);
  if (esize == 0) return fail(E_TENSOR, t, dt);
  if (rank > MAX_RANK) return fail(E_TENSOR, t, rank);
  if (loc != LOC_ARENA && loc != LOC_CONST) return fail(E_TENSOR, t, loc);
  if (load<u8>(rec + T_FLAGS) != 0) return fail(E_TENSOR, t);
  let elements: u64 = 1;
  for (let k = 0; k < MAX_RANK; k++) {
    const d = load<u32>(rec + T_DIMS + (<usize>k << 2));
    if (k < rank) {
      if (d == 0 || <u64>d > MAX_BYTES) return fail(E_TENSOR, t, <i32>d);
      elements *= <u64>d;
      if (elements > MAX_BYTES) return fail(E_TENSOR, t);
    } else if (d != 0) return fail(E_TENSOR, t, <i32>d);
  }
  const bytes = load<u32>(rec + T_BYTES);
  if (<u64>bytes != elements * <u64>esize) return fail(E_TENSOR, t, <i32>bytes);
  const off = load<u32>(rec + T_OFFSET);
  if (loc == LOC_ARENA) {
    if ((off & 15) != 0 || <u64>off + <u64>bytes > <u64>arenaBytes) return fail(E_ARENA, t, <i32>off);
  } else if (off % CONST_ALIGN != 0 || <u64>off + <u64>bytes > <u64>constBytes) return fail(E_ARENA, t, <i32>off);
  const scale = load<f32>(rec + T_SCALE);
  if (!(scale >= 0) || !isFinite<f32>(scale)) return fail(E_TENSOR, t);
  const zp = load<i32>(rec + T_ZERO_POINT);
  if (zp < -32768 || zp > 65535) return fail(E_TENSOR, t, zp);
  const q = load<u32>(rec + T_QUANT);
  if (q != NO_QUANT) {
    if ((q & 3) != 0 || <u64>q + 8 > <u64>constBytes) return fail(E_TENSOR, t, <i32>q);
    const axis = load<u32>(consts + <usize>q);
    const count = load<u32>(consts + <usize>q + 4);
    if (axis >= <u32>rank) return fail(E_TENSOR, t, <i32>axis);
    if (count != load<u32>(rec + T_DIMS + (<usize>axis << 2))) return fail(E_TENSOR, t, <i32>count);
    if (<u64>q + 8 + <u64>count * 8 > <u64>constBytes) return fail(E_TENSOR, t, <i32>count);
    for (let k: u32 = 0; k < count; k++) {
      const s = load<f32>(consts + <usize>q + 8 + (<usize>k << 2));
      if (!(s >= 0) || !isFinite<f32>(s)) return fail(E_TENSOR, t, <i32>k);
    }
  }
  return 0;
}

/** Counts, tensor indices, dtypes and constness against the op table. */
function checkOpRecord(op: usize, tCount: i32): i32 {
  const opcode = <i32>load<u16>(op + OP_OPCODE);
  if (paramCountOf(opcode) < 0) return fail(E_OP, -1, opcode);
  if (load<u16>(op + OP_RESERVED) != 0) return fail(E_OP);
  const nIn = opInputCount(op);
  if (nIn < minInputs(opcode) || nIn > maxInputs(opcode)) return fail(E_OP, -1, nIn);
  if (opOutputCount(op) != outputCountOf(opcode)) return fail(E_OP, -1, opOutputCount(op));
  if (opTempCount(op) > maxTemps(opcode)) return fail(E_OP, -1, opTempCount(op));
  if (opParamCount(op) != paramCountOf(opcode)) return fail(E_OP, -1, opParamCount(op));
  for (let k = 0; k < nIn; k++) {
    const r = checkOperand(opInput(op, k), inputSlot(opcode, k), false, tCount);
    if (r) return r;
  }
  for (let k = 0; k < opOutputCount(op); k++) {
    const r = checkOperand(opOutput(op, k), outputSlot(opcode, k), true, tCount);
    if (r) return r;
  }
  for (let k = 0; k < opTempCount(op); k++) {
    const r = checkOperand(opTemp(op, k), tempSlot(opcode, k), true, tCount);
    if (r) return r;
  }
  return 0;
}

function checkOperand(t: i32, slot: i32, written: bool, tCount: i32): i32 {
  if (t == NONE) return (slot & OPTIONAL_SLOT) != 0 ? 0 : fail(E_OP, t);
  if (t >= tCount) return fail(E_OP, t);
  if (((slot >> <i32>tensorDtype(t)) & 1) == 0) return fail(E_DTYPE, t, tensorDtype(t));
  const loc = load<u8>(tensorRecord(t) + T_LOCATION);
  if ((slot & CONSTANT_SLOT) != 0 && loc != LOC_CONST) return fail(E_OP, t);
  if (written && loc != LOC_ARENA) return fail(E_OP, t);
  return 0;
}
