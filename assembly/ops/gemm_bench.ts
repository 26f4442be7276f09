// The bare int8 GEMMs that `npm run bench:kernels` measures; the faster is the
// ceiling the kernels are compared with. Both requantize, without offsets or bias.
import { benchGemmKernel } from '../kernels/gemm';
import { lanesDepth, lanesGemm, lanesPackAll, lanesRows } from '../kernels/lanes';

/** c[m, n] = requantize(a[m, k] · b[n, k]ᵀ), int8, on the 4x2 microkernel; rows beyond a multiple of 4 are skipped. */
export function benchGemm(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  if (ASC_FEATURE_SIMD) benchGemmKernel(a, b, c, m, n, k);
}

/**
 * The same product on the output-channels-in-lanes GEMM (k a multiple of 8),
 * widening a and packing b into scratch first; per-channel multipliers and
 * shifts at mul, sft.
 */
export function benchGemmLanes(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, mul: usize, sft: usize, scratch: usize): void {
  if (!ASC_FEATURE_SIMD) return;
  const rows = lanesRows(scratch, k, n, true);
  const rowBytes = <usize>lanesDepth(k) << 1;
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < k; i += 8) v128.store(rows + <usize>r * rowBytes + (<usize>i << 1), v128.load8x8_s(a + <usize>(r * k + i)));
  }
  lanesPackAll(scratch, k, b, n, 0, 0);
  lanesGemm(scratch, true, m, k, b, n, 0, 0, mul, sft, 0, -128, 127, c, rows, m, 1, rowBytes, 0, 0, 1, lanesDepth(k) >> 1, 0);
}
