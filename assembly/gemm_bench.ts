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
