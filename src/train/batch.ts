// Row selection and input checks shared by fit, evaluate and the data helpers.
import { fail } from './errors.js';
import { Tensor } from './tensor.js';

/** Rows start..end of t, through `order` (a permutation) when given. */
export function takeRows(t: Tensor, order: Int32Array | null, start: number, end: number): Tensor {
  const per = t.size / t.shape[0]!;
  const n = end - start;
  if (!order) return new Tensor(t.data.slice(start * per, end * per), [n, ...t.shape.slice(1)]);
  const out = new Float32Array(n * per);
  for (let i = 0; i < n; i++) {
    const r = order[start + i]!;
    out.set(t.data.subarray(r * per, r * per + per), i * per);
  }
  return new Tensor(out, [n, ...t.shape.slice(1)]);
}

/** Throws E_DATA naming the first NaN or infinite value. */
export function checkFinite(t: Tensor, where: string): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++)
    if (!Number.isFinite(d[i]!)) {
      const per = t.size / (t.shape[0] || 1);
      fail('E_DATA', `${where}: value ${d[i]} in sample ${Math.floor(i / per)} (flat index ${i}); clean or impute the data first`);
    }
}
