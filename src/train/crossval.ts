// Splits and cross-validation: train/validation/test, k-fold and stratified
// k-fold, each seeded; crossValidate reports the mean and spread of a metric.
import { takeRows } from './batch.js';
import { fail } from './errors.js';
import type { Model } from './model.js';
import { Rng } from './rng.js';
import type { Tensor } from './tensor.js';

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

function rowsOf(t: Tensor, idx: Int32Array): Tensor {
  return takeRows(t, idx, 0, idx.length);
}

/** Shuffled train / validation / test parts; fractions of validation and test. */
export function trainValTestSplit(
  x: Tensor, y: Tensor, o: { validation?: number; test?: number; seed?: number } = {},
): { train: [Tensor, Tensor]; validation: [Tensor, Tensor]; test: [Tensor, Tensor] } {
  const n = x.shape[0]!;
  if (y.shape[0] !== n) fail('E_SHAPE', `trainValTestSplit: ${n} samples but ${y.shape[0]} targets`);
  const v = o.validation ?? 0.1, t = o.test ?? 0.1;
  if (!(v >= 0 && t >= 0 && v + t < 1)) fail('E_CONFIG', `validation (${v}) and test (${t}) fractions must be >= 0 and sum to less than 1`);
  const p = new Rng(o.seed ?? 0).permutation(n);
  const nt = Math.round(n * t), nv = Math.round(n * v);
  const part = (a: number, b: number): [Tensor, Tensor] => {
    const idx = p.slice(a, b);
    return [rowsOf(x, idx), rowsOf(y, idx)];
  };
  return { test: part(0, nt), validation: part(nt, nt + nv), train: part(nt + nv, n) };
}

function checkK(k: number, n: number): void {
  if (!(Number.isInteger(k) && k >= 2 && k <= n)) fail('E_CONFIG', `k-fold needs an integer k between 2 and the sample count ${n}, got ${k}`);
}

/** k folds of a shuffled 0..n-1; fold sizes differ by at most one. */
export function kFold(n: number, k: number, seed = 0): Fold[] {
  checkK(k, n);
  const p = new Rng(seed).permutation(n);
  const assign = new Int32Array(n);
  for (let i = 0; i < n; i++) assign[p[i]!] = i % k;
  return foldsFrom(assign, k);
}

/** k folds where each class is spread as evenly as possible over the folds. */
export function stratifiedKFold(labels: ArrayLike<number>, k: number, seed = 0): Fold[] {
  const n = labels.length;
  checkK(k, n);
  const p = new Rng(seed).permutation(n);
  const byClass = new Map<number, number[]>();
  for (const i of p) {
    const c = labels[i]!;
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const assign = new Int32Array(n);
  let next = 0;
  for (const c of [...byClass.keys()].sort((a, b) => a - b))
    for (const i of byClass.get(c)!) assign[i] = next++ % k; // continue round-robin across classes
  return foldsFrom(assign, k);
}

function foldsFrom(assign: Int32Array, k: number): Fold[] {
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const test: number[] = [], train: number[] = [];
    assign.forEach((a, i) => (a === f ? test : train).push(i));
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return folds;
}

export interface CrossValidation {
  scores: number[];
  mean: number;
  /** Sample standard deviation of the fold scores. */
  std: number;
}

/**
 * Trains a fresh model per fold (build(fold) must return a compiled model),
 * scores it on the held-out fold and reports mean and spread.
 */
export function crossValidate(o: {
  x: Tensor;
  y: Tensor;
  k: number;
  stratified?: boolean;
  seed?: number;
  build: (fold: number) => Model;
  train: (model: Model, x: Tensor, y: Tensor) => void;
  score: (model: Model, x: Tensor, y: Tensor) => number;
}): CrossValidation {
  const n = o.x.shape[0]!;
  const folds = o.stratified ? stratifiedKFold(o.y.data, o.k, o.seed) : kFold(n, o.k, o.seed);
  const scores = folds.map((f, i) => {
    const m = o.build(i);
    o.train(m, rowsOf(o.x, f.train), rowsOf(o.y, f.train));
    return o.score(m, rowsOf(o.x, f.test), rowsOf(o.y, f.test));
  });
  return { scores, ...meanStd(scores) };
}

export function meanStd(v: number[]): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std };
}
