// Known-answer probe of the relaxed SIMD instructions the relaxed build uses.
// Relaxed instructions may differ between engines, so the host runs this
// before choosing the relaxed build. Keep it in step with every relaxed_*
// instruction in assembly/ (test/runtime/build.test.ts checks the list).
//
// Used now: i32x4.relaxed_laneselect with whole-lane masks (all ones or all
// zeros per 32-bit lane), in the depthwise requantization, and
// i32x4.relaxed_dot_i8x16_i7x16_add_s, only where dotU8Exact() finds the
// second operand read unsigned with exact sums (the lanes GEMM, gemm4x2U8 and
// gemm1x8U8, and the 3x3 depthwise path).

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

// i32x4.relaxed_dot_i8x16_i7x16_add_s on values outside its portable range:
// signed int8 a, u8 b (up to 255), each lane's exact Σ a·b + c in DOT_WANT.
// x86 with VNNI computes that (vpdpbusd); without VNNI the int16 pair sums
// saturate (-128·255·2), on Arm b reads signed; Node 20's V8 computes neither.
const DOT_A: usize = ASC_FEATURE_RELAXED_SIMD ? memory.data<i8>([-128, 127, -128, 127, -1, 1, 100, -100, 5, 6, 7, 8, -128, -128, -128, -128], 16) : 0;
const DOT_B: usize = ASC_FEATURE_RELAXED_SIMD ? memory.data<u8>([255, 255, 128, 200, 0, 255, 129, 1, 10, 20, 30, 40, 255, 255, 255, 255], 16) : 0;
const DOT_C: usize = ASC_FEATURE_RELAXED_SIMD ? memory.data<i32>([1000, -7, 0, 1 << 30], 16) : 0;
const DOT_WANT: usize = ASC_FEATURE_RELAXED_SIMD ? memory.data<i32>([9761, 13048, 700, 1073611264], 16) : 0;
// 0: not probed yet in this instance; 1: exact; -1: not.
let dotU8 = 0;

/**
 * Whether this engine's i32x4.relaxed_dot_i8x16_i7x16_add_s(a, b, c) reads b as
 * u8 and sums exactly (relaxed builds; probed once per instance): the int8
 * kernels may then take their inputs as u8 x + 128 (kernels/lanes.ts).
 */
export function dotU8Exact(): bool {
  if (!ASC_FEATURE_RELAXED_SIMD) return false;
  if (!dotU8) {
    const r = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(DOT_A), v128.load(DOT_B), v128.load(DOT_C));
    dotU8 = i32x4.all_true(i32x4.eq(r, v128.load(DOT_WANT))) ? 1 : -1;
  }
  return dotU8 > 0;
}
