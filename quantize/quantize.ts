// quantizeModel: float model → checked .mnw file, the library function behind
// `minnow quantize`.
//
//   load (IR) → fold BN / fuse activations → calibrate (streamed) → choose
//   ranges (minmax | percentile | entropy | mse | auto) → int16 layers →
//   lower to runtime ops → plan the arena and pack (budgets) → write the file
//   atomically → evaluate float vs int8 on held-out data in the wasm runtime →
//   per-layer SQNR / cosine → report.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { DTYPE_NAMES } from '../src/format/dtypes.js';
import type { BuildChoice } from '../src/runtime/wasm.js';
import { activationTensors, chooseAuto, collectStats, rangesFor, scoreOutputs, simulate, simulatedWeights, type Calibration } from './calibrate/calibrate.js';
import { METHODS, type Method } from './calibrate/observers.js';
import { heldOutSpec, openData, type Dataset } from './data/index.js';
import { qfail } from './errors.js';
import { compareLayers, evaluate, measureLatency, openEngine, type Evaluation, type LayerStats } from './evaluate.js';
import { runFloat } from './ir/execute.js';
import { size, tensorOf, type IrGraph } from './ir/graph.js';
import { loadModelAny } from './import/index.js';
import { assignQuant, INT16_OPS, lower, type Lowered, type Ranges } from './lower/lower.js';
import { optimize, type PassLog } from './passes/fold.js';
import { writeReport } from './report/html.js';

export type MethodChoice = Method | 'auto';

export interface QuantizeOptions {
  /** Calibration data spec (see quantize/data). Default: the model's own data set, if it names one. */
  calib?: string;
  method?: MethodChoice;
  perTensor?: boolean;
  /** Layer names computed in int16, or 'auto'. */
  int16?: string[] | 'auto';
  budgetArena?: number;
  budgetFlash?: number;
  /** Where to write the .mnw (atomically). */
  out?: string;
  report?: string;
  /** Held-out data for the float vs int8 check (default: the calibration set's test split). */
  evalData?: string;
  /** At most this many held-out samples (default all). */
  evalLimit?: number;
  /** At most this many calibration samples (default all). */
  calibLimit?: number;
  /** Samples for per-layer SQNR / cosine (reference interpreter; default 64). */
  layerSamples?: number;
  build?: BuildChoice;
  /** Progress lines (default: silent). */
  log?: (line: string) => void;
}

export interface LayerReport extends LayerStats {
  suggestion?: string;
}

export interface QuantizeResult {
  model: string;
  out?: string;
  report?: string;
  bytes: Uint8Array;
  float: { metric: string; value: number; samples: number; confusion?: number[][] };
  int8: { metric: string; value: number; samples: number; confusion?: number[][]; agreement?: number };
  fileBytes: number;
  floatBytes: number;
  arenaBytes: number;
  macs: number;
  latencyMs: number;
  build: string;
  method: MethodChoice;
  methods?: Record<string, Method>;
  perTensor: boolean;
  int16: string[];
  calib: { spec: string; samples: number };
  eval: { spec: string; samples: number; note?: string };
  passes: PassLog;
  layers: LayerReport[];
  ops: { name: string; op: string }[];
  arena: { tensors: string[]; bytes: number; offset: number; first: number; last: number }[];
  /** For the report: per tensor ranges and histograms. */
  details: ReportDetails;
}

export interface ReportDetails {
  graph: IrGraph;
  calibration: Calibration;
  ranges: Ranges;
  lowered: Lowered;
}

/** Writes bytes to path via a temporary file in the same folder (no partial file on failure). */
export function writeAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    qfail('E_WRITE', `cannot write ${path}: ${(e as Error).message}`);
  }
}

function defaultCalib(g: IrGraph, model: string): string {
  const ds = g.meta.dataset;
  if (typeof ds === 'string' && /^(mnist|fashion)/.test(ds)) return `${ds.startsWith('fashion') ? 'fashion' : 'mnist'}:train:1000`;
  qfail('E_NO_CALIB', `no calibration data for ${model}: pass --calib <data> (a .npy file, a folder of .npy files, or a spec such as mnist:train:1000)`);
}

/** Resolves --int16 names (node names or source layer names) to node names. */
function int16Nodes(g: IrGraph, names: string[]): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    const n = g.nodes.find((m) => m.name === name || m.source?.includes(name) || m.name === `${name}/linear`);
    if (!n) qfail('E_INT16_LAYER', `--int16: no layer named "${name}"; layers: ${g.nodes.map((m) => m.name).join(', ')}`);
    const x = g.nodes.filter((m) => m.source?.includes(name) && INT16_OPS.has(m.op));
    for (const m of x.length ? x : [n]) out.add(m.name);
  }
  return out;
}

/**
 * int16 'auto': each candidate layer (dense, add, elementwise) is simulated
 * alone in int16; layers whose switch removes at least 10% of the output
 * error are chosen (at most 3, largest gains first).
 */
function chooseInt16(g: IrGraph, ranges: Ranges, perTensor: boolean, val: { x: Float32Array; y?: Int32Array; n: number }): string[] {
  const weights = simulatedWeights(g, perTensor);
  const ref = runFloat(g, [val.x], val.n).get(g.outputs[0]!)!;
  const classes = tensorOf(g, g.outputs[0]!).shape.at(-1) ?? 1;
  const err = (set: Set<string>) => scoreOutputs(simulate(g, assignQuant(g, ranges, { perTensor, int16: set }), weights, val.x, val.n), ref, val.y, classes).mse;
  const base = err(new Set());
  const gains: [string, number][] = [];
  for (const n of g.nodes) {
    if (!['dense', 'add', 'activation'].includes(n.op)) continue;
    gains.push([n.name, base - err(new Set([n.name]))]);
  }
  return gains.filter(([, d]) => d >= 0.1 * base && base > 0).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n]) => n);
}

function suggest(l: LayerStats, o: { perTensor: boolean; method: MethodChoice; int16: string[] }): string | undefined {
  if (l.sqnrDb >= 20) return undefined;
  const tips: string[] = [];
  if (o.perTensor && ['conv2d', 'depthwise', 'dense'].includes(l.op)) tips.push('drop --per-tensor (per-channel weights)');
  if (l.dtype === 'int8' && ['dense', 'add'].includes(l.op) && !o.int16.includes(l.name)) tips.push(`--int16 ${l.name}`);
  if (o.method !== 'auto') tips.push(`--method ${o.method === 'minmax' ? 'mse' : 'auto'}`);
  return tips.join(', or ') || undefined;
}

function validationSplit(data: Dataset, max = 512): { x: Float32Array; y?: Int32Array; n: number } {
  const per = size(data.sampleShape);
  const want = Math.min(max, Math.max(1, Math.floor(data.count / 5)));
  const xs: Float32Array[] = [];
  const ys: Int32Array[] = [];
  let n = 0;
  // The last `want` samples of the stream.
  for (const b of data.batches(256)) {
    const from = Math.max(0, data.count - want - b.start);
    if (from >= b.n) continue;
    xs.push(b.x.slice(from * per, b.n * per));
    if (b.y) ys.push(b.y.slice(from, b.n));
    n += b.n - from;
  }
  const x = new Float32Array(n * per);
  let off = 0;
  for (const a of xs) x.set(a, (off += a.length) - a.length);
  let y: Int32Array | undefined;
  if (ys.length) {
    y = new Int32Array(n);
    let k = 0;
    for (const a of ys) y.set(a, (k += a.length) - a.length);
  }
  return { x, y, n };
}

export async function quantizeModel(modelPath: string, o: QuantizeOptions = {}): Promise<QuantizeResult> {
  const log = o.log ?? (() => {});
  const method = o.method ?? 'minmax';
  if (method !== 'auto' && !METHODS.includes(method)) qfail('E_OPTION', `--method ${method}: use one of ${[...METHODS, 'auto'].join(', ')}`);
  const loaded = loadModelAny(modelPath);
  const g = loaded.graph;
  if (g.inputs.length !== 1 || g.outputs.length !== 1) qfail('E_UNSUPPORTED_MODEL', `${modelPath}: only models with one input and one output are supported so far`);
  const passes = optimize(g);
  log(`model ${modelPath}: ${g.nodes.length} ops after folding ${passes.folded.length} batch norms and fusing ${passes.fused.length} activations`);

  const inShape = tensorOf(g, g.inputs[0]!).shape;
  const calibSpec = o.calib ?? defaultCalib(g, modelPath);
  const calibData = openData(calibSpec, inShape);
  const needHist = method !== 'minmax' || !!o.report;
  const cal = collectStats(g, calibData, { histograms: needHist, limit: o.calibLimit });
  log(`calibrated on ${cal.samples} samples of ${calibSpec} (${method})`);

  let ranges: Ranges;
  let methods: Record<string, Method> | undefined;
  let val: ReturnType<typeof validationSplit> | undefined;
  const valSplit = () => (val ??= validationSplit(calibData));
  if (method === 'auto') {
    const choice = chooseAuto(g, cal, valSplit(), { perTensor: o.perTensor });
    ranges = choice.ranges;
    methods = Object.fromEntries(choice.methods);
  } else ranges = rangesFor(cal, method);
  // Ranges recorded in a QDQ model win over calibration.
  for (const [t, r] of passes.qdqRanges) if (ranges.has(t)) ranges.set(t, r);

  const int16 = o.int16 === 'auto' ? chooseInt16(g, ranges, !!o.perTensor, valSplit()) : [...int16Nodes(g, o.int16 ?? [])];
  if (int16.length) log(`int16 layers: ${int16.join(', ')}`);

  const lowered = lower(g, ranges, { perTensor: o.perTensor, int16: new Set(int16) });
  lowered.builder.meta = {
    producer: 'minnow quantize',
    ...(g.meta.labels ? { labels: g.meta.labels } : calibData.classes ? { labels: calibData.classes } : {}),
    ...(g.meta.preprocessing ? { preprocessing: g.meta.preprocessing } : {}),
  };
  const packed = lowered.builder.pack({ budgetArena: o.budgetArena, budgetFlash: o.budgetFlash });
  const bytes = packed.bytes;
  log(`packed: ${bytes.length} bytes, arena ${packed.plan.arenaBytes} bytes, ${packed.macs} MACs`);
  if (packed.shrunk.length)
    log(`to fit the arena budget, ${packed.shrunk.length} convolution${packed.shrunk.length > 1 ? 's' : ''} got the least working space (slower): ${packed.shrunk.join(', ')}`);

  // Check in the runtime before anything is written.
  const { engine, fallback } = await openEngine(bytes, o.build ?? 'auto');
  if (fallback) log(`note: ${fallback}`);
  const evalSpec = o.evalData ?? heldOutSpec(calibSpec) ?? calibSpec;
  const evalData = evalSpec === calibSpec ? calibData : openData(evalSpec, inShape);
  const evalLimit = o.evalLimit ?? (engine.name === 'reference' ? 500 : undefined);
  const ev: Evaluation = evaluate(g, engine, evalData, { limit: evalLimit });
  log(`float ${ev.float.name} ${ev.float.value.toFixed(4)}, int8 ${ev.int8.value.toFixed(4)} on ${ev.int8.samples} samples of ${evalSpec} (${engine.name})`);
  const stats = compareLayers(g, engine.file, lowered.layers, lowered.tensorIds, evalData, o.layerSamples ?? 64);
  const firstX = (evalData.batches(1).next().value!).x;
  const latencyMs = measureLatency(engine, firstX.slice());
  engine.model?.dispose();

  const layers: LayerReport[] = stats.map((l) => ({ ...l, suggestion: suggest(l, { perTensor: !!o.perTensor, method, int16 }) }));
  const result: QuantizeResult = {
    model: modelPath,
    out: o.out,
    report: o.report,
    bytes,
    float: { metric: ev.float.name, value: ev.float.value, samples: ev.float.samples, confusion: ev.float.confusion },
    int8: { metric: ev.int8.name, value: ev.int8.value, samples: ev.int8.samples, confusion: ev.int8.confusion, agreement: ev.agreement },
    fileBytes: bytes.length,
    floatBytes: loaded.floatBytes,
    arenaBytes: packed.plan.arenaBytes,
    macs: packed.macs,
    latencyMs,
    build: engine.name,
    method,
    methods,
    perTensor: !!o.perTensor,
    int16,
    calib: { spec: calibSpec, samples: cal.samples },
    eval: { spec: evalSpec, samples: ev.int8.samples, note: [evalSpec === calibSpec ? 'no held-out split known: evaluated on the calibration data' : '', fallback ?? ''].filter(Boolean).join('; ') || undefined },
    passes: { folded: passes.folded, fused: passes.fused, removed: passes.removed, qdqRanges: passes.qdqRanges },
    layers,
    ops: lowered.builder.ops.map((op) => ({ name: op.label, op: op.name })),
    arena: packed.plan.buffers.map((b) => ({ tensors: b.tensors.map((t) => lowered.builder.tensors[t]!.name), bytes: b.bytes, offset: b.offset, first: b.first, last: b.last })),
    details: { graph: g, calibration: cal, ranges, lowered },
  };
  void DTYPE_NAMES;
  void activationTensors;
  if (o.out) writeAtomic(o.out, bytes);
  if (o.report) writeAtomic(o.report, writeReport(result));
  return result;
}

/** The --json summary: everything but the bytes and the report details. */
export function summary(r: QuantizeResult): Record<string, unknown> {
  const { bytes: _b, details: _d, ...rest } = r;
  return {
    ...rest,
    passes: { ...r.passes, qdqRanges: Object.fromEntries(r.passes.qdqRanges) },
    layers: r.layers.map((l) => ({ name: l.name, op: l.op, sqnrDb: round(l.sqnrDb, 2), cosine: round(l.cosine, 6), dtype: l.dtype, scale: l.scale, zeroPoint: l.zeroPoint, ...(l.suggestion ? { suggestion: l.suggestion } : {}) })),
  };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
