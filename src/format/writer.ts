// The only writer of .mnw files. The packer plans arena offsets; this lays out
// sections, aligns constants, and stamps the checksum.
import { crc32 } from './crc32.js';
import { DTYPE_BYTES } from './dtypes.js';
import {
  alignUp,
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
  VERSION_MINOR,
} from './layout.js';
import type { MnwSpec } from './model.js';

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function writeMnw(spec: MnwSpec): Uint8Array {
  const { tensors, ops } = spec;
  if (tensors.length > 0xfffe) throw new RangeError(`too many tensors: ${tensors.length} (at most 65534)`);

  // Constant section: each constant (and each per-channel block) 16-byte aligned.
  const constChunks: { offset: number; bytes: Uint8Array }[] = [];
  let constSize = 0;
  const addConst = (bytes: Uint8Array) => {
    constSize = alignUp(constSize, CONST_ALIGN);
    const offset = constSize;
    constChunks.push({ offset, bytes });
    constSize += bytes.length;
    return offset;
  };
  const placed = tensors.map((t, i) => {
    const bytes = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    if (t.shape.length > MAX_RANK) throw new RangeError(`tensor ${i}: rank ${t.shape.length} > ${MAX_RANK}`);
    let offset = t.offset ?? 0;
    if (t.location === Location.CONST) {
      if (!t.data) throw new Error(`tensor ${i}: a constant needs data`);
      if (t.data.length !== bytes) throw new Error(`tensor ${i}: data has ${t.data.length} bytes, shape needs ${bytes}`);
      offset = addConst(t.data);
    } else if (t.offset === undefined) throw new Error(`tensor ${i}: an arena tensor needs a planned offset`);
    let quant = NO_QUANT;
    if (t.perChannel) {
      const { axis, scales, zeroPoints } = t.perChannel;
      const block = new DataView(new ArrayBuffer(8 + scales.length * 8));
      block.setUint32(0, axis, true);
      block.setUint32(4, scales.length, true);
      scales.forEach((s, k) => block.setFloat32(8 + k * 4, s, true));
      zeroPoints.forEach((z, k) => block.setInt32(8 + scales.length * 4 + k * 4, z, true));
      quant = addConst(new Uint8Array(block.buffer));
    }
    return { offset, bytes, quant };
  });

  const ioOffset = HEADER_BYTES;
  const ioBytes = alignUp((spec.inputs.length + spec.outputs.length) * 2, 4);
  const tensorOffset = ioOffset + ioBytes;
  const opOffset = tensorOffset + tensors.length * TENSOR_RECORD_BYTES;
  const opBytes = ops.reduce(
    (n, o) => n + opRecordBytes(o.inputs.length + o.outputs.length + o.temps.length, o.params.length),
    0,
  );
  const constOffset = alignUp(opOffset + opBytes, CONST_ALIGN);
  const metaJson = new TextEncoder().encode(JSON.stringify(spec.metadata));
  const metaOffset = alignUp(constOffset + constSize, 4);
  const fileBytes = alignUp(metaOffset + metaJson.length, 4);

  const out = new Uint8Array(fileBytes);
  const v = new DataView(out.buffer);
  v.setUint32(H.magic, MAGIC, true);
  v.setUint16(H.versionMajor, VERSION_MAJOR, true);
  v.setUint16(H.versionMinor, VERSION_MINOR, true);
  v.setUint32(H.headerBytes, HEADER_BYTES, true);
  v.setUint32(H.fileBytes, fileBytes, true);
  v.setUint32(H.flags, 0, true);
  v.setUint32(H.arenaBytes, spec.arenaBytes, true);
  v.setUint32(H.tensorCount, tensors.length, true);
  v.setUint32(H.tensorOffset, tensorOffset, true);
  v.setUint32(H.opCount, ops.length, true);
  v.setUint32(H.opOffset, opOffset, true);
  v.setUint32(H.opBytes, opBytes, true);
  v.setUint32(H.constOffset, constOffset, true);
  v.setUint32(H.constBytes, constSize, true);
  v.setUint32(H.metaOffset, metaOffset, true);
  v.setUint32(H.metaBytes, metaJson.length, true);
  v.setUint32(H.ioOffset, ioOffset, true);
  v.setUint16(H.inputCount, spec.inputs.length, true);
  v.setUint16(H.outputCount, spec.outputs.length, true);
  const macs = spec.macs ?? 0;
  v.setUint32(H.macs, macs % 2 ** 32, true);
  v.setUint32(H.macsHigh, Math.floor(macs / 2 ** 32), true);

  [...spec.inputs, ...spec.outputs].forEach((t, k) => v.setUint16(ioOffset + k * 2, t, true));

  tensors.forEach((t, i) => {
    const p = tensorOffset + i * TENSOR_RECORD_BYTES;
    v.setUint8(p + T.dtype, t.dtype);
    v.setUint8(p + T.rank, t.shape.length);
    v.setUint8(p + T.location, t.location);
    t.shape.forEach((d, k) => v.setUint32(p + T.dims + k * 4, d, true));
    v.setUint32(p + T.offset, placed[i]!.offset, true);
    v.setUint32(p + T.bytes, placed[i]!.bytes, true);
    v.setFloat32(p + T.scale, t.scale, true);
    v.setInt32(p + T.zeroPoint, t.zeroPoint, true);
    v.setUint32(p + T.quant, placed[i]!.quant, true);
  });

  let p = opOffset;
  for (const o of ops) {
    const ids = [...o.inputs, ...o.outputs, ...o.temps];
    v.setUint16(p + OP.opcode, o.opcode, true);
    v.setUint8(p + OP.inputCount, o.inputs.length);
    v.setUint8(p + OP.outputCount, o.outputs.length);
    v.setUint8(p + OP.tempCount, o.temps.length);
    v.setUint8(p + OP.paramCount, o.params.length);
    ids.forEach((t, k) => v.setUint16(p + OP.tensors + k * 2, t, true));
    const paramsAt = p + OP.tensors + alignUp(ids.length * 2, 4);
    o.params.forEach((x, k) => v.setInt32(paramsAt + k * 4, x, true));
    p += opRecordBytes(ids.length, o.params.length);
  }

  for (const c of constChunks) out.set(c.bytes, constOffset + c.offset);
  out.set(metaJson, metaOffset);
  v.setUint32(H.crc32, crc32(out, CRC_START, fileBytes), true);
  return out;
}
