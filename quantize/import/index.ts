// importModel: any model file minnow takes, by content (then extension):
//   minnow float folder / model.json  → IR (quantize/load/minnow-float.ts)
//   .onnx float or QDQ                 → IR (onnx/float.ts; QDQ ranges kept)
//   .onnx with QLinearConv/MatMul      → runtime ops directly (onnx/integer.ts)
//   .tflite int8                       → runtime ops unchanged (tflite/int8.ts)
//   .tflite float                      → IR (tflite/float.ts)
//   TF.js layers model.json + shards   → IR (tfjs/layers.ts)
// Float results are quantized by minnow; int8 results are packed as they are.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { qfail } from '../errors.js';
import type { IrGraph } from '../ir/graph.js';
import { loadMinnowFloat, type LoadedModel } from '../load/minnow-float.js';
import type { GraphBuilder } from '../pack/graph.js';
import { failIfUnsupported, ImportError, type OpStatus } from './issues.js';
import { importOnnxFloat, type OnnxIo } from './onnx/float.js';
import { integerGraph } from './onnx/integer.js';
import { decodeModel, decodeTensor, OnnxType, type DecodedTensor, type ModelProto } from './onnx/proto.js';
import { importTfjsLayers, isTfjsLayersJson, readTfjsLayers } from './tfjs/layers.js';
import { importTfliteFloat } from './tflite/float.js';
import { importTfliteInt8, isInt8Model } from './tflite/int8.js';
import { BUILTIN_NAMES, readTflite } from './tflite/reader.js';

export type ModelFormat = 'minnow' | 'onnx' | 'tflite' | 'tfjs';

export interface ImportedFloat {
  kind: 'float';
  format: ModelFormat;
  graph: IrGraph;
  floatBytes: number;
  ops: OpStatus[];
  /** ONNX: how graph inputs/outputs map onto the IR's (NCHW images are NHWC in minnow). */
  onnx?: { inputs: OnnxIo[]; outputs: OnnxIo[]; batchAxis: boolean };
  loaded?: LoadedModel;
}

export interface ImportedInt8 {
  kind: 'int8';
  format: 'onnx' | 'tflite';
  /** Absent only when imported with `collect` and some op is unsupported. */
  builder?: GraphBuilder;
  ops: OpStatus[];
}

export type Imported = ImportedFloat | ImportedInt8;

const INTEGER_ONNX = new Set(['QLinearConv', 'QLinearMatMul']);

function stem(path: string): string {
  const b = basename(path, extname(path));
  return b === 'model' ? basename(dirname(path)) || b : b;
}

/** The format of a model file or folder. */
export function detectFormat(source: string | Uint8Array): { format: ModelFormat; path?: string; bytes?: Uint8Array } {
  if (typeof source !== 'string') {
    if (source.length >= 8 && String.fromCharCode(...source.subarray(4, 8)) === 'TFL3') return { format: 'tflite', bytes: source };
    return { format: 'onnx', bytes: source };
  }
  if (!existsSync(source)) qfail('E_MODEL_MISSING', `model "${source}" does not exist`);
  let path = source;
  if (statSync(path).isDirectory()) {
    for (const c of ['model.json', 'float/model.json', 'model/model.json']) if (existsSync(join(source, c))) return detectFormat(join(source, c));
    qfail('E_MODEL_MISSING', `no model.json in "${source}"; pass a model file (.onnx, .tflite, a TF.js or minnow model.json) or its folder`);
  }
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === 'TFL3') return { format: 'tflite', path, bytes };
  if (path.endsWith('.json')) {
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      qfail('E_MODEL_FORMAT', `${path} is damaged (not valid JSON: ${(e as Error).message})`);
    }
    if (isTfjsLayersJson(j)) return { format: 'tfjs', path };
    if (j.format === 'graph-model') qfail('E_MODEL_FORMAT', `${path} is a TF.js graph model; minnow imports TF.js layers models (or convert the model to ONNX / TFLite)`);
    return { format: 'minnow', path };
  }
  if (extname(path) === '.tflite') qfail('E_MODEL_FORMAT', `${path} is not a TFLite flatbuffer (no "TFL3" identifier)`);
  if (extname(path) === '.onnx' || bytes[0] === 0x08) return { format: 'onnx', path, bytes };
  qfail('E_MODEL_FORMAT', `"${path}" is not a model minnow reads: pass an .onnx, a .tflite, a TF.js layers model.json, or a minnow float model folder`);
}

/** ONNX graph inputs that are fed at run time, as tensor stubs (integer path). */
function onnxRuntimeInputs(model: ModelProto, initializers: Set<string>): DecodedTensor[] {
  return (model.graph?.input ?? [])
    .filter((i) => !initializers.has(i.name!))
    .map((i) => {
      const tt = i.type?.tensorType;
      const dims = (tt?.shape?.dim ?? []).map((d, k) => {
        const v = typeof d.dimValue === 'number' ? d.dimValue : Number(d.dimValue ?? 0);
        return v > 0 ? v : k === 0 ? 1 : v;
      });
      return { name: i.name!, dims, dataType: tt?.elemType ?? OnnxType.FLOAT, data: new Float32Array(0) };
    });
}

function importOnnx(bytes: Uint8Array, name: string, collect: boolean): Imported {
  const model = decodeModel(bytes, name);
  const nodes = model.graph?.node ?? [];
  if (nodes.some((n) => INTEGER_ONNX.has(n.opType ?? ''))) {
    const consts = new Map<string, DecodedTensor>();
    for (const t of model.graph?.initializer ?? []) {
      const d = decodeTensor(t);
      consts.set(d.name, d);
    }
    const ops: OpStatus[] = nodes.map((n, i) => ({
      name: n.name || `${n.opType}_${i}`, op: n.opType ?? '',
      supported: ['QLinearConv', 'QLinearMatMul', 'QuantizeLinear', 'DequantizeLinear'].includes(n.opType ?? ''),
      ...(['QLinearConv', 'QLinearMatMul', 'QuantizeLinear', 'DequantizeLinear'].includes(n.opType ?? '') ? {} : {
        why: 'a model of ONNX integer ops (QLinear*) may hold only QLinearConv, QLinearMatMul, QuantizeLinear and DequantizeLinear',
        fix: 'export the model in QDQ form (QuantizeLinear/DequantizeLinear around float ops), or as a float model',
      }),
    }));
    if (collect && ops.some((o) => !o.supported)) return { kind: 'int8', format: 'onnx', ops };
    failIfUnsupported(name, ops);
    try {
      const ig = integerGraph(model, consts, onnxRuntimeInputs(model, new Set(consts.keys())));
      return { kind: 'int8', format: 'onnx', builder: ig.graph, ops };
    } catch (e) {
      if (collect && e instanceof Error) return { kind: 'int8', format: 'onnx', ops: [{ name, op: 'QLinear graph', supported: false, why: e.message, fix: 'export the model in QDQ form or as a float model' }] };
      throw e;
    }
  }
  const f = importOnnxFloat(model, { name, collect });
  return { kind: 'float', format: 'onnx', graph: f.graph, floatBytes: f.floatBytes, ops: f.ops, onnx: { inputs: f.inputs, outputs: f.outputs, batchAxis: f.batchAxis } };
}

function importTflite(bytes: Uint8Array, name: string, collect: boolean): Imported {
  const model = readTflite(bytes, name);
  if (isInt8Model(model)) {
    try {
      const builder = importTfliteInt8(model, name);
      const ops = model.subgraphs[0]!.operators.map((o) => ({ name: `op ${o.index}`, op: o.opName, supported: true }));
      return { kind: 'int8', format: 'tflite', builder, ops };
    } catch (e) {
      if (!collect || !(e instanceof Error)) throw e;
      // The int8 importer lists its issues in its message: one line per op ("  op N NAME: why — fix").
      const lines = e.message.split('\n').slice(1);
      const bad = new Map(lines.map((l) => [Number(/op (-?\d+)/.exec(l)?.[1]), l.trim()] as const));
      const ops = model.subgraphs[0]!.operators.map((o) => {
        const l = bad.get(o.index);
        if (!l) return { name: `op ${o.index}`, op: o.opName, supported: true };
        const [why, fix] = l.replace(/^op -?\d+ \S+( \(tensor "[^"]*"\))?: /, '').split(' — ');
        return { name: `op ${o.index}`, op: o.opName, supported: false, why, fix };
      });
      return { kind: 'int8', format: 'tflite', ops };
    }
  }
  const f = importTfliteFloat(model, name, { collect });
  return { kind: 'float', format: 'tflite', graph: f.graph, floatBytes: f.floatBytes, ops: f.ops };
}

/**
 * Imports a model file (or .onnx / .tflite bytes). Throws an ImportError
 * listing every unsupported op (unless `collect`, for inspect).
 */
export function importModel(source: string | Uint8Array, name?: string, opts: { collect?: boolean } = {}): Imported {
  const d = detectFormat(source);
  const n = name ?? (d.path ? stem(d.path) : 'model');
  const collect = !!opts.collect;
  switch (d.format) {
    case 'onnx':
      return importOnnx(d.bytes!, n, collect);
    case 'tflite':
      return importTflite(d.bytes!, n, collect);
    case 'tfjs': {
      const f = readTfjsLayersCollect(d.path!, n, collect);
      return { kind: 'float', format: 'tfjs', graph: f.graph, floatBytes: f.floatBytes, ops: f.ops };
    }
    case 'minnow': {
      const loaded = loadMinnowFloat(d.path!);
      return {
        kind: 'float', format: 'minnow', graph: loaded.graph, floatBytes: loaded.floatBytes, loaded,
        ops: loaded.graph.nodes.map((x) => ({ name: x.name, op: x.op, supported: true })),
      };
    }
  }
}

function readTfjsLayersCollect(path: string, name: string, collect: boolean) {
  if (!collect) return readTfjsLayers(path, name);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  // For inspect: the topology alone (weights may be absent); missing weights are reported per layer.
  const m = readTfjsLayersSafe(path, name);
  return m ?? importTfjsLayers(json, new Map(), name, { collect: true });
}

function readTfjsLayersSafe(path: string, name: string) {
  try {
    return readTfjsLayers(path, name);
  } catch (e) {
    if (e instanceof ImportError && e.code === 'E_IMPORT_UNSUPPORTED') {
      const json = JSON.parse(readFileSync(path, 'utf8'));
      return importTfjsLayers(json, new Map(), name, { collect: true });
    }
    return undefined;
  }
}

/**
 * The float model behind any supported file, for `quantize` (the dispatch of
 * quantizeModel). An int8 file has nothing to quantize: see packImported.
 */
export function loadModelAny(path: string): LoadedModel {
  const d = detectFormat(path);
  if (d.format === 'minnow') return loadMinnowFloat(path);
  const m = importModel(path);
  if (m.kind === 'int8')
    qfail('E_ALREADY_QUANTIZED', `${path} is already an int8 model (${m.format}); \`minnow quantize\` packs it unchanged, without calibration`);
  return { graph: m.graph, floatBytes: m.floatBytes, dir: dirname(path) };
}

/** Whether a model file is already int8 (TFLite int8, ONNX QLinear*): packed as it is. */
export function isPrequantized(path: string): boolean {
  const d = detectFormat(path);
  if (d.format === 'tflite') return isInt8Model(readTflite(d.bytes!, path));
  if (d.format === 'onnx') return (decodeModel(d.bytes!, path).graph?.node ?? []).some((n) => INTEGER_ONNX.has(n.opType ?? ''));
  return false;
}

/** `minnow inspect` on a foreign model: its ops with supported / unsupported. */
export function inspectForeign(path: string): { format: ModelFormat; kind: 'float' | 'int8'; ops: OpStatus[] } {
  const m = importModel(path, undefined, { collect: true });
  return { format: m.format, kind: m.kind, ops: m.ops };
}

export function formatForeign(path: string, x: ReturnType<typeof inspectForeign>): string {
  const bad = x.ops.filter((o) => !o.supported).length;
  const w = Math.max(4, ...x.ops.map((o) => o.name.length));
  const ow = Math.max(2, ...x.ops.map((o) => o.op.length));
  return [
    `${path}: ${x.format} ${x.kind} model, ${x.ops.length} ops, ${x.ops.length - bad} supported, ${bad} unsupported`,
    bad ? '  fix or replace the unsupported ops before `minnow quantize` (see each op below)'
      : x.kind === 'int8' ? '  int8: packed unchanged by `minnow quantize` (same weights, scales and zero points)' : '  float: `minnow quantize` calibrates and quantizes it to int8',
    '',
    `  ${'name'.padEnd(w)}  ${'op'.padEnd(ow)}  status`,
    ...x.ops.map((o) => `  ${o.name.padEnd(w)}  ${o.op.padEnd(ow)}  ${o.supported ? 'supported' : `UNSUPPORTED: ${o.why} — ${o.fix}`}`),
  ].join('\n');
}

export { BUILTIN_NAMES, ImportError };

/** Where `minnow quantize` writes by default: <folder>/model.mnw for minnow folders, else beside the file as <name>.mnw. */
export function defaultOutput(model: string): string {
  const d = detectFormat(model);
  if (d.format === 'minnow') return join(dirname(d.path!), 'model.mnw');
  return join(dirname(d.path!), `${basename(d.path!, extname(d.path!)).replace(/^model$/, basename(dirname(d.path!)) || 'model')}.mnw`);
}

export interface PackedForeign {
  model: string;
  format: ModelFormat;
  out?: string;
  bytes: Uint8Array;
  fileBytes: number;
  arenaBytes: number;
  macs: number;
  ops: { name: string; op: string }[];
}

/** An int8 model (TFLite int8, ONNX QLinear*) packed unchanged: same weights, scales and zero points. */
export function packPrequantized(model: string, o: { out?: string; budgetArena?: number; budgetFlash?: number } = {}): PackedForeign {
  const m = importModel(model);
  if (m.kind !== 'int8' || !m.builder) qfail('E_NOT_QUANTIZED', `${model} is a float model; quantize it with calibration data`);
  m.builder.meta = { ...m.builder.meta, producer: `minnow quantize (${m.format} int8, packed unchanged)` };
  const packed = m.builder.pack({ budgetArena: o.budgetArena, budgetFlash: o.budgetFlash });
  if (o.out) {
    const tmp = join(dirname(o.out), `.${basename(o.out)}.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, packed.bytes);
      renameSync(tmp, o.out);
    } catch (e) {
      rmSync(tmp, { force: true });
      qfail('E_WRITE', `cannot write ${o.out}: ${(e as Error).message}`);
    }
  }
  return {
    model, format: m.format, out: o.out, bytes: packed.bytes, fileBytes: packed.bytes.length, arenaBytes: packed.plan.arenaBytes, macs: packed.macs,
    ops: m.builder.ops.map((op) => ({ name: op.label, op: op.name })),
  };
}

/** Whether `minnow inspect` should treat a path as a foreign model (not a .mnw file). */
export function isForeignModel(path: string): boolean {
  if (!existsSync(path)) return false;
  if (statSync(path).isDirectory()) return true;
  if (['.onnx', '.tflite', '.json'].includes(extname(path))) return true;
  const head = readFileSync(path).subarray(0, 8);
  return head.length >= 8 && String.fromCharCode(...head.subarray(4, 8)) === 'TFL3';
}
