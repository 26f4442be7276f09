// Preprocessing: one-hot, standardization, shuffling and batching with a seed,
// and a seeded random-shift augmentation for images.
import { takeRows } from '../batch.js';
import { fail } from '../errors.js';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';

/** Class indices [N] -> one-hot [N, classes]. */
export function oneHot(labels: Tensor | ArrayLike<number>, classes: number): Tensor {
  const l = labels instanceof Tensor ? labels.data : labels;
  const out = new Float32Array(l.length * classes);
  for (let i = 0; i < l.length; i++) {
    const c = l[i]!;
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) fail('E_DATA', `oneHot: label ${c} at row ${i} is not a class index in 0..${classes - 1}`);
    out[i * classes + c] = 1;
  }
  return new Tensor(out, [l.length, classes]);
}

export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
  apply(x: Tensor): Tensor;
}

/**
 * Per-feature mean and standard deviation of x [N, ...] (features = everything
 * after the first axis). Fit on training data; apply to all splits.
 */
export function fitStandardizer(x: Tensor): Standardizer {
  const n = x.shape[0]!;
  const f = x.size / n;
  const mean = new Float64Array(f);
  const sq = new Float64Array(f);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < f; j++) {
      const v = x.data[i * f + j]!;
      mean[j] += v;
      sq[j] += v * v;
    }
  const m = new Float32Array(f);
  const s = new Float32Array(f);
  for (let j = 0; j < f; j++) {
    m[j] = mean[j]! / n;
    const variance = Math.max(sq[j]! / n - (mean[j]! / n) ** 2, 0);
    s[j] = Math.sqrt(variance) || 1; // constant features stay as they are, shifted to 0
  }
  return {
    mean: m,
    std: s,
    apply(t: Tensor): Tensor {
      if (t.size / t.shape[0]! !== f) fail('E_SHAPE', `standardizer was fit on ${f} features per sample, got [${t.shape.join(', ')}]`);
      const out = new Float32Array(t.size);
      for (let i = 0; i < t.size; i++) out[i] = (t.data[i]! - m[i % f]!) / s[i % f]!;
      return new Tensor(out, t.shape);
    },
  };
}

/** Same-order shuffle of several tensors sharing their first axis. */
export function shuffle(tensors: Tensor[], seed: number): Tensor[] {
  const n = tensors[0]!.shape[0]!;
  const p = new Rng(seed).permutation(n);
  return tensors.map((t) => takeRows(t, p, 0, n));
}

/** Batches of [x, y], optionally shuffled with a seed. */
export function* batches(x: Tensor, y: Tensor, batchSize: number, seed?: number): Generator<[Tensor, Tensor]> {
  const n = x.shape[0]!;
  const order = seed === undefined ? null : new Rng(seed).permutation(n);
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    yield [takeRows(x, order, s, e), takeRows(y, order, s, e)];
  }
}

/** Rows of a tensor by index list. */
export function take(t: Tensor, rows: ArrayLike<number>): Tensor {
  return takeRows(t, Int32Array.from(rows), 0, rows.length);
}

/**
 * Shifts each image [N, H, W, C] by a random whole number of pixels in
 * [-maxShift, maxShift] on each axis, filling with zeros. For fit's `augment`.
 */
export function randomShift(maxShift: number): (x: Tensor, rng: Rng) => Tensor {
  return (x, rng) => {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const out = new Float32Array(x.size);
    const span = 2 * maxShift + 1;
    for (let b = 0; b < n; b++) {
      const dy = rng.int(span) - maxShift;
      const dx = rng.int(span) - maxShift;
      for (let i = 0; i < h; i++) {
        const si = i - dy;
        if (si < 0 || si >= h) continue;
        const j0 = Math.max(0, dx), j1 = Math.min(w, w + dx);
        if (j1 <= j0) continue;
        const src = ((b * h + si) * w + (j0 - dx)) * c;
        out.set(x.data.subarray(src, src + (j1 - j0) * c), ((b * h + i) * w + j0) * c);
      }
    }
    return new Tensor(out, x.shape);
  };
}
