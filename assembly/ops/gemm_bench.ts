// The bare int8 GEMM that `npm run bench:kernels` measures as the ceiling: the
// conv/fully-connected 4x2 microkernel with requantization, no offsets or bias.
import { benchGemmKernel } from '../kernels/gemm';

/** c[m, n] = requantize(a[m, k] · b[n, k]ᵀ), int8; rows beyond a multiple of 4 are skipped. */
export function benchGemm(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  if (ASC_FEATURE_SIMD) benchGemmKernel(a, b, c, m, n, k);
}
