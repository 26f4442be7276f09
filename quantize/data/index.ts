// Data specs for calibration and evaluation, read as a stream of batches:
//   path/to/file.npy         samples [N, ...shape] (or one sample [...shape])
//   path/to/folder           every .npy file in it, by name (labels.npy, if present, holds the labels)
//   mnist:train:1000         the first 1000 MNIST training images (labels included)
//   mnist:test               the 10k MNIST test images
//   fashion:train:500, fashion:test
// Only one file (or one data set split) is held at a time, so memory stays
// bounded by the largest file, whatever the number of samples.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FASHION_CLASSES, loadFashionMnist, loadMnist } from '../../src/train/data/mnist.js';
import { qfail, QuantizeError } from '../errors.js';
import { openNpy, readNpy, toFloat32, type NpyStream } from '../../src/io/npy.js';

export interface Batch {
  /** n samples, each of sampleShape, float32. */
  x: Float32Array;
  /** Class indices when the data set has labels. */
  y?: Int32Array;
  n: number;
  /** Index of the first sample. */
  start: number;
}

export interface Dataset {
  spec: string;
  count: number;
  sampleShape: number[];
  classes?: string[];
  hasLabels: boolean;
  batches(batchSize: number): Generator<Batch>;
}

const sizeOf = (s: number[]) => s.reduce((a, b) => a * b, 1);

function fromArrays(spec: string, x: Float32Array, shape: number[], y: Int32Array | undefined, classes?: string[]): Dataset {
  const per = sizeOf(shape);
  const count = x.length / per;
  return {
    spec, count, sampleShape: shape, classes, hasLabels: !!y,
    *batches(bs: number) {
      for (let s = 0; s < count; s += bs) {
        const e = Math.min(count, s + bs);
        yield { x: x.subarray(s * per, e * per), y: y?.subarray(s, e), n: e - s, start: s };
      }
    },
  };
}

function zoo(spec: string, which: string, split: string, limitText: string | undefined): Dataset {
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) qfail('E_DATA_SPEC', `data spec "${spec}": the count must be a positive integer`);
  if (split !== 'train' && split !== 'test') qfail('E_DATA_SPEC', `data spec "${spec}": the split must be "train" or "test"`);
  const load = which === 'mnist' ? loadMnist : loadFashionMnist;
  let ds;
  try {
    ds = split === 'train' ? load({ limit: limit ?? 60000, testLimit: 1 }) : load({ limit: 1, testLimit: limit ?? 10000 });
  } catch (e) {
    throw new QuantizeError('E_DATA_MISSING', `data spec "${spec}": ${(e as Error).message}`);
  }
  const part = split === 'train' ? ds.train : ds.test;
  return fromArrays(spec, part.x.data, [...part.x.shape.slice(1)], Int32Array.from(part.y.data), which === 'mnist' ? ds.classes : FASHION_CLASSES);
}

/** How a stored sample shape maps onto the model's: the same memory order (unit axes aside), or channels-first. */
function sampleLayout(shape: number[], want: number[]): 'same' | 'nchw' | undefined {
  const squeeze = (s: number[]) => s.filter((d) => d !== 1).join();
  if (squeeze(shape) === squeeze(want)) return 'same';
  // PyTorch-style [C, H, W] samples for a model that takes [H, W, C].
  if (want.length === 3 && shape.length === 3 && shape[0] === want[2] && shape[1] === want[0] && shape[2] === want[1]) return 'nchw';
  return undefined;
}

/** [N, C, H, W] → [N, H, W, C]. */
function nchwToNhwc(x: Float32Array, n: number, [h, w, c]: number[]): Float32Array {
  const y = new Float32Array(x.length);
  const hw = h! * w!;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c!; ch++)
      for (let i = 0; i < hw; i++) y[(b * hw + i) * c! + ch] = x[(b * c! + ch) * hw + i]!;
  return y;
}

function npyFile(spec: string, file: string, sampleShape?: number[]): Dataset {
  // Read batch by batch: a calibration file of any size keeps memory bounded.
  const a = openNpy(file);
  if (!sampleShape) return streamed(spec, a, a.shape.length ? a.shape[0]! : 1, a.shape.slice(1), 'same');
  // One sample stored without a batch axis, or [N, ...sample].
  const whole = a.shape.length === sampleShape.length && a.shape[0] !== 1 ? sampleLayout(a.shape, sampleShape) : undefined;
  const layout = whole ?? sampleLayout(a.shape.slice(1), sampleShape);
  if (!layout)
    qfail('E_DATA_SHAPE', `data "${file}" holds samples of shape [${a.shape.slice(1)}] (array [${a.shape}]), but the model input is [${sampleShape}]; reshape the data (batch axis first)`);
  if (whole) {
    const x = toFloat32(a.rows(0, a.shape[0] ?? 1));
    return fromArrays(spec, layout === 'nchw' ? nchwToNhwc(x, 1, sampleShape) : x, sampleShape, undefined);
  }
  return streamed(spec, a, a.shape[0]!, sampleShape, layout);
}

function streamed(spec: string, a: NpyStream, count: number, shape: number[], layout: 'same' | 'nchw'): Dataset {
  const per = sizeOf(shape);
  return {
    spec, count, sampleShape: shape, hasLabels: false,
    *batches(bs: number) {
      for (let s = 0; s < count; s += bs) {
        const n = Math.min(count, s + bs) - s;
        const x = per === 0 ? new Float32Array(0) : toFloat32(a.rows(s, n));
        yield { x: layout === 'nchw' ? nchwToNhwc(x, n, shape) : x, n, start: s };
      }
    },
  };
}

function npyFolder(spec: string, dir: string, sampleShape?: number[]): Dataset {
  const files = readdirSync(dir).filter((f) => f.endsWith('.npy') && f !== 'labels.npy').sort();
  if (!files.length) qfail('E_DATA_MISSING', `data folder "${dir}" holds no .npy files`);
  // The sample shape and count from the headers (reads each file once up front; data are not kept).
  const counts: number[] = [];
  let shape: number[] | undefined;
  for (const f of files) {
    const d = npyFile(spec, join(dir, f), sampleShape);
    if (shape && (d.sampleShape.length !== shape.length || d.sampleShape.some((v, i) => v !== shape![i])))
      qfail('E_DATA_SHAPE', `data folder "${dir}": ${f} holds samples of shape [${d.sampleShape}], the others [${shape}]`);
    shape = d.sampleShape;
    counts.push(d.count);
  }
  const count = counts.reduce((a, b) => a + b, 0);
  let labels: Int32Array | undefined;
  if (existsSync(join(dir, 'labels.npy'))) {
    const l = readNpy(join(dir, 'labels.npy'));
    labels = Int32Array.from(toFloat32(l.data));
    if (labels.length !== count) qfail('E_DATA_SHAPE', `${join(dir, 'labels.npy')} holds ${labels.length} labels for ${count} samples`);
  }
  return {
    spec, count, sampleShape: shape!, hasLabels: !!labels,
    *batches(bs: number) {
      let start = 0;
      for (const f of files) {
        const d = npyFile(spec, join(dir, f), shape);
        for (const b of d.batches(bs)) {
          yield { ...b, y: labels?.subarray(start + b.start, start + b.start + b.n), start: start + b.start };
        }
        start += d.count;
      }
    },
  };
}

/** Opens a data spec. `sampleShape` (the model input's) resolves single-sample files. */
export function openData(spec: string, sampleShape?: number[]): Dataset {
  const m = /^(mnist|fashion):(\w+)(?::(\d+))?$/.exec(spec);
  let ds: Dataset;
  if (m) ds = zoo(spec, m[1]!, m[2]!, m[3]);
  else if (!existsSync(spec)) qfail('E_DATA_MISSING', `data "${spec}" does not exist; pass a .npy file, a folder of .npy files, or a spec such as mnist:train:1000`);
  else if (statSync(spec).isDirectory()) ds = npyFolder(spec, spec, sampleShape);
  else if (spec.endsWith('.npy')) ds = npyFile(spec, spec, sampleShape);
  else qfail('E_DATA_FORMAT', `data "${spec}" is not a .npy file or a folder of them`);
  if (sampleShape && (ds.sampleShape.length !== sampleShape.length || ds.sampleShape.some((d, i) => d !== sampleShape[i])))
    qfail('E_DATA_SHAPE', `data "${spec}" holds samples of shape [${ds.sampleShape}], but the model input is [${sampleShape}]; reshape the data (batch axis first)`);
  if (!ds.count) qfail('E_DATA_MISSING', `data "${spec}" holds no samples`);
  return ds;
}

/** Throws on NaN or infinite values, naming the sample. */
export function checkFinite(b: Batch, spec: string, per: number): void {
  for (let i = 0; i < b.x.length; i++)
    if (!Number.isFinite(b.x[i]!))
      qfail('E_DATA_NAN', `data "${spec}": sample ${b.start + Math.floor(i / per)} holds ${b.x[i]} at element ${i % per}; clean the data (every value must be finite)`);
}

/** The held-out counterpart of a calibration spec (train → test), if there is one. */
export function heldOutSpec(calib: string): string | undefined {
  const m = /^(mnist|fashion):train(?::\d+)?$/.exec(calib);
  return m ? `${m[1]}:test` : undefined;
}
