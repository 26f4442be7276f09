// Tables from CSV and JSON, and NumPy .npy arrays (float32 / float64 / ints, C order).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fail } from '../errors.js';
import { Tensor } from '../tensor.js';
import { encodeNpy as encodeNpyArray, parseNpy as parseNpyArray, readNpy as readNpyArray, toFloat32 } from '../../io/npy.js';

export interface Table {
  columns: string[];
  rows: (number | string)[][];
}

function readText(file: string): string {
  if (!existsSync(file)) fail('E_FILE', `${file} does not exist`);
  return readFileSync(file, 'utf8');
}

/** Splits one CSV line, honouring double quotes ("" is a literal quote). */
function splitCsvLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out;
}

function cell(s: string): number | string {
  const t = s.trim();
  if (t === '') return NaN;
  const n = Number(t);
  return Number.isNaN(n) && t.toLowerCase() !== 'nan' ? t : n;
}

/** Parses CSV text with a header row. Numeric cells become numbers, empty cells NaN. */
export function parseCsv(text: string, o: { separator?: string } = {}): Table {
  const sep = o.separator ?? ',';
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) fail('E_FORMAT', 'CSV text is empty; it needs a header row');
  const columns = splitCsvLine(lines[0]!, sep).map((c) => c.trim());
  const rows = lines.slice(1).map((l, i) => {
    const r = splitCsvLine(l, sep);
    if (r.length !== columns.length) fail('E_FORMAT', `CSV row ${i + 2} has ${r.length} cells, the header has ${columns.length}`);
    return r.map(cell);
  });
  return { columns, rows };
}

export function readCsv(file: string, o: { separator?: string } = {}): Table {
  return parseCsv(readText(file), o);
}

/** A JSON array of objects (records) as a table; columns are the keys of the first record. */
export function parseJsonTable(text: string): Table {
  const data = JSON.parse(text) as Record<string, unknown>[];
  if (!Array.isArray(data) || !data.length || typeof data[0] !== 'object')
    fail('E_FORMAT', 'a JSON table must be a non-empty array of objects, e.g. [{"x": 1, "y": 2}, ...]');
  const columns = Object.keys(data[0]!);
  const rows = data.map((r) => columns.map((c) => (typeof r[c] === 'number' ? (r[c] as number) : r[c] == null ? NaN : cell(String(r[c])))));
  return { columns, rows };
}

export function readJsonTable(file: string): Table {
  return parseJsonTable(readText(file));
}

/**
 * Numeric columns as a tensor [rows, columns]. Rows with a missing value are
 * an error unless dropMissing; text cells are an error (encode them first).
 */
export function tableToTensor(t: Table, columns: string[], o: { dropMissing?: boolean } = {}): Tensor {
  const idx = columns.map((c) => {
    const i = t.columns.indexOf(c);
    if (i < 0) fail('E_DATA', `column "${c}" is not in the table; columns are ${t.columns.join(', ')}`);
    return i;
  });
  const out: number[] = [];
  let kept = 0;
  t.rows.forEach((r, ri) => {
    const vals = idx.map((i) => r[i]!);
    const bad = vals.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) {
      if (typeof vals[bad] === 'string') fail('E_DATA', `row ${ri + 1}, column "${columns[bad]}": "${vals[bad]}" is not a number; encode text columns first`);
      if (o.dropMissing) return;
      fail('E_DATA', `row ${ri + 1}, column "${columns[bad]}" is missing or not finite; pass { dropMissing: true } or fill it in`);
    }
    out.push(...(vals as number[]));
    kept++;
  });
  return new Tensor(Float32Array.from(out), [kept, columns.length]);
}

/** Distinct text values of a column mapped to 0..k-1 (sorted), for labels. */
export function encodeLabels(t: Table, column: string): { labels: Float32Array; classes: string[] } {
  const i = t.columns.indexOf(column);
  if (i < 0) fail('E_DATA', `column "${column}" is not in the table; columns are ${t.columns.join(', ')}`);
  const classes = [...new Set(t.rows.map((r) => String(r[i])))].sort();
  return { labels: Float32Array.from(t.rows.map((r) => classes.indexOf(String(r[i])))), classes };
}

// ------------------------------------------------------------ .npy
// The codec is src/io/npy.ts; here arrays become float32 tensors.

/** Reads a .npy array (little-endian f4, f8, i1/u1, i2, i4, i8; C order) as float32. */
export function parseNpy(bytes: Uint8Array, file = '.npy data'): Tensor {
  const a = parseNpyArray(bytes, file);
  return new Tensor(toFloat32(a.data), a.shape);
}

export function readNpy(file: string): Tensor {
  const a = readNpyArray(file);
  return new Tensor(toFloat32(a.data), a.shape);
}

/** A .npy (version 1.0, '<f4', C order) holding the tensor. */
export function encodeNpy(t: Tensor): Uint8Array {
  return encodeNpyArray(Float32Array.from(t.data), [...t.shape]);
}

export function writeNpy(file: string, t: Tensor): void {
  writeFileSync(file, encodeNpy(t));
}
