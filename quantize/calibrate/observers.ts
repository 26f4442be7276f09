// Streaming range observers. Calibration runs in two passes over the data:
// the first finds each tensor's min and max, the second (only for the
// histogram methods) fills a fixed histogram over [min, max]. Memory is
// per tensor, never per sample.
//
// Methods (each picks a clipping range [lo, hi] for an asymmetric int8 grid):
//   minmax      the observed range
//   percentile  the 0.01% / 99.99% quantiles (one-sided for non-negative tensors)
//   entropy     the range minimizing KL(P || Q) between the histogram and its int8 version
//   mse         the range minimizing the expected squared quantization error
import { qfail } from '../errors.js';

export type Method = 'minmax' | 'percentile' | 'entropy' | 'mse';
export const METHODS: readonly Method[] = ['minmax', 'percentile', 'entropy', 'mse'];
export const BINS = 2048;

export class RangeObserver {
  min = Infinity;
  max = -Infinity;
  count = 0;
  hist: Float64Array | undefined;
  /** sum of x^2 (for SQNR estimates) */
  sumSq = 0;

  observeRange(x: Float32Array): void {
    let lo = this.min, hi = this.max, sq = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sq += v * v;
    }
    this.min = lo;
    this.max = hi;
    this.sumSq += sq;
    this.count += x.length;
  }

  /** Second pass: histogram over [min(min, 0), max(max, 0)]. */
  observeHistogram(x: Float32Array): void {
    const [lo, hi] = this.span();
    const h = (this.hist ??= new Float64Array(BINS));
    const k = hi > lo ? BINS / (hi - lo) : 0;
    for (let i = 0; i < x.length; i++) {
      let b = Math.floor((x[i]! - lo) * k);
      if (b >= BINS) b = BINS - 1;
      else if (b < 0) b = 0;
      h[b]!++;
    }
  }

  span(): [number, number] {
    if (!this.count) qfail('E_CALIBRATION', 'a tensor was never observed during calibration');
    return [Math.min(this.min, 0), Math.max(this.max, 0)];
  }

  /** The clipping range for a method. */
  range(method: Method, levels = 256): [number, number] {
    const [lo, hi] = this.span();
    if (method === 'minmax' || hi === lo || !this.hist) return [lo, hi];
    const h = this.hist;
    const total = h.reduce((a, b) => a + b, 0);
    const width = (hi - lo) / BINS;
    const center = (b: number) => lo + (b + 0.5) * width;
    if (method === 'percentile') {
      const p = 1e-4 * total;
      let a = 0, lb = 0;
      if (lo < 0) while (lb < BINS - 1 && a + h[lb]! <= p) a += h[lb++]!;
      let c = 0, ub = BINS - 1;
      while (ub > 0 && c + h[ub]! <= p) c += h[ub--]!;
      return [lo < 0 ? lo + lb * width : lo, hi > 0 ? lo + (ub + 1) * width : hi];
    }
    // Candidate ranges: [lo, hi] scaled by f (keeps zero inside and the sides' ratio).
    let best: [number, number] = [lo, hi];
    let bestErr = Infinity;
    for (let step = 0; step < 80; step++) {
      const f = 1 - step * 0.01;
      const [a, b] = [lo * f, hi * f];
      const scale = (b - a) / (levels - 1);
      const zp = Math.round(-a / scale);
      const err = method === 'mse' ? mseOf(h, center, scale, zp, levels) : klOf(h, lo, width, a, b, levels);
      if (err < bestErr - 1e-12) {
        bestErr = err;
        best = [a, b];
      }
    }
    return best;
  }
}

function mseOf(h: Float64Array, center: (b: number) => number, scale: number, zp: number, levels: number): number {
  let e = 0;
  for (let b = 0; b < h.length; b++) {
    const n = h[b]!;
    if (!n) continue;
    const x = center(b);
    const q = Math.min(levels - 1, Math.max(0, Math.round(x / scale) + zp));
    const d = x - (q - zp) * scale;
    e += n * d * d;
  }
  return e;
}

/**
 * KL(P || Q): P is the histogram with the mass outside [a, b] moved to the
 * edge bins; Q spreads each int8 level's mass evenly over the nonzero bins it covers.
 */
function klOf(h: Float64Array, lo: number, width: number, a: number, b: number, levels: number): number {
  const first = Math.max(0, Math.floor((a - lo) / width));
  const last = Math.min(h.length - 1, Math.ceil((b - lo) / width) - 1);
  const n = last - first + 1;
  if (n < 2) return Infinity;
  // P: the clipped distribution (outliers piled on the edge bins). Q: the
  // inner part only, quantized to `levels` and spread back over its nonzero bins.
  const p = new Float64Array(n);
  const inner = new Float64Array(n);
  for (let i = 0; i < h.length; i++) {
    const k = i - first;
    p[Math.min(n - 1, Math.max(0, k))]! += h[i]!;
    if (k >= 0 && k < n) inner[k] = h[i]!;
  }
  const q = new Float64Array(n);
  const per = n / levels;
  for (let l = 0; l < levels; l++) {
    const s = Math.floor(l * per), e = Math.max(s + 1, Math.floor((l + 1) * per));
    let mass = 0, nz = 0;
    for (let i = s; i < e && i < n; i++) if (inner[i]) { mass += inner[i]!; nz++; }
    for (let i = s; i < e && i < n; i++) if (inner[i]) q[i] = mass / nz;
  }
  let total = 0, qTotal = 0;
  for (let i = 0; i < n; i++) {
    total += p[i]!;
    qTotal += q[i]!;
  }
  let kl = 0;
  for (let i = 0; i < n; i++) {
    if (!p[i]) continue;
    const pi = p[i]! / total;
    const qi = Math.max(q[i]! / (qTotal || 1), 1e-12);
    kl += pi * Math.log(pi / qi);
  }
  return kl;
}
