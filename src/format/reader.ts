// The TypeScript reader of .mnw files. It checks every field; anything out of
// range throws a ModelFormatError whose code is one of LoadCode and whose
// message names the field and the offending value. The wasm loader performs the
// same checks again on its own copy (assembly/loader.ts).
import { checkOp } from './checks.js';
import { crc32 } from './crc32.js';
import { DTYPE_BYTES, DTYPE_NAMES, isDType, type DType } from './dtypes.js';
import { ModelFormatError, type LoadCodeName } from './errors.js';
import {
  CONST_ALIGN,
  CRC_START,
  H,
  HEADER_BYTES,
  Location,
  MAGIC,
  MAX_RANK,
  NO_QUANT,
  OP,
  opRecordBytes,
  T,
  TENSOR_RECORD_BYTES,
  VERSION_MAJOR,
} from './layout.js';
import type { Metadata, MnwFile, OpRecord, TensorRecord } from './model.js';
import { NONE, OP_BY_ID } from './ops.js';

function fail(code: LoadCodeName, message: string): never {
  throw new ModelFormatError(code, message);
}

/** Largest arena or file the format allows (the wasm32 address space minus room for the runtime). */
export const MAX_BYTES = 0x7fff0000;

export interface ReadOptions {
  /** Skip the CRC check (used by tests that exercise the deeper checks). */
  skipChecksum?: boolean;
}

export function readMnw(bytes: Uint8Array, options: ReadOptions = {}): MnwFile {
  if (!(bytes instanceof Uint8Array)) fail('E_HEADER', `expected the model's bytes as a Uint8Array, got ${typeof bytes}`);
  // A plain view: Node's Buffer.slice() does not copy, and pooled Buffers share one ArrayBuffer.
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_BYTES)
    fail('E_TRUNCATED', `file is ${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number) => v.getUint32(o, true);
  const u16 = (o: number) => v.getUint16(o, true);

  const magic = u32(H.magic);
  if (magic !== MAGIC) fail('E_MAGIC', `not a .mnw file: magic is 0x${magic.toString(16).padStart(8, '0')}, expected 0x${MAGIC.toString(16)}`);
  const versionMajor = u16(H.versionMajor);
  const versionMinor = u16(H.versionMinor);
  if (versionMajor !== VERSION_MAJOR)
    fail('E_VERSION', `file format version ${versionMajor}.${versionMinor}; this minnow reads version ${VERSION_MAJOR}.x — repack the model with this version of minnow`);
  const headerBytes = u32(H.headerBytes);
  if (headerBytes !== HEADER_BYTES) fail('E_HEADER', `header.headerBytes is ${headerBytes}, expected ${HEADER_BYTES}`);
  const fileBytes = u32(H.fileBytes);
  if (fileBytes > bytes.length)
    fail('E_TRUNCATED', `header says the file has ${fileBytes} bytes but only ${bytes.length} are present (truncated)`);
  if (fileBytes < HEADER_BYTES || fileBytes % 4 !== 0) fail('E_HEADER', `header.fileBytes is ${fileBytes}`);
  const stored = u32(H.crc32);
  if (!options.skipChecksum) {
    const actual = crc32(bytes, CRC_START, fileBytes);
    if (actual !== stored)
      fail('E_CHECKSUM', `checksum mismatch: header.crc32 is 0x${stored.toString(16)}, the bytes give 0x${actual.toString(16)} — the file is damaged`);
  }
  const flags = u32(H.flags);
  if (flags !== 0) fail('E_HEADER', `header.flags is 0x${flags.toString(16)}, expected 0`);
  const arenaBytes = u32(H.arenaBytes);
  if (arenaBytes > MAX_BYTES || arenaBytes % 16 !== 0) fail('E_HEADER', `header.arenaBytes is ${arenaBytes}`);

  const tensorCount = u32(H.tensorCount);
  const opCount = u32(H.opCount);
  const inputCount = u16(H.inputCount);
  const outputCount = u16(H.outputCount);
  if (tensorCount === 0 || tensorCount > 0xfffe) fail('E_HEADER', `header.tensorCount is ${tensorCount}`);
  if (inputCount === 0) fail('E_HEADER', 'header.inputCount is 0');
  if (outputCount === 0) fail('E_HEADER', 'header.outputCount is 0');

  // Sections: each inside [HEADER_BYTES, fileBytes), aligned, in file order, no overlap.
  const sections: [string, number, number, number][] = [
    ['io', u32(H.ioOffset), (inputCount + outputCount) * 2, 4],
    ['tensor table', u32(H.tensorOffset), tensorCount * TENSOR_RECORD_BYTES, 4],
    ['op list', u32(H.opOffset), u32(H.opBytes), 4],
    ['constants', u32(H.constOffset), u32(H.constBytes), CONST_ALIGN],
    ['metadata', u32(H.metaOffset), u32(H.metaBytes), 4],
  ];
  let end = HEADER_BYTES;
  for (const [name, off, len, align] of sections) {
    if (off % align !== 0) fail('E_SECTION', `${name} section offset ${off} is not ${align}-byte aligned`);
    if (off < end) fail('E_SECTION', `${name} section at ${off} overlaps the previous section ending at ${end}`);
    if (off + len > fileBytes)
      fail('E_SECTION', `${name} section [${off}, ${off + len}) runs past the end of the file (${fileBytes} bytes)`);
    end = off + len;
  }
  const [ioSec, tensorSec, opSec, constSec, metaSec] = sections.map((s) => s[1]) as [number, number, number, number, number];
  const constBytes = u32(H.constBytes);

  const ioIndex = (k: number, what: string) => {
    const t = u16(ioSec + k * 2);
    if (t >= tensorCount) fail('E_HEADER', `${what} names tensor ${t}, but the file has ${tensorCount} tensors`);
    return t;
  };
  const inputs = Array.from({ length: inputCount }, (_, k) => ioIndex(k, `input ${k}`));
  const outputs = Array.from({ length: outputCount }, (_, k) => ioIndex(inputCount + k, `output ${k}`));

  const tensors: TensorRecord[] = [];
  for (let i = 0; i < tensorCount; i++) tensors.push(readTensor(v, tensorSec + i * TENSOR_RECORD_BYTES, i, arenaBytes, constSec, constBytes));
  for (const t of [...inputs, ...outputs])
    if (tensors[t]!.location !== Location.ARENA) fail('E_TENSOR', `model input/output tensor ${t} must live in the arena`);

  const ops: OpRecord[] = [];
  const opEnd = opSec + u32(H.opBytes);
  let p = opSec;
  for (let i = 0; i < opCount; i++) {
    if (p + OP.tensors > opEnd) fail('E_TRUNCATED', `op ${i}: record starts at ${p}, past the end of the op list (${opEnd})`);
    const opcode = u16(p + OP.opcode);
    const nIn = v.getUint8(p + OP.inputCount);
    const nOut = v.getUint8(p + OP.outputCount);
    const nTemp = v.getUint8(p + OP.tempCount);
    const nParam = v.getUint8(p + OP.paramCount);
    const size = opRecordBytes(nIn + nOut + nTemp, nParam);
    if (p + size > opEnd) fail('E_TRUNCATED', `op ${i}: record of ${size} bytes runs past the end of the op list`);
    if (u16(p + OP.reserved) !== 0) fail('E_OP', `op ${i}: reserved field is ${u16(p + OP.reserved)}, expected 0`);
    const ids = Array.from({ length: nIn + nOut + nTemp }, (_, k) => u16(p + OP.tensors + k * 2));
    const paramsAt = p + OP.tensors + Math.ceil((ids.length * 2) / 4) * 4;
    const op: OpRecord = {
      opcode,
      inputs: ids.slice(0, nIn),
      outputs: ids.slice(nIn, nIn + nOut),
      temps: ids.slice(nIn + nOut),
      params: Array.from({ length: nParam }, (_, k) => v.getInt32(paramsAt + k * 4, true)),
    };
    checkOpRecord(op, i, tensors);
    checkOp(op, i, tensors, bytes.subarray(constSec, constSec + constBytes));
    ops.push(op);
    p += size;
  }
  if (p !== opEnd) fail('E_SECTION', `op list has ${opEnd - p} bytes after its last op`);

  const metadata = readMetadata(bytes.subarray(metaSec, metaSec + u32(H.metaBytes)), inputCount, outputCount, tensorCount);

  return {
    versionMajor,
    versionMinor,
    arenaBytes,
    macs: u32(H.macs) + u32(H.macsHigh) * 2 ** 32,
    crc32: stored,
    fileBytes,
    inputs,
    outputs,
    tensors,
    ops,
    constants: bytes.subarray(constSec, constSec + constBytes),
    metadata,
  };
}

function readTensor(v: DataView, p: number, i: number, arenaBytes: number, constSec: number, constBytes: number): TensorRecord {
  const dtype = v.getUint8(p + T.dtype);
  const rank = v.getUint8(p + T.rank);
  const location = v.getUint8(p + T.location);
  const what = `tensor ${i}`;
  if (!isDType(dtype)) fail('E_TENSOR', `${what}: dtype ${dtype} is not a known type`);
  if (rank > MAX_RANK) fail('E_TENSOR', `${what}: rank ${rank} exceeds ${MAX_RANK}`);
  if (location !== Location.ARENA && location !== Location.CONST) fail('E_TENSOR', `${what}: location ${location} is neither arena (0) nor constant (1)`);
  if (v.getUint8(p + T.flags) !== 0) fail('E_TENSOR', `${what}: flags ${v.getUint8(p + T.flags)}, expected 0`);
  const shape: number[] = [];
  let elements = 1;
  for (let k = 0; k < MAX_RANK; k++) {
    const d = v.getUint32(p + T.dims + k * 4, true);
    if (k < rank) {
      if (d === 0 || d > MAX_BYTES) fail('E_TENSOR', `${what}: dimension ${k} is ${d}`);
      elements *= d;
      if (elements > MAX_BYTES) fail('E_TENSOR', `${what}: ${shape.concat(d).join('x')} elements exceed the address space`);
      shape.push(d);
    } else if (d !== 0) fail('E_TENSOR', `${what}: unused dimension ${k} is ${d}, expected 0`);
  }
  const offset = v.getUint32(p + T.offset, true);
  const bytes = v.getUint32(p + T.bytes, true);
  const esize = DTYPE_BYTES[dtype as DType];
  if (bytes !== elements * esize)
    fail('E_TENSOR', `${what}: byte size ${bytes} does not match shape [${shape}] of ${DTYPE_NAMES[dtype as DType]} (${elements * esize})`);
  if (location === Location.ARENA) {
    if (offset % 16 !== 0) fail('E_ARENA', `${what}: arena offset ${offset} is not 16-byte aligned`);
    if (offset + bytes > arenaBytes) fail('E_ARENA', `${what}: arena region [${offset}, ${offset + bytes}) exceeds the arena of ${arenaBytes} bytes`);
  } else {
    if (offset % CONST_ALIGN !== 0) fail('E_ARENA', `${what}: constant offset ${offset} is not ${CONST_ALIGN}-byte aligned`);
    if (offset + bytes > constBytes) fail('E_ARENA', `${what}: constant region [${offset}, ${offset + bytes}) exceeds the constant section of ${constBytes} bytes`);
  }
  const scale = v.getFloat32(p + T.scale, true);
  if (!Number.isFinite(scale) || scale < 0) fail('E_TENSOR', `${what}: scale ${scale} is not a finite non-negative number`);
  const zeroPoint = v.getInt32(p + T.zeroPoint, true);
  if (zeroPoint < -32768 || zeroPoint > 65535) fail('E_TENSOR', `${what}: zero point ${zeroPoint} out of range`);
  const quant = v.getUint32(p + T.quant, true);
  const t: TensorRecord = { dtype: dtype as DType, shape, location: location as Location, offset, bytes, scale, zeroPoint };
  if (quant !== NO_QUANT) {
    if (quant % 4 !== 0 || quant + 8 > constBytes) fail('E_TENSOR', `${what}: per-channel block at ${quant} is outside the constant section`);
    const axis = v.getUint32(constSec + quant, true);
    const count = v.getUint32(constSec + quant + 4, true);
    if (axis >= rank) fail('E_TENSOR', `${what}: per-channel axis ${axis} is not below rank ${rank}`);
    if (count !== shape[axis]) fail('E_TENSOR', `${what}: per-channel count ${count} does not match dimension ${axis} (${shape[axis]})`);
    if (quant + 8 + count * 8 > constBytes) fail('E_TENSOR', `${what}: per-channel block runs past the constant section`);
    const scales = new Float32Array(count);
    const zeroPoints = new Int32Array(count);
    for (let k = 0; k < count; k++) {
      scales[k] = v.getFloat32(constSec + quant + 8 + k * 4, true);
      zeroPoints[k] = v.getInt32(constSec + quant + 8 + count * 4 + k * 4, true);
      if (!Number.isFinite(scales[k]!) || scales[k]! < 0) fail('E_TENSOR', `${what}: per-channel scale ${k} is ${scales[k]}`);
    }
    t.perChannel = { axis, scales, zeroPoints };
  }
  return t;
}

/** Counts, tensor indices, dtypes and constness against the op table. */
function checkOpRecord(op: OpRecord, i: number, tensors: TensorRecord[]): void {
  const def = OP_BY_ID.get(op.opcode);
  if (!def) fail('E_OP', `op ${i}: opcode ${op.opcode} is not a known op`);
  const what = `op ${i} (${def.name})`;
  const nIn = op.inputs.length;
  if (def.variadic) {
    if (nIn < def.variadic.min || nIn > def.variadic.max)
      fail('E_OP', `${what}: ${nIn} inputs, expected ${def.variadic.min}..${def.variadic.max}`);
  } else if (nIn !== def.inputs.length) fail('E_OP', `${what}: ${nIn} inputs, expected ${def.inputs.length}`);
  if (op.outputs.length !== def.outputs.length) fail('E_OP', `${what}: ${op.outputs.length} outputs, expected ${def.outputs.length}`);
  const temps = def.temps ?? [];
  if (op.temps.length > temps.length) fail('E_OP', `${what}: ${op.temps.length} scratch tensors, expected at most ${temps.length}`);
  if (op.params.length !== def.params.length) fail('E_OP', `${what}: ${op.params.length} parameters, expected ${def.params.length}`);
  const slots = [
    ...op.inputs.map((t, k) => [t, def.inputs[Math.min(k, def.inputs.length - 1)]!, `input ${k}`] as const),
    ...op.outputs.map((t, k) => [t, def.outputs[k]!, `output ${k}`] as const),
    ...op.temps.map((t, k) => [t, temps[k]!, `scratch ${k}`] as const),
  ];
  for (const [t, slot, role] of slots) {
    if (t === NONE) {
      if (!slot.optional) fail('E_OP', `${what}: ${role} (${slot.name}) is required but absent`);
      continue;
    }
    if (t >= tensors.length) fail('E_OP', `${what}: ${role} (${slot.name}) names tensor ${t}, but the file has ${tensors.length}`);
    const tensor = tensors[t]!;
    if (!slot.dtypes.includes(tensor.dtype))
      fail('E_DTYPE', `${what}: ${role} (${slot.name}) is ${DTYPE_NAMES[tensor.dtype]}; the op takes ${slot.dtypes.map((d) => DTYPE_NAMES[d]).join(' or ')}`);
    const mustBeConst = !!slot.constant;
    const isOutput = role.startsWith('output') || role.startsWith('scratch');
    if (mustBeConst && tensor.location !== Location.CONST) fail('E_OP', `${what}: ${role} (${slot.name}) must be a constant`);
    if (isOutput && tensor.location !== Location.ARENA) fail('E_OP', `${what}: ${role} (${slot.name}) must live in the arena`);
  }
}

function readMetadata(bytes: Uint8Array, inputCount: number, outputCount: number, tensorCount: number): Metadata {
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    fail('E_METADATA', `metadata is not UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) fail('E_METADATA', 'metadata is not a JSON object');
  const m = meta as Record<string, unknown>;
  const strings = (key: string, count?: number) => {
    const a = m[key];
    if (!Array.isArray(a) || !a.every((s) => typeof s === 'string')) fail('E_METADATA', `metadata.${key} is not an array of strings`);
    if (count !== undefined && a.length !== count) fail('E_METADATA', `metadata.${key} has ${a.length} names, expected ${count}`);
  };
  strings('inputs', inputCount);
  strings('outputs', outputCount);
  strings('tensorNames', tensorCount);
  if (m.labels !== undefined) strings('labels');
  if (m.opNames !== undefined) strings('opNames');
  return m as Metadata;
}
