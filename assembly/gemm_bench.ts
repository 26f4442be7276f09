// The bare int8 GEMMs that `npm run bench:kernels` measures; the faster is the
// ceiling the kernels are compared with. Both requantize, without offsets or
// bias. A module of its own (build.mjs: gemm-bench-simd, gemm-bench-relaxed,
// built on demand by the bench), so the runtime does not ship them; it runs
// the runtime's own microkernels, compiled from the same sources.
import { gemm4x2, gemm4x2Fits } from './kernels/gemm';
import { lanesDepth, lanesGemm, lanesPackAll, lanesRows } from './kernels/lanes';

// Requantization constants for benchGemm: 16 channels of ×2^-9.
const BENCH_MUL = memory.data<i32>([
  1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30,
  1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30,
]);
const BENCH_SHIFT = memory.data<i32>([-8, -8, -8, -8, -8, -8, -8, -8, -8, -8, -8, -8, -8, -8, -8, -8]);

/**
 * c[i][j] = requantize(Σ_k a[i][k]·b[j][k]) with a [m, k], b [n, k], c [m, n]
 * int8, through the 4x2 microkernel the convolutions use (no offsets, no bias,
 * ×2^-9). Rows beyond the last multiple of 4 are skipped; k a multiple of 8
 * gives the pure kernel.
 */
export function benchGemm(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  if (!gemm4x2Fits(k)) return;
  const steps = k >> 3;
  const tail = k >= 8 ? k & 7 : 0;
  for (let r = 0; r + 4 <= m; r += 4) {
    for (let j = 0; j < n; j += 16) {
      gemm4x2(
        a + <usize>r * <usize>k, <usize>k, 4, b + <usize>j * <usize>k, <usize>k, min(16, n - j), steps, tail,
        0, 0, 0, BENCH_MUL, BENCH_SHIFT, 0, -128, 127, c + <usize>r * <usize>n + <usize>j, <usize>n,
      );
    }
  }
}

/**
 * The same product on the output-channels-in-lanes GEMM (k a multiple of 8),
 * widening a and packing b into scratch first; per-channel multipliers and
 * shifts at mul, sft.
 */
export function benchGemmLanes(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, mul: usize, sft: usize, scratch: usize): void {
  const rows = lanesRows(scratch, k, n, true);
  const rowBytes = <usize>lanesDepth(k) << 1;
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < k; i += 8) v128.store(rows + <usize>r * rowBytes + (<usize>i << 1), v128.load8x8_s(a + <usize>(r * k + i)));
  }
  lanesPackAll(scratch, k, b, n, 0, 0, false, 0);
  lanesGemm(scratch, true, m, k, b, n, 0, 0, mul, sft, 0, -128, 127, c, rows, m, 1, rowBytes, 0, 0, 1, lanesDepth(k) >> 1, 0, false, 0);
}

/**
 * The engine's throughput for the int16 dot alone: per iteration, 8
 * i32x4.dot_i16x8_s, each added into its own accumulator, on operands held in
 * registers (loaded once from p): the 8 products of x, y, w0 and w1 that differ,
 * with x and y new every iteration (one i16x8.add), so that none is
 * loop-invariant. (Larger bodies do not measure more: V8 then schedules them
 * into spills, or merges repeated dots.) A kernel that loads its operands stays
 * below it. Returns a checksum so that nothing is optimized away.
 */
export function benchDotPeak(p: usize, iters: i32): i32 {
  const w0 = v128.load(p), w1 = v128.load(p, 16);
  let x = v128.load(p, 32), y = v128.load(p, 48);
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (let i = 0; i < iters; i++) {
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, w0)); a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, w1));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(y, w0)); a3 = i32x4.add(a3, i32x4.dot_i16x8_s(y, w1));
    a4 = i32x4.add(a4, i32x4.dot_i16x8_s(x, y)); a5 = i32x4.add(a5, i32x4.dot_i16x8_s(w0, y));
    a6 = i32x4.add(a6, i32x4.dot_i16x8_s(x, x)); a7 = i32x4.add(a7, i32x4.dot_i16x8_s(y, y));
    const t = x;
    x = i16x8.add(y, w0);
    y = t;
  }
  const s = i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7)));
  return i32x4.extract_lane(s, 0);
}
