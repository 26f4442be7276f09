// A model-zoo recipe (recipe.json): data, architecture and training settings.
// runRecipe trains it, evaluates on the test split, and writes model.json,
// weights.bin and metrics.json: what `minnow train <folder>` does.
import { cpus } from 'node:os';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fail, TrainError } from './errors.js';
import { loadFashionMnist, loadMnist, type ImageDataset } from './data/mnist.js';
import { randomShift } from './data/transform.js';
import { saveModel, toJsonText } from './io.js';
import { kernels } from './kernels/index.js';
import { createLayer } from './layers.js';
import type { LossConfig } from './losses.js';
import { accuracy, argmaxRows, confusionMatrix, precisionRecallF1 } from './metrics.js';
import { sequential, type Model } from './model.js';
import type { OptimizerConfig, ScheduleConfig } from './optimizers.js';
import type { Stream } from './progress.js';

export interface Recipe {
  name: string;
  description?: string;
  seed: number;
  data: { dataset: 'mnist' | 'fashion-mnist' };
  architecture: { inputShape: number[]; layers: { type: string; name?: string; config?: Record<string, unknown> }[] };
  training: {
    optimizer: OptimizerConfig;
    loss: LossConfig;
    epochs: number;
    batchSize: number;
    /** Random whole-pixel shifts of up to this many pixels per training image. */
    augmentShift?: number;
  };
}

export function readRecipe(dir: string): Recipe {
  const file = join(dir, 'recipe.json');
  if (!existsSync(file)) fail('E_FILE', `no recipe.json in ${dir}; a model folder holds recipe.json (see models/mnist-cnn)`);
  let r: Recipe;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TrainError('E_FORMAT', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  for (const k of ['name', 'data', 'architecture', 'training'] as const)
    if (!r[k]) fail('E_CONFIG', `${file} has no "${k}"`);
  return r;
}

export function buildModel(r: Recipe): Model {
  const layers = r.architecture.layers.map((l) => createLayer(l.type, l.config ?? {}, l.name));
  return sequential(layers, { inputShape: r.architecture.inputShape, seed: r.seed });
}

function loadData(r: Recipe, limit?: number): ImageDataset {
  switch (r.data.dataset) {
    case 'mnist': return loadMnist({ limit });
    case 'fashion-mnist': return loadFashionMnist({ limit });
    default: return fail('E_CONFIG', `recipe data.dataset ${JSON.stringify(r.data.dataset)} is not known; use "mnist" or "fashion-mnist"`);
  }
}

/** Schedules given without decaySteps decay over the whole run. */
function withTotalSteps(lr: OptimizerConfig['learningRate'], total: number): OptimizerConfig['learningRate'] {
  if (lr === undefined || typeof lr === 'number') return lr;
  const fill = (s: ScheduleConfig | number): ScheduleConfig | number => {
    if (typeof s === 'number') return s;
    if (s.type === 'warmup') return { ...s, after: fill(s.after) };
    if ((s.type === 'cosine' || s.type === 'exponential') && s.decaySteps === undefined) return { ...s, decaySteps: total };
    return s;
  };
  return fill(lr) as ScheduleConfig;
}

export interface RunOptions {
  /** Overrides the recipe's epoch count. */
  epochs?: number;
  /** Trains and tests on the first n samples of each split (quick checks; not for the zoo). */
  limit?: number;
  /** Where to write the model and metrics (default: the recipe folder). */
  out?: string;
  verbose?: 0 | 1;
  progressStream?: Stream;
}

export interface RecipeResult {
  model: Model;
  metrics: Record<string, unknown>;
}

/**
 * Other tools add their own sections to a zoo model's metrics.json (the
 * quantizer's int8 results): keep those, replace only what training measures.
 */
function mergeMetrics(file: string, fresh: Record<string, unknown>): Record<string, unknown> {
  if (!existsSync(file)) return fresh;
  try {
    const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const kept = Object.fromEntries(Object.entries(old).filter(([k]) => !(k in fresh)));
    return { ...fresh, ...kept };
  } catch {
    return fresh; // a damaged file is simply replaced
  }
}

export function runRecipe(dir: string, o: RunOptions = {}): RecipeResult {
  const r = readRecipe(dir);
  const data = loadData(r, o.limit);
  const model = buildModel(r);
  const epochs = o.epochs ?? r.training.epochs;
  const bs = r.training.batchSize;
  const steps = epochs * Math.ceil(data.train.x.shape[0]! / bs);
  const optimizer = { ...r.training.optimizer, learningRate: withTotalSteps(r.training.optimizer.learningRate, steps) };
  model.compile({ optimizer, loss: r.training.loss, metrics: ['accuracy'] });
  const log = o.progressStream ?? process.stdout;
  if (o.verbose !== 0) log.write(`${r.name}: ${model.countParams()} parameters, ${data.train.x.shape[0]} training samples, ${epochs} epochs, kernels ${kernels().name}\n`);
  const cpu0 = process.cpuUsage();
  const history = model.fit(data.train.x, data.train.y, {
    epochs,
    batchSize: bs,
    seed: r.seed,
    augment: r.training.augmentShift ? randomShift(r.training.augmentShift) : undefined,
    verbose: o.verbose ?? 1,
    progressStream: o.progressStream,
  });
  const cpu = process.cpuUsage(cpu0);
  const t0 = performance.now();
  const scores = model.predict(data.test.x);
  const evalSeconds = (performance.now() - t0) / 1000;
  const labels = data.test.y.data;
  const pred = argmaxRows(scores);
  const prf = precisionRecallF1(labels, pred, data.classes.length);
  const metrics: Record<string, unknown> = {
    model: r.name,
    dataset: r.data.dataset,
    testSamples: labels.length,
    testAccuracy: accuracy(labels, pred),
    macroF1: prf.macro.f1,
    confusionMatrix: confusionMatrix(labels, pred, data.classes.length),
    classes: data.classes,
    params: model.countParams(),
    floatWeightBytes: model.countParams() * 4,
    epochs,
    trainingSamples: data.train.x.shape[0],
    trainingSeconds: Math.round(history.seconds * 10) / 10,
    // CPU time of this (single-threaded) process: close to the wall time on an idle
    // machine, and unaffected by other work sharing the cores.
    trainingCpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
    trainingSamplesPerSecond: Math.round((epochs * data.train.x.shape[0]!) / history.seconds),
    testInferenceSeconds: Math.round(evalSeconds * 100) / 100,
    history: history.epochs.map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, Math.round(v * 1e5) / 1e5]))),
    kernels: kernels().name,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    seed: r.seed,
    command: `npx minnow train ${dir}`,
  };
  const out = o.out ?? dir;
  mkdirSync(out, { recursive: true });
  saveModel(model, out, { recipe: r.name, epochs, batchSize: bs, seed: r.seed });
  writeFileSync(join(out, 'metrics.json'), toJsonText(mergeMetrics(join(out, 'metrics.json'), metrics)));
  if (o.verbose !== 0)
    log.write(`test accuracy ${(100 * (metrics.testAccuracy as number)).toFixed(2)}% on ${labels.length} samples; trained in ${metrics.trainingSeconds} s (${metrics.trainingCpuSeconds} s CPU); wrote ${out}/model.json, weights.bin, metrics.json\n`);
  return { model, metrics };
}
