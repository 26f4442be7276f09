// Right-aligned ≤4-D broadcasting for the elementwise reference kernels (ADD,
// MUL): TFLite's BroadcastAdd4DSlow / BroadcastMul4DSlow index arithmetic.
import { as4d } from '../../format/checks.js';

/**
 * Calls f(i1, i2, o) for every output element in row-major order, with the
 * flat indices of the input elements it reads.
 */
export function forEachBroadcast(
  shape1: readonly number[],
  shape2: readonly number[],
  outShape: readonly number[],
  f: (i1: number, i2: number, o: number) => void,
): void {
  const a = as4d(shape1);
  const b = as4d(shape2);
  const y = as4d(outShape);
  const stride = (s: readonly number[]) => {
    const st = [0, 0, 0, 0];
    let k = 1;
    for (let d = 3; d >= 0; d--) {
      st[d] = s[d] === 1 ? 0 : k;
      k *= s[d]!;
    }
    return st;
  };
  const sa = stride(a);
  const sb = stride(b);
  let o = 0;
  for (let n = 0; n < y[0]; n++)
    for (let h = 0; h < y[1]; h++)
      for (let w = 0; w < y[2]; w++)
        for (let c = 0; c < y[3]; c++) {
          const i1 = n * sa[0]! + h * sa[1]! + w * sa[2]! + c * sa[3]!;
          const i2 = n * sb[0]! + h * sb[1]! + w * sb[2]! + c * sb[3]!;
          f(i1, i2, o++);
        }
}
