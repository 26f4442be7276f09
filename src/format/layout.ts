// Byte layout of the .mnw file. One definition, shared by the writer, the
// TypeScript reader and (through assembly/generated/format.ts) the wasm loader.
//
//   header        HEADER_BYTES, little-endian fields below
//   io            u16 input tensor indices, then u16 output tensor indices
//   tensor table  TENSOR_RECORD_BYTES per tensor
//   op list       op records (see OP_RECORD below), each a multiple of 4 bytes
//   constants     16-byte aligned, each constant 16-byte aligned
//   metadata      UTF-8 JSON (names, labels, preprocessing; see metadata.ts)
//
// All sections start at 4-byte aligned offsets; constants at 16-byte aligned
// offsets, so that the runtime, which places the file at a 16-byte aligned
// address, reads aligned vectors.

export const MAGIC = 0x574e4d89; // bytes 0x89 'M' 'N' 'W' (a non-text first byte, as PNG does)
export const VERSION_MAJOR = 1;
export const VERSION_MINOR = 0;

/** Header field byte offsets. */
export const H = {
  magic: 0, // u32
  versionMajor: 4, // u16
  versionMinor: 6, // u16
  headerBytes: 8, // u32
  fileBytes: 12, // u32: the whole file
  crc32: 16, // u32: CRC-32 (IEEE) of bytes [20, fileBytes)
  flags: 20, // u32: reserved, must be 0
  arenaBytes: 24, // u32: activation memory the runtime must provide
  tensorCount: 28, // u32
  tensorOffset: 32, // u32
  opCount: 36, // u32
  opOffset: 40, // u32
  opBytes: 44, // u32
  constOffset: 48, // u32
  constBytes: 52, // u32
  metaOffset: 56, // u32
  metaBytes: 60, // u32
  ioOffset: 64, // u32
  inputCount: 68, // u16
  outputCount: 70, // u16
  macs: 72, // u32: multiply-accumulates per inference, low 32 bits (informational)
  macsHigh: 76, // u32: high bits
} as const;
export const HEADER_BYTES = 80;
/** The checksum covers everything after its own field. */
export const CRC_START = 20;

/** Tensor record field byte offsets. */
export const T = {
  dtype: 0, // u8, DType
  rank: 1, // u8, 0..MAX_RANK
  location: 2, // u8, Location
  flags: 3, // u8, reserved, must be 0
  dims: 4, // u32 × MAX_RANK (unused dims 0)
  offset: 28, // u32: byte offset in the arena or in the constant section
  bytes: 32, // u32: byte size (= element count × element size)
  scale: 36, // f32: per-tensor scale (0 when not quantized)
  zeroPoint: 40, // i32: per-tensor zero point
  quant: 44, // u32: byte offset in the constant section of per-channel params, or NO_QUANT
} as const;
export const TENSOR_RECORD_BYTES = 48;
export const MAX_RANK = 6;
export const NO_QUANT = 0xffffffff;

/** Where a tensor's bytes live. */
export const Location = {
  ARENA: 0,
  CONST: 1,
} as const;
export type Location = (typeof Location)[keyof typeof Location];

// Per-channel quantization block in the constant section:
//   u32 axis, u32 count, f32 scales[count], i32 zeroPoints[count]

/** Op record: u16 opcode, u8 inputs, u8 outputs, u8 temps, u8 params, u16 reserved (0),
 *  then u16 tensor indices (inputs, outputs, temps) padded to 4 bytes, then i32 params. */
export const OP = {
  opcode: 0,
  inputCount: 2,
  outputCount: 3,
  tempCount: 4,
  paramCount: 5,
  reserved: 6,
  tensors: 8,
} as const;
export const OP_HEADER_BYTES = 8;

export const CONST_ALIGN = 16;

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export function opRecordBytes(tensorCount: number, paramCount: number): number {
  return OP_HEADER_BYTES + alignUp(tensorCount * 2, 4) + paramCount * 4;
}
