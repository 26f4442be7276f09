// Metrics on predictions, as plain functions. Classification metrics take class
// indices (or score rows, reduced by argmax); ROC takes scores.
import { fail } from './errors.js';
import { Tensor } from './tensor.js';

type Labels = ArrayLike<number>;

/** Row-wise argmax of scores [N, C]. */
export function argmaxRows(scores: Tensor): Int32Array {
  const C = scores.shape[scores.shape.length - 1]!;
  const N = scores.size / C;
  const out = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (scores.data[n * C + c]! > scores.data[n * C + best]!) best = c;
    out[n] = best;
  }
  return out;
}

function asLabels(p: Labels | Tensor): Labels {
  if (p instanceof Tensor) return p.shape.length > 1 && p.shape[p.shape.length - 1]! > 1 ? argmaxRows(p) : p.data;
  return p;
}

function sameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) fail('E_SHAPE', `${what}: ${a.length} true values but ${b.length} predictions`);
  if (a.length === 0) fail('E_DATA', `${what}: no samples`);
}

/** Fraction of predictions equal to the labels (predictions as indices or score rows). */
export function accuracy(yTrue: Labels, yPred: Labels | Tensor): number {
  const p = asLabels(yPred);
  sameLength(yTrue, p, 'accuracy');
  let ok = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === yTrue[i]) ok++;
  return ok / p.length;
}

/** Fraction of samples whose label is among the k highest scores. */
export function topKAccuracy(yTrue: Labels, scores: Tensor, k: number): number {
  const C = scores.shape[scores.shape.length - 1]!;
  const N = scores.size / C;
  sameLength(yTrue, { length: N }, 'topKAccuracy');
  let ok = 0;
  for (let n = 0; n < N; n++) {
    const t = scores.data[n * C + yTrue[n]!]!;
    let higher = 0;
    for (let c = 0; c < C; c++) if (scores.data[n * C + c]! > t) higher++;
    if (higher < k) ok++;
  }
  return ok / N;
}

/** counts[true][predicted]. */
export function confusionMatrix(yTrue: Labels, yPred: Labels | Tensor, numClasses?: number): number[][] {
  const p = asLabels(yPred);
  sameLength(yTrue, p, 'confusionMatrix');
  let C = numClasses ?? 0;
  if (!numClasses) for (let i = 0; i < p.length; i++) C = Math.max(C, yTrue[i]! + 1, p[i]! + 1);
  const m = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (let i = 0; i < p.length; i++) {
    const t = yTrue[i]!, q = p[i]!;
    if (!(t >= 0 && t < C && q >= 0 && q < C)) fail('E_DATA', `confusionMatrix: class ${t} / ${q} at sample ${i} is outside 0..${C - 1}`);
    m[t]![q]!++;
  }
  return m;
}

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Precision, recall and F1 per class, macro-averaged and micro-averaged. 0/0 counts as 0. */
export function precisionRecallF1(yTrue: Labels, yPred: Labels | Tensor, numClasses?: number): { perClass: PRF[]; macro: PRF; micro: PRF } {
  const m = confusionMatrix(yTrue, yPred, numClasses);
  const C = m.length;
  const div = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const f1 = (p: number, r: number) => div(2 * p * r, p + r);
  let tpAll = 0, fpAll = 0, fnAll = 0, total = 0;
  const perClass: PRF[] = [];
  for (let c = 0; c < C; c++) {
    const tp = m[c]![c]!;
    let fp = 0, fn = 0;
    for (let k = 0; k < C; k++) {
      if (k === c) continue;
      fp += m[k]![c]!;
      fn += m[c]![k]!;
    }
    tpAll += tp; fpAll += fp; fnAll += fn; total += tp + fn;
    const precision = div(tp, tp + fp), recall = div(tp, tp + fn);
    perClass.push({ precision, recall, f1: f1(precision, recall), support: tp + fn });
  }
  const mean = (k: keyof PRF) => perClass.reduce((a, p) => a + p[k], 0) / C;
  const mp = div(tpAll, tpAll + fpAll), mr = div(tpAll, tpAll + fnAll);
  return {
    perClass,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), support: total },
    micro: { precision: mp, recall: mr, f1: f1(mp, mr), support: total },
  };
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Score thresholds: a sample is positive when score >= threshold. */
  thresholds: number[];
}

/** ROC of binary labels (1 positive, 0 negative) against scores; one point per distinct score. */
export function rocCurve(yTrue: Labels, scores: ArrayLike<number>): RocCurve {
  sameLength(yTrue, scores, 'rocCurve');
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let P = 0;
  for (let i = 0; i < yTrue.length; i++) P += yTrue[i] ? 1 : 0;
  const N = yTrue.length - P;
  if (P === 0 || N === 0) fail('E_DATA', 'rocCurve: labels need both positive and negative samples');
  const fpr = [0], tpr = [0], thresholds = [Infinity];
  let tp = 0, fp = 0;
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]!;
    if (yTrue[j]) tp++;
    else fp++;
    // Ties share one point: emit only after the last sample with this score.
    if (i === idx.length - 1 || scores[idx[i + 1]!] !== scores[j]) {
      fpr.push(fp / N);
      tpr.push(tp / P);
      thresholds.push(scores[j]!);
    }
  }
  return { fpr, tpr, thresholds };
}

/** Area under the ROC curve (trapezoids, so ties count one half). */
export function auc(yTrue: Labels, scores: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurve(yTrue, scores);
  let a = 0;
  for (let i = 1; i < fpr.length; i++) a += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
  return a;
}

/** One-vs-rest AUC for each class of scores [N, C], and their macro mean. */
export function aucOneVsRest(yTrue: Labels, scores: Tensor): { perClass: number[]; macro: number } {
  const C = scores.shape[scores.shape.length - 1]!;
  const N = scores.size / C;
  sameLength(yTrue, { length: N }, 'aucOneVsRest');
  const perClass: number[] = [];
  for (let c = 0; c < C; c++) {
    const t = Array.from({ length: N }, (_, n) => (yTrue[n] === c ? 1 : 0));
    const s = Array.from({ length: N }, (_, n) => scores.data[n * C + c]!);
    perClass.push(auc(t, s));
  }
  return { perClass, macro: perClass.reduce((a, b) => a + b, 0) / C };
}

// ------------------------------------------------------------ regression

export function mse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  sameLength(yTrue, yPred, 'mse');
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i]! - yPred[i]!) ** 2;
  return s / yTrue.length;
}

export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  sameLength(yTrue, yPred, 'mae');
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i]! - yPred[i]!);
  return s / yTrue.length;
}

export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  return Math.sqrt(mse(yTrue, yPred));
}

/** Coefficient of determination: 1 - SS_res / SS_tot. */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  sameLength(yTrue, yPred, 'r2');
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) mean += yTrue[i]!;
  mean /= yTrue.length;
  let res = 0, tot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    res += (yTrue[i]! - yPred[i]!) ** 2;
    tot += (yTrue[i]! - mean) ** 2;
  }
  if (tot === 0) fail('E_DATA', 'r2: the true values are all equal, so R² is undefined');
  return 1 - res / tot;
}
