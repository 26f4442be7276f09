// IDX files (the MNIST container): big-endian magic 0x0000080D (D = rank),
// D big-endian sizes, then unsigned bytes. Optionally gzip-compressed.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fail } from '../errors.js';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

export function parseIdx(bytes: Uint8Array, file = 'IDX data'): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08)
    fail('E_FORMAT', `${file} is not an IDX file of unsigned bytes (magic 0x000008..)`);
  const rank = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const start = 4 + 4 * rank;
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length < start + n) fail('E_FORMAT', `${file} is truncated: header says ${n} values, file holds ${bytes.length - start}`);
  return { shape, data: bytes.subarray(start, start + n) };
}

export function readIdx(file: string): IdxArray {
  if (!existsSync(file)) fail('E_FILE', `${file} does not exist`);
  return parseIdx(new Uint8Array(readFileSync(file)), file);
}
