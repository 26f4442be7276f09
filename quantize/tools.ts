// Library forms of `minnow inspect`, `minnow run` and `minnow eval`.
import { readFileSync } from 'node:fs';
import { DTYPE_NAMES, DType } from '../src/format/dtypes.js';
import { InputError } from '../src/format/errors.js';
import { Location } from '../src/format/layout.js';
import type { MnwFile } from '../src/format/model.js';
import { OP_BY_ID } from '../src/format/ops.js';
import { readMnw } from '../src/format/reader.js';
import { loadModel, type InputData, type Model } from '../src/runtime/host.js';
import type { BuildChoice } from '../src/runtime/wasm.js';
import { checkFinite, openData } from './data/index.js';
import { readNpy, toFloat32 } from '../src/io/npy.js';
import { qfail } from './errors.js';
import { decodePng } from './data/media.js';
import { readWav } from '../src/audio/wav.js';
import { MICRO_SPEECH_CHANNELS, MICRO_SPEECH_FRAMES, microSpeechFeatures } from '../src/audio/frontend.js';

export function readModelFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    qfail('E_MODEL_MISSING', `cannot read ${path}: ${(e as Error).message}`);
  }
}

export interface Inspection {
  version: string;
  fileBytes: number;
  arenaBytes: number;
  macs: number;
  checksum: string;
  constantBytes: number;
  producer?: string;
  labels?: string[];
  inputs: { name: string; tensor: number; shape: number[]; dtype: string; scale: number; zeroPoint: number }[];
  outputs: { name: string; tensor: number; shape: number[]; dtype: string; scale: number; zeroPoint: number }[];
  tensors: { index: number; name: string; dtype: string; shape: number[]; location: 'arena' | 'const'; offset: number; bytes: number; scale: number; zeroPoint: number; channelScales?: number }[];
  ops: { index: number; name: string; op: string; inputs: (number | null)[]; outputs: number[]; temps: number[]; params: Record<string, number> }[];
  arena: { offset: number; bytes: number; tensors: string[] }[];
}

/** Everything in a .mnw file, readable. */
export function inspectMnw(bytes: Uint8Array): Inspection {
  const f: MnwFile = readMnw(bytes);
  const names = f.metadata.tensorNames ?? [];
  const name = (i: number) => names[i] ?? `t${i}`;
  const dt = (d: DType) => DTYPE_NAMES[d].toLowerCase();
  const io = (ts: number[], n: string[]) =>
    ts.map((t, k) => ({ name: n[k] ?? name(t), tensor: t, shape: f.tensors[t]!.shape, dtype: dt(f.tensors[t]!.dtype), scale: f.tensors[t]!.scale, zeroPoint: f.tensors[t]!.zeroPoint }));
  const arena = new Map<number, { offset: number; bytes: number; tensors: string[] }>();
  f.tensors.forEach((t, i) => {
    if (t.location !== Location.ARENA) return;
    const e = arena.get(t.offset) ?? { offset: t.offset, bytes: 0, tensors: [] };
    e.bytes = Math.max(e.bytes, t.bytes);
    e.tensors.push(name(i));
    arena.set(t.offset, e);
  });
  return {
    version: `${f.versionMajor}.${f.versionMinor}`,
    fileBytes: f.fileBytes,
    arenaBytes: f.arenaBytes,
    macs: f.macs,
    checksum: `crc32:${f.crc32.toString(16).padStart(8, '0')}`,
    constantBytes: f.constants.length,
    producer: f.metadata.producer,
    labels: f.metadata.labels,
    inputs: io(f.inputs, f.metadata.inputs),
    outputs: io(f.outputs, f.metadata.outputs),
    tensors: f.tensors.map((t, i) => ({
      index: i, name: name(i), dtype: dt(t.dtype), shape: t.shape, location: t.location === Location.ARENA ? 'arena' : 'const', offset: t.offset, bytes: t.bytes,
      scale: t.scale, zeroPoint: t.zeroPoint, ...(t.perChannel ? { channelScales: t.perChannel.scales.length } : {}),
    })),
    ops: f.ops.map((o, i) => {
      const def = OP_BY_ID.get(o.opcode)!;
      return {
        index: i, name: f.metadata.opNames?.[i] ?? `op${i}`, op: def.name,
        inputs: o.inputs.map((t) => (t === 0xffff ? null : t)), outputs: o.outputs, temps: o.temps,
        params: Object.fromEntries(def.params.map((p, k) => [p, o.params[k]!])),
      };
    }),
    arena: [...arena.values()].sort((a, b) => a.offset - b.offset),
  };
}

export function formatInspection(x: Inspection): string {
  const lines = [
    `.mnw version ${x.version}, ${x.fileBytes} bytes (${x.constantBytes} of constants), arena ${x.arenaBytes} bytes, ${x.macs.toLocaleString('en-US')} MACs, ${x.checksum}${x.producer ? `, made by ${x.producer}` : ''}`,
    ...x.inputs.map((i) => `input  ${i.name}: ${i.dtype} [${i.shape}] scale ${i.scale} zero point ${i.zeroPoint}`),
    ...x.outputs.map((o) => `output ${o.name}: ${o.dtype} [${o.shape}] scale ${o.scale} zero point ${o.zeroPoint}`),
    ...(x.labels ? [`labels: ${x.labels.join(', ')}`] : []),
    '',
    'ops:',
    ...x.ops.map((o) => `  ${String(o.index).padStart(3)} ${o.op.padEnd(18)} ${o.name}  in [${o.inputs.map((i) => (i === null ? '-' : i)).join(', ')}] out [${o.outputs}]${o.temps.length ? ` temp [${o.temps}]` : ''}  ${Object.entries(o.params).map(([k, v]) => `${k}=${v}`).join(' ')}`),
    '',
    'tensors:',
    ...x.tensors.map((t) => `  ${String(t.index).padStart(3)} ${t.name.padEnd(28)} ${t.dtype.padEnd(7)} [${t.shape}] ${t.location}@${t.offset} ${t.bytes} B${t.scale ? `  scale ${t.scale.toPrecision(5)} zp ${t.zeroPoint}` : ''}${t.channelScales ? ` (${t.channelScales} channel scales)` : ''}`),
    '',
    'arena layout:',
    ...x.arena.map((a) => `  [${String(a.offset).padStart(7)}, ${String(a.offset + a.bytes).padStart(7)})  ${a.tensors.join(', ')}`),
  ];
  return lines.join('\n');
}

export interface RunOutput {
  name: string;
  shape: number[];
  dtype: string;
  raw: number[];
  values: number[];
  top?: { label: string; index: number; value: number }[];
}

/** Reads an input file for a model: .npy (int8 = raw, float = quantized by the host), .png, .wav. */
export function readInput(path: string, m: Model): InputData {
  const d = m.inputs[0]!;
  if (path.endsWith('.npy')) {
    const a = readNpy(path);
    if (a.data.length !== d.size) qfail('E_INPUT_SHAPE', `${path} holds ${a.data.length} values (shape [${a.shape}]); input "${d.name}" needs [${d.shape}] = ${d.size}`);
    if (a.data instanceof Int8Array && d.dtype === 'int8') return a.data;
    if (a.data instanceof Int16Array && d.dtype === 'int16') return a.data;
    return toFloat32(a.data);
  }
  const pre = (m.metadata.preprocessing ?? {}) as { scale?: number; offset?: number };
  if (path.endsWith('.png')) {
    const [h, w, c] = d.shape.slice(-3) as [number, number, number];
    const img = decodePng(readFileSync(path), path);
    const out = new Float32Array(d.size);
    const scale = pre.scale ?? 1 / 255;
    const offset = pre.offset ?? 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / h));
        const sx = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / w));
        const p = (sy * img.width + sx) * img.channels;
        for (let k = 0; k < c; k++) {
          const v = c === 1 && img.channels >= 3 ? (img.data[p]! + img.data[p + 1]! + img.data[p + 2]!) / 3 : img.data[p + Math.min(k, img.channels - 1)]!;
          out[(y * w + x) * c + k] = v * scale + offset;
        }
      }
    return out;
  }
  if (path.endsWith('.wav')) {
    const wav = readWav(new Uint8Array(readFileSync(path)));
    // A micro_speech-style int8 [49, 40] input takes the micro front end's features; anything else the samples in [-1, 1).
    const kind = (m.metadata.preprocessing as { kind?: string } | undefined)?.kind;
    if (d.dtype === 'int8' && (kind === 'micro-frontend' || (!kind && d.size === MICRO_SPEECH_FRAMES * MICRO_SPEECH_CHANNELS)))
      return microSpeechFeatures(wav.samples);
    const out = new Float32Array(d.size);
    for (let i = 0; i < Math.min(d.size, wav.samples.length); i++) out[i] = wav.samples[i]! / 32768;
    return out;
  }
  qfail('E_INPUT_FORMAT', `${path}: inputs are .npy, .png or .wav files`);
}

/** Runs a model file on one input file. */
export async function runMnw(bytes: Uint8Array, inputPath: string, o: { build?: BuildChoice; top?: number } = {}): Promise<{ build: string; outputs: RunOutput[] }> {
  const m = await loadModel(bytes, { build: o.build ?? 'auto' });
  try {
    const x = readInput(inputPath, m);
    if (x instanceof Float32Array) checkFinite({ x, n: 1, start: 0 }, inputPath, x.length);
    const outs = m.run(x);
    const labels = m.metadata.labels;
    return {
      build: m.build,
      outputs: outs.map((r) => {
        const values = Array.from(r.values);
        const res: RunOutput = { name: r.name, shape: r.shape, dtype: r.dtype, raw: Array.from(r.raw as ArrayLike<number>, Number), values };
        const last = r.shape[r.shape.length - 1] ?? 1;
        if (last > 1 && values.length === last)
          res.top = values.map((v, i) => ({ label: labels?.[i] ?? String(i), index: i, value: v })).sort((a, b) => b.value - a.value).slice(0, o.top ?? 5);
        return res;
      }),
    };
  } finally {
    m.dispose();
  }
}

export interface EvalResult {
  data: string;
  samples: number;
  build: string;
  accuracy?: number;
  confusion?: number[][];
  labels?: string[];
  /** Per-class recall (classifiers). */
  recall?: number[];
}

/** Task metrics of a .mnw classifier in the wasm runtime on a labelled data set. */
export async function evalMnw(bytes: Uint8Array, spec: string, o: { build?: BuildChoice; limit?: number } = {}): Promise<EvalResult> {
  const m = await loadModel(bytes, { build: o.build ?? 'auto' });
  try {
    const inShape = m.inputs[0]!.shape.slice(1);
    const data = openData(spec, inShape);
    if (!data.hasLabels) throw new InputError('E_NO_LABELS', `data "${spec}" has no labels; eval needs a labelled set (e.g. mnist:test, or a folder with labels.npy)`);
    const classes = m.outputs[0]!.shape.at(-1)!;
    const confusion = Array.from({ length: classes }, () => new Array(classes).fill(0));
    const per = inShape.reduce((a, b) => a * b, 1);
    let n = 0, correct = 0;
    const limit = o.limit ?? Infinity;
    for (const b of data.batches(256)) {
      checkFinite(b, spec, per);
      for (let i = 0; i < b.n && n < limit; i++, n++) {
        m.setInput(0, b.x.subarray(i * per, (i + 1) * per));
        m.invoke();
        const out = m.outputView(0);
        let best = 0;
        for (let c = 1; c < classes; c++) if (Number(out[c]) > Number(out[best])) best = c;
        const y = b.y![i]!;
        if (best === y) correct++;
        if (y >= 0 && y < classes) confusion[y]![best]!++;
      }
      if (n >= limit) break;
    }
    return {
      data: spec, samples: n, build: m.build, accuracy: correct / n, confusion, labels: m.metadata.labels,
      recall: confusion.map((row, i) => row[i]! / Math.max(1, row.reduce((a, v) => a + v, 0))),
    };
  } finally {
    m.dispose();
  }
}

void DType;
