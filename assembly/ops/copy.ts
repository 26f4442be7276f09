// Byte copy and fill without the bulk-memory instructions (the builds target
// engines without them): 16 bytes at a time with SIMD, then 8, then single bytes.
// Regions must not overlap.

export function copyBytes(dst: usize, src: usize, n: usize): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 16 <= n; i += 16) v128.store(dst + i, v128.load(src + i));
  }
  for (; i + 8 <= n; i += 8) store<u64>(dst + i, load<u64>(src + i));
  for (; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
}

/** Fills n bytes with a repeating 16-bit pattern (for int16 use `v | v << 16`-style bits; byte fills repeat one byte). */
export function fillPattern(dst: usize, pattern: u64, n: usize): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const v = i64x2.splat(<i64>pattern);
    for (; i + 16 <= n; i += 16) v128.store(dst + i, v);
  }
  for (; i + 8 <= n; i += 8) store<u64>(dst + i, pattern);
  for (; i < n; i++) store<u8>(dst + i, <u8>(pattern >> ((i & 7) << 3)));
}
