// NumPy .npy files (format versions 1–3, C order, little-endian or byte types),
// read with their element type kept (an int8 .npy stays int8).
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { MinnowError } from '../format/errors.js';

/** A file that is not a .npy array minnow reads. */
export class NpyError extends MinnowError {}

function fail(code: string, message: string): never {
  throw new NpyError(code, message);
}

export type NpyData = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array;

export interface NpyArray {
  descr: string;
  shape: number[];
  data: NpyData;
}

const TYPES: Record<string, [number, (b: ArrayBuffer, o: number, n: number) => NpyData]> = {
  '<f4': [4, (b, o, n) => new Float32Array(b, o, n)],
  '<f8': [8, (b, o, n) => new Float64Array(b, o, n)],
  '|i1': [1, (b, o, n) => new Int8Array(b, o, n)],
  '|u1': [1, (b, o, n) => new Uint8Array(b, o, n)],
  '<i2': [2, (b, o, n) => new Int16Array(b, o, n)],
  '<i4': [4, (b, o, n) => new Int32Array(b, o, n)],
  '<i8': [8, (b, o, n) => new BigInt64Array(b, o, n)],
};

interface NpyHeader {
  descr: string;
  shape: number[];
  /** Byte offset of the data. */
  dataAt: number;
  itemBytes: number;
  make: (b: ArrayBuffer, o: number, n: number) => NpyData;
}

/** The header of a .npy file from its first bytes (the header must be complete in `bytes`). */
function parseHeader(bytes: Uint8Array, file: string): NpyHeader {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) fail('E_FORMAT', `${file} is not a .npy file (bad magic)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + hlen > bytes.length) fail('E_FORMAT', `${file} is truncated inside its header`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) fail('E_FORMAT', `${file}: unreadable .npy header ${JSON.stringify(header.trim())}`);
  if (fortran) fail('E_FORMAT', `${file}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
  const t = TYPES[descr === '<u1' ? '|u1' : descr === '<i1' ? '|i1' : descr];
  if (!t) fail('E_FORMAT', `${file}: dtype ${descr} is not supported (use little-endian float32, float64, int8, uint8, int16, int32 or int64)`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail('E_FORMAT', `${file}: shape (${shapeText}) is not a list of sizes`);
  return { descr, shape, dataAt: start + hlen, itemBytes: t[0], make: t[1] };
}

export function parseNpy(bytes: Uint8Array, file = '.npy data'): NpyArray {
  const h = parseHeader(bytes, file);
  const n = h.shape.reduce((a, b) => a * b, 1);
  if (bytes.length - h.dataAt < n * h.itemBytes)
    fail('E_FORMAT', `${file} is truncated: shape (${h.shape}) needs ${n * h.itemBytes} data bytes, file holds ${bytes.length - h.dataAt}`);
  const copy = bytes.slice(h.dataAt, h.dataAt + n * h.itemBytes);
  return { descr: h.descr, shape: h.shape, data: h.make(copy.buffer, 0, n) };
}

/** A .npy file read piece by piece: only the rows asked for are in memory. */
export interface NpyStream {
  descr: string;
  shape: number[];
  /** Rows [start, start + count) of the first axis. */
  rows(start: number, count: number): NpyData;
}

export function openNpy(file: string): NpyStream {
  if (!existsSync(file)) fail('E_FILE', `${file} does not exist`);
  const fd = openSync(file, 'r');
  try {
    const head = new Uint8Array(Math.min(fstatSync(fd).size, 1 << 16));
    readSync(fd, head, 0, head.length, 0);
    const h = parseHeader(head, file);
    const size = fstatSync(fd).size;
    const rowItems = h.shape.slice(1).reduce((a, b) => a * b, 1);
    const rowsTotal = h.shape[0] ?? 1;
    if (size - h.dataAt < rowsTotal * rowItems * h.itemBytes)
      fail('E_FORMAT', `${file} is truncated: shape (${h.shape}) needs ${rowsTotal * rowItems * h.itemBytes} data bytes, file holds ${size - h.dataAt}`);
    return {
      descr: h.descr,
      shape: h.shape,
      rows(start: number, count: number): NpyData {
        const bytes = new Uint8Array(count * rowItems * h.itemBytes);
        const fdr = openSync(file, 'r');
        try {
          readSync(fdr, bytes, 0, bytes.length, h.dataAt + start * rowItems * h.itemBytes);
        } finally {
          closeSync(fdr);
        }
        return h.make(bytes.buffer, 0, count * rowItems);
      },
    };
  } finally {
    closeSync(fd);
  }
}

export function readNpy(file: string): NpyArray {
  if (!existsSync(file)) fail('E_FILE', `${file} does not exist`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    fail('E_FILE', `cannot read ${file}: ${(e as Error).message}`);
  }
  return parseNpy(bytes, file);
}

/** Writes a float32 / int8 / int32 array as .npy (version 1). */
export function encodeNpy(data: Float32Array | Int8Array | Int32Array | Uint8Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : data instanceof Int8Array ? '|i1' : data instanceof Uint8Array ? '|u1' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function writeNpy(file: string, data: Float32Array | Int8Array | Int32Array | Uint8Array, shape: number[]): void {
  writeFileSync(file, encodeNpy(data, shape));
}

/** Any numeric .npy data as float32. */
export function toFloat32(d: NpyData): Float32Array {
  if (d instanceof Float32Array) return d;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
  return out;
}
