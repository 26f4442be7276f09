// minnow quantize <model>: float model → checked int8 .mnw (quantize/quantize.ts).
import { existsSync, readFileSync } from 'node:fs';
import { qfail, QuantizeError } from '../../../quantize/errors.js';
import { defaultOutput, isPrequantized, packPrequantized } from '../../../quantize/import/index.js';
import { quantizeModel, summary, writeAtomic, type MethodChoice, type QuantizeResult } from '../../../quantize/quantize.js';
import type { BuildChoice } from '../../runtime/wasm.js';
import type { CommandSpec } from '../options.js';

/** "65536", "64KB", "64k", "1.5MB" → bytes. */
export function parseBytes(v: string | number | undefined, option: string): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib)?\s*$/i.exec(String(v));
  if (!m) qfail('E_OPTION', `--${option} ${v}: give bytes, e.g. 65536, 64KB or 1.5MB`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Math.floor(Number(m[1]) * mult);
}

const pct = (r: QuantizeResult['float']) => (r.metric === 'mse' ? r.value.toPrecision(4) : `${(r.value * 100).toFixed(2)}%`);

export function summaryTable(r: QuantizeResult): string {
  const rows: [string, string][] = [
    [`float ${r.float.metric}`, `${pct(r.float)}  (${r.float.samples} samples of ${r.eval.spec})`],
    [`int8 ${r.int8.metric}`, `${pct(r.int8)}  (${r.build}${r.int8.agreement !== undefined ? `, top-1 agreement ${(r.int8.agreement * 100).toFixed(2)}%` : ''})`],
    ...(r.float.metric === 'accuracy' ? [['int8 - float', `${((r.int8.value - r.float.value) * 100).toFixed(2)} points`] as [string, string]] : []),
    ['float weights', `${r.floatBytes} bytes`],
    ['.mnw file', `${r.fileBytes} bytes (${((100 * r.fileBytes) / r.floatBytes).toFixed(1)}% of float)`],
    ['arena', `${r.arenaBytes} bytes`],
    ['MACs / inference', r.macs.toLocaleString('en-US')],
    ['latency (median)', `${(r.latencyMs * 1000).toFixed(1)} µs per inference`],
    ['runtime build', r.build],
    ['calibration', `${r.calib.samples} samples of ${r.calib.spec}, ${r.method}${r.perTensor ? ', per-tensor' : ''}${r.int16.length ? `, int16: ${r.int16.join(', ')}` : ''}`],
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  const worst = [...r.layers].sort((a, b) => a.sqnrDb - b.sqnrDb).slice(0, 3);
  return [
    ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`),
    `  ${'worst layers'.padEnd(w)}  ${worst.map((l) => `${l.name} ${l.sqnrDb.toFixed(1)} dB`).join(', ')}`,
    ...(r.eval.note ? [`  note: ${r.eval.note}`] : []),
  ].join('\n');
}

export const quantize: CommandSpec = {
  name: 'quantize',
  args: ['<model>'],
  summary: 'quantize a float model to an int8 .mnw file: calibrate, fold, pack, plan memory, check quality',
  options: [
    { name: 'calib', kind: 'string', value: '<data>', description: "calibration data: a .npy file, a folder of .npy files, or e.g. mnist:train:1000 (default: the model's data set, 1000 training samples)" },
    { name: 'method', kind: 'string', value: '<m>', description: 'range calibration: minmax, percentile, entropy, mse or auto', default: 'minmax' },
    { name: 'per-tensor', kind: 'boolean', description: 'one weight scale per tensor instead of per output channel' },
    { name: 'int16', kind: 'string', value: '<layers|auto>', description: 'comma-separated layers computed with int16 activations, or auto (by sensitivity)' },
    { name: 'budget-arena', kind: 'string', value: '<bytes|KB>', description: 'fail if the activation arena needs more' },
    { name: 'budget-flash', kind: 'string', value: '<bytes|KB>', description: 'fail if the .mnw file is larger' },
    { name: 'out', short: 'o', kind: 'string', value: '<file.mnw>', description: 'output file (default: <model folder>/model.mnw)' },
    { name: 'report', kind: 'string', value: '<file.html>', description: 'write the quality report (self-contained HTML)' },
    { name: 'data', kind: 'string', value: '<data>', description: 'held-out data for the float vs int8 check (default: the test split of --calib)' },
    { name: 'eval-limit', kind: 'number', value: '<n>', description: 'evaluate on at most n held-out samples' },
    { name: 'layer-samples', kind: 'number', value: '<n>', description: 'samples for per-layer SQNR and cosine', default: 64 },
    { name: 'build', kind: 'string', value: '<b>', description: 'runtime build for the check: auto, scalar, simd, relaxed', default: 'auto' },
    { name: 'metrics', kind: 'string', value: '<metrics.json>', description: "record the int8 model's measured quality under \"int8\" in this JSON file (a zoo model's metrics.json)" },
    { name: 'json', kind: 'boolean', description: 'print one JSON object instead of the table' },
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'no progress lines' },
  ],
  async run(args, opts) {
    const model = args[0]!;
    const out = (opts.out as string | undefined) ?? defaultOutput(model);
    if (isPrequantized(model)) {
      // int8 TFLite / ONNX QLinear models: packed unchanged (no calibration).
      const p = packPrequantized(model, { out, budgetArena: parseBytes(opts['budget-arena'] as string | undefined, 'budget-arena'), budgetFlash: parseBytes(opts['budget-flash'] as string | undefined, 'budget-flash') });
      const { bytes: _b, ...rest } = p;
      console.log(opts.json ? JSON.stringify(rest) : `wrote ${out}: ${p.format} int8 model packed unchanged, ${p.ops.length} ops, ${p.fileBytes} bytes, arena ${p.arenaBytes} bytes, ${p.macs.toLocaleString('en-US')} MACs`);
      return 0;
    }
    const int16 = opts.int16 === undefined ? undefined : opts.int16 === 'auto' ? 'auto' : String(opts.int16).split(',').map((s) => s.trim()).filter(Boolean);
    const r = await quantizeModel(model, {
      calib: opts.calib as string | undefined,
      method: opts.method as MethodChoice,
      perTensor: !!opts['per-tensor'],
      int16,
      budgetArena: parseBytes(opts['budget-arena'] as string | undefined, 'budget-arena'),
      budgetFlash: parseBytes(opts['budget-flash'] as string | undefined, 'budget-flash'),
      out,
      report: opts.report as string | undefined,
      evalData: opts.data as string | undefined,
      evalLimit: opts['eval-limit'] as number | undefined,
      layerSamples: opts['layer-samples'] as number,
      build: opts.build as BuildChoice,
      log: opts.json || opts.quiet ? undefined : (l) => console.error(l),
    });
    if (opts.metrics) recordMetrics(String(opts.metrics), r);
    if (opts.json) console.log(JSON.stringify(summary(r)));
    else console.log(`wrote ${out}${r.report ? ` and ${r.report}` : ''}\n${summaryTable(r)}`);
    return 0;
  },
};

/** Merges the int8 model's measured quality into a metrics.json (created if absent). */
function recordMetrics(file: string, r: QuantizeResult): void {
  let metrics: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      metrics = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new QuantizeError('E_METRICS', `${file} is not valid JSON (${(e as Error).message}); fix or remove it`);
    }
  }
  metrics.int8 = {
    [r.int8.metric]: r.int8.value,
    floatOnSameData: r.float.value,
    samples: r.int8.samples,
    data: r.eval.spec,
    top1AgreementWithFloat: r.int8.agreement,
    confusionMatrix: r.int8.confusion,
    fileBytes: r.fileBytes,
    floatWeightBytes: r.floatBytes,
    fileToFloatRatio: r.fileBytes / r.floatBytes,
    arenaBytes: r.arenaBytes,
    macs: r.macs,
    latencyMs: r.latencyMs,
    build: r.build,
    calibration: `${r.calib.samples} samples of ${r.calib.spec}, ${r.method}`,
  };
  writeAtomic(file, JSON.stringify(metrics, null, 2) + '\n');
}
