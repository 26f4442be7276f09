// Metrics and cross-validation on hand-computed values.
import { describe, expect, it } from 'vitest';
import { crossValidate, kFold, meanStd, stratifiedKFold, trainValTestSplit } from '../../src/train/crossval.js';
import { layers as L } from '../../src/train/layers.js';
import * as M from '../../src/train/metrics.js';
import { sequential } from '../../src/train/model.js';
import { Rng } from '../../src/train/rng.js';
import { Tensor } from '../../src/train/tensor.js';

describe('classification metrics', () => {
  const yTrue = [0, 1, 2, 2, 1, 0, 2];
  const yPred = [0, 2, 2, 2, 1, 0, 1];

  it('accuracy, confusion matrix, precision / recall / F1 (per class, macro, micro)', () => {
    expect(M.accuracy(yTrue, yPred)).toBeCloseTo(5 / 7, 12);
    expect(M.confusionMatrix(yTrue, yPred)).toEqual([[2, 0, 0], [0, 1, 1], [0, 1, 2]]);
    const r = M.precisionRecallF1(yTrue, yPred, 3);
    expect(r.perClass.map((c) => c.precision)).toEqual([1, 0.5, 2 / 3]);
    expect(r.perClass.map((c) => c.recall)).toEqual([1, 0.5, 2 / 3]);
    expect(r.perClass.map((c) => c.support)).toEqual([2, 2, 3]);
    expect(r.perClass[2]!.f1).toBeCloseTo(2 / 3, 12);
    expect(r.macro.precision).toBeCloseTo((1 + 0.5 + 2 / 3) / 3, 12);
    expect(r.micro.precision).toBeCloseTo(5 / 7, 12);
    expect(r.micro.f1).toBeCloseTo(5 / 7, 12);
    // a class never predicted has precision 0 (0/0), not NaN
    const r2 = M.precisionRecallF1([0, 1, 1], [0, 0, 0], 2);
    expect(r2.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
  });

  it('argmax of score rows, top-k', () => {
    const s = new Tensor(Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.2, 0.3, 0.5]), [3, 3]);
    expect([...M.argmaxRows(s)]).toEqual([1, 0, 2]);
    expect(M.accuracy([1, 1, 2], s)).toBeCloseTo(2 / 3, 12);
    expect(M.topKAccuracy([2, 1, 0], s, 1)).toBe(0);
    expect(M.topKAccuracy([2, 1, 0], s, 2)).toBeCloseTo(2 / 3, 12);
    expect(M.topKAccuracy([2, 1, 0], s, 3)).toBe(1);
  });

  it('ROC curve and AUC, with ties; one-vs-rest', () => {
    const roc = M.rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(roc.thresholds).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
    expect(M.auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(M.auc([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(M.auc([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.2])).toBe(1);
    const s = new Tensor(Float32Array.from([0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.2, 0.3, 0.5, 0.6, 0.3, 0.1]), [4, 3]);
    const ovr = M.aucOneVsRest([0, 1, 2, 1], s);
    expect(ovr.perClass[0]).toBe(1);
    expect(ovr.perClass[2]).toBe(1);
    // class 1: positives score 0.8 and 0.3, negatives 0.1 and 0.3 -> (1 + 1 + 1 + 0.5) / 4
    expect(ovr.perClass[1]).toBe(0.875);
    expect(ovr.macro).toBeCloseTo(2.875 / 3, 12);
    expect(() => M.rocCurve([1, 1], [0.2, 0.3])).toThrow(/both positive and negative/);
  });
});

describe('regression metrics', () => {
  const t = [3, -0.5, 2, 7], p = [2.5, 0.0, 2, 8];
  it('MSE, MAE, RMSE, R²', () => {
    expect(M.mse(t, p)).toBe(0.375);
    expect(M.mae(t, p)).toBe(0.5);
    expect(M.rmse(t, p)).toBeCloseTo(Math.sqrt(0.375), 12);
    expect(M.r2(t, p)).toBeCloseTo(0.9486081370449679, 12);
    expect(() => M.mse([1, 2], [1])).toThrow(/2 true values but 1 predictions/);
  });
});

describe('splits and cross-validation', () => {
  it('k-fold partitions every index exactly once, sizes within one', () => {
    const folds = kFold(10, 3, 1);
    expect(folds.map((f) => f.test.length).sort()).toEqual([3, 3, 4]);
    const all = folds.flatMap((f) => [...f.test]).sort((a, b) => a - b);
    expect(all).toEqual([...Array(10).keys()]);
    for (const f of folds) expect(f.train.length + f.test.length).toBe(10);
    expect(kFold(10, 3, 1)).toEqual(folds);
    expect(() => kFold(10, 1)).toThrow(/between 2 and the sample count/);
  });

  it('stratified k-fold keeps class proportions in each fold', () => {
    const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
    for (const f of stratifiedKFold(labels, 3, 4)) {
      const counts = [0, 0, 0];
      for (const i of f.test) counts[labels[i]!]!++;
      expect(counts).toEqual([2, 1, 1]);
    }
  });

  it('train / validation / test split sizes, disjoint and seeded', () => {
    const x = new Tensor(Float32Array.from({ length: 100 }, (_, i) => i), [100, 1]);
    const s = trainValTestSplit(x, x, { validation: 0.2, test: 0.1, seed: 3 });
    expect([s.train[0].shape[0], s.validation[0].shape[0], s.test[0].shape[0]]).toEqual([70, 20, 10]);
    const seen = new Set([...s.train[0].data, ...s.validation[0].data, ...s.test[0].data]);
    expect(seen.size).toBe(100);
    expect([...trainValTestSplit(x, x, { validation: 0.2, test: 0.1, seed: 3 }).test[0].data]).toEqual([...s.test[0].data]);
  });

  it('crossValidate trains per fold and reports mean and spread', () => {
    const rng = new Rng(5);
    const n = 150;
    const x = new Float32Array(n * 2), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      x[2 * i] = (i % 2 ? 1.5 : -1.5) + rng.normal() * 0.5;
      x[2 * i + 1] = rng.normal();
    }
    const cv = crossValidate({
      x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]), k: 3, stratified: true, seed: 1,
      build: (fold) => sequential([L.dense({ units: 2 })], { inputShape: [2], seed: fold + 1 })
        .compile({ optimizer: { type: 'adam', learningRate: 0.05 }, loss: { type: 'sparseCategoricalCrossentropy', fromLogits: true }, metrics: ['accuracy'] }),
      train: (m, xt, yt) => void m.fit(xt, yt, { epochs: 10, batchSize: 16, verbose: 0 }),
      score: (m, xt, yt) => m.evaluate(xt, yt).accuracy!,
    });
    expect(cv.scores).toHaveLength(3);
    expect(cv.mean).toBeGreaterThan(0.9);
    expect(cv).toMatchObject(meanStd(cv.scores));
    expect(meanStd([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3) });
  });
});
