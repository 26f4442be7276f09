// Scalar-build dot products (engines without SIMD): register-blocked over two
// input runs × four filter rows, so each loaded value serves several
// multiply-adds. The filter offset never enters the loops: Σ(x + io)·(w + fo) =
// Σ(x + io)·w + fo·Σ(x + io) (mod 2^32, like the accumulator); callers add the
// second term from the input sums kept here.

/** Accumulators: [pixel 0: filters 0..3][pixel 1: filters 0..3], then the two input sums. */
export const SACC = memory.data(40, 16);

/** Zeroes the accumulators and input sums. */
export function clearAcc(): void {
  // Plain stores: the scalar build targets engines without bulk memory operations.
  for (let i: usize = 0; i < 40; i += 8) store<u64>(SACC + i, 0);
}

/**
 * Adds Σ_i (x0[i] + io)·f_j[i] and Σ_i (x1[i] + io)·f_j[i] for the four filter
 * rows f_j = f + j·fs, i < n, to the accumulators, and Σ(x + io) of each run to
 * the input sums.
 */
export function dot2x4(x0: usize, x1: usize, n: usize, f: usize, fs: usize, io: i32): void {
  let a0 = load<i32>(SACC), a1 = load<i32>(SACC, 4), a2 = load<i32>(SACC, 8), a3 = load<i32>(SACC, 12);
  let b0 = load<i32>(SACC, 16), b1 = load<i32>(SACC, 20), b2 = load<i32>(SACC, 24), b3 = load<i32>(SACC, 28);
  let s0 = load<i32>(SACC, 32), s1 = load<i32>(SACC, 36);
  const f1 = f + fs, f2 = f1 + fs, f3 = f2 + fs;
  for (let i: usize = 0; i < n; i++) {
    const u = <i32>load<i8>(x0 + i) + io;
    const v = <i32>load<i8>(x1 + i) + io;
    const w0 = <i32>load<i8>(f + i), w1 = <i32>load<i8>(f1 + i), w2 = <i32>load<i8>(f2 + i), w3 = <i32>load<i8>(f3 + i);
    a0 += u * w0; a1 += u * w1; a2 += u * w2; a3 += u * w3;
    b0 += v * w0; b1 += v * w1; b2 += v * w2; b3 += v * w3;
    s0 += u;
    s1 += v;
  }
  store<i32>(SACC, a0); store<i32>(SACC, a1, 4); store<i32>(SACC, a2, 8); store<i32>(SACC, a3, 12);
  store<i32>(SACC, b0, 16); store<i32>(SACC, b1, 20); store<i32>(SACC, b2, 24); store<i32>(SACC, b3, 28);
  store<i32>(SACC, s0, 32); store<i32>(SACC, s1, 36);
}

/** dot2x4 for one input run (pixel 0's accumulators and input sum only). */
export function dot1x4(x0: usize, n: usize, f: usize, fs: usize, io: i32): void {
  let a0 = load<i32>(SACC), a1 = load<i32>(SACC, 4), a2 = load<i32>(SACC, 8), a3 = load<i32>(SACC, 12);
  let s0 = load<i32>(SACC, 32);
  const f1 = f + fs, f2 = f1 + fs, f3 = f2 + fs;
  for (let i: usize = 0; i < n; i++) {
    const u = <i32>load<i8>(x0 + i) + io;
    a0 += u * <i32>load<i8>(f + i);
    a1 += u * <i32>load<i8>(f1 + i);
    a2 += u * <i32>load<i8>(f2 + i);
    a3 += u * <i32>load<i8>(f3 + i);
    s0 += u;
  }
  store<i32>(SACC, a0); store<i32>(SACC, a1, 4); store<i32>(SACC, a2, 8); store<i32>(SACC, a3, 12);
  store<i32>(SACC, s0, 32);
}

/** Pixel p's accumulator for filter j, with the filter offset's term: acc + fo·Σ(x + io). */
@inline export function accOf(p: i32, j: i32, fo: i32): i32 {
  return load<i32>(SACC + (<usize>(p * 4 + j) << 2)) + fo * load<i32>(SACC + 32 + (<usize>p << 2));
}
