// Known-answer probe of the relaxed SIMD instructions the relaxed build uses.
// Relaxed instructions may differ between engines (and some engines compute
// the fused dot-add wrongly), so the host runs this before choosing the build.

const PROBE_A = memory.data<i8>([-128, 127, -1, 1, 100, -100, 55, -55, 0, 7, -7, 127, -128, 3, -3, 64], 16);
const PROBE_B = memory.data<i8>([127, 127, 1, 0, 64, 32, 0, 127, 5, 9, 100, 1, 2, 126, 77, 127], 16);

/** 1 when the engine computes the relaxed instructions this build uses as expected (always 1 elsewhere). */
export function probeRelaxed(): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    // a: signed bytes; b: 7-bit values 0..127 (the only range all engines agree on).
    // Loaded from memory so that the optimizer cannot fold the probe away.
    const a = v128.load(PROBE_A);
    const b = v128.load(PROBE_B);
    const d = i16x8.relaxed_dot_i8x16_i7x16_s(a, b);
    const s = i32x4.extadd_pairwise_i16x8_s(d);
    // Pairwise dot products of a and b, then pairwise sums of those.
    const p0 = -128 * 127 + 127 * 127;
    const p1 = -1 * 1 + 1 * 0;
    const p2 = 100 * 64 + -100 * 32;
    const p3 = 55 * 0 + -55 * 127;
    const p4 = 0 * 5 + 7 * 9;
    const p5 = -7 * 100 + 127 * 1;
    const p6 = -128 * 2 + 3 * 126;
    const p7 = -3 * 77 + 64 * 127;
    if (i32x4.extract_lane(s, 0) != p0 + p1) return 0;
    if (i32x4.extract_lane(s, 1) != p2 + p3) return 0;
    if (i32x4.extract_lane(s, 2) != p4 + p5) return 0;
    if (i32x4.extract_lane(s, 3) != p6 + p7) return 0;
    return 1;
  }
  return 1;
}
