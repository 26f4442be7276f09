// Known-answer probe of the relaxed SIMD instructions the relaxed build uses.
// Relaxed instructions may differ between engines, so the host runs this
// before choosing the relaxed build. Keep it in step with every relaxed_*
// instruction in assembly/ (test/runtime/build.test.ts checks the list).
//
// Used now: i32x4.relaxed_laneselect with whole-lane masks (all ones or all
// zeros per 32-bit lane), in the depthwise requantization.

// Loaded from memory so that the optimizer cannot fold the probe away.
const PROBE_A = memory.data<i32>([0x11111111, -2, 0x7fffffff, -0x80000000], 16);
const PROBE_B = memory.data<i32>([0x22222222, 5, -1, 0x12345678], 16);
const PROBE_MASK = memory.data<i32>([-1, 0, 0, -1], 16);

/** 1 when the engine computes the relaxed instructions this build uses as expected (always 1 elsewhere). */
export function probeRelaxed(): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    const a = v128.load(PROBE_A);
    const b = v128.load(PROBE_B);
    const m = v128.load(PROBE_MASK);
    const r = i32x4.relaxed_laneselect(a, b, m);
    // Mask lane all ones → a's lane, all zeros → b's lane.
    if (i32x4.extract_lane(r, 0) != 0x11111111) return 0;
    if (i32x4.extract_lane(r, 1) != 5) return 0;
    if (i32x4.extract_lane(r, 2) != -1) return 0;
    if (i32x4.extract_lane(r, 3) != -0x80000000) return 0;
    // Swapped masks select the other way.
    const s = i32x4.relaxed_laneselect(a, b, v128.not(m));
    if (i32x4.extract_lane(s, 0) != 0x22222222 || i32x4.extract_lane(s, 3) != 0x12345678) return 0;
    return 1;
  }
  return 1;
}
