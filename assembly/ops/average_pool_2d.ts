// AVERAGE_POOL_2D (int8): TFLite's reference_integer_ops::AveragePool. The sum
// of the in-bounds taps divided by their count, rounding half away from zero,
// clamped to [actMin, actMax]; a window with no in-bounds tap gives 0 before
// the clamp. SIMD: 16 (then 8) channels at a time in i32x4 sums; the rounded
// division goes through float32, exact while |sum ± count/2| < 2^24 (windows
// of at most 65536 taps; larger ones take the scalar path).
import {
  AVERAGE_POOL_2D_ACT_MAX, AVERAGE_POOL_2D_ACT_MIN, AVERAGE_POOL_2D_FILTER_H, AVERAGE_POOL_2D_FILTER_W,
  AVERAGE_POOL_2D_PAD_LEFT, AVERAGE_POOL_2D_PAD_TOP, AVERAGE_POOL_2D_STRIDE_H, AVERAGE_POOL_2D_STRIDE_W,
} from '../generated/format';
import { opInput, opOutput, opParam, tensorData, tensorDim } from '../model';
import { checkPool, poolWindow, wCols, wInBase, wRows } from './pool';

export function checkAveragePool2d(op: usize): i32 {
  return checkPool(op, AVERAGE_POOL_2D_FILTER_H, AVERAGE_POOL_2D_ACT_MIN);
}

/** (sum ± count/2) / count per lane, truncated: exact for |sum| + count/2 < 2^24. */
@inline function roundDiv4(acc: v128, half: v128, count: v128): v128 {
  const sign = i32x4.shr_s(acc, 31);
  const num = i32x4.add(acc, i32x4.sub(v128.xor(half, sign), sign));
  return i32x4.trunc_sat_f32x4_s(f32x4.div(f32x4.convert_i32x4_s(num), count));
}

export function evalAveragePool2d(op: usize): void {
  const x = opInput(op, 0);
  const y = opOutput(op, 0);
  const xp = tensorData(x);
  let yp = tensorData(y);
  const batches = tensorDim(x, 0);
  const inH = tensorDim(x, 1);
  const inW = tensorDim(x, 2);
  const ch = tensorDim(x, 3);
  const outH = tensorDim(y, 1);
  const outW = tensorDim(y, 2);
  const fh = opParam(op, AVERAGE_POOL_2D_FILTER_H);
  const fw = opParam(op, AVERAGE_POOL_2D_FILTER_W);
  const sh = opParam(op, AVERAGE_POOL_2D_STRIDE_H);
  const sw = opParam(op, AVERAGE_POOL_2D_STRIDE_W);
  const pt = opParam(op, AVERAGE_POOL_2D_PAD_TOP);
  const pl = opParam(op, AVERAGE_POOL_2D_PAD_LEFT);
  const lo = opParam(op, AVERAGE_POOL_2D_ACT_MIN);
  const hi = opParam(op, AVERAGE_POOL_2D_ACT_MAX);
  const rowStride = <usize>inW * <usize>ch;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        poolWindow(xp, n, oy, ox, inH, inW, ch, fh, fw, sh, sw, pt, pl);
        const count = wRows * wCols;
        const half = count >> 1;
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          if (count > 0 && count <= 65536) {
            const vhalf = i32x4.splat(half);
            const vcount = f32x4.splat(<f32>count);
            const vlo = i8x16.splat(<i8>lo);
            const vhi = i8x16.splat(<i8>hi);
            for (; c + 16 <= ch; c += 16) {
              let s0 = i32x4.splat(0);
              let s1 = s0;
              let s2 = s0;
              let s3 = s0;
              for (let fy = 0; fy < wRows; fy++) {
                let p = wInBase + <usize>fy * rowStride + <usize>c;
                for (let fx = 0; fx < wCols; fx++) {
                  const v = v128.load(p);
                  const l = i16x8.extend_low_i8x16_s(v);
                  const h = i16x8.extend_high_i8x16_s(v);
                  s0 = i32x4.add(s0, i32x4.extend_low_i16x8_s(l));
                  s1 = i32x4.add(s1, i32x4.extend_high_i16x8_s(l));
                  s2 = i32x4.add(s2, i32x4.extend_low_i16x8_s(h));
                  s3 = i32x4.add(s3, i32x4.extend_high_i16x8_s(h));
                  p += <usize>ch;
                }
              }
              const a = i16x8.narrow_i32x4_s(roundDiv4(s0, vhalf, vcount), roundDiv4(s1, vhalf, vcount));
              const b = i16x8.narrow_i32x4_s(roundDiv4(s2, vhalf, vcount), roundDiv4(s3, vhalf, vcount));
              v128.store(yp + <usize>c, i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(a, b), vlo), vhi));
            }
            if (c + 8 <= ch) {
              let s0 = i32x4.splat(0);
              let s1 = s0;
              for (let fy = 0; fy < wRows; fy++) {
                let p = wInBase + <usize>fy * rowStride + <usize>c;
                for (let fx = 0; fx < wCols; fx++) {
                  const l = i16x8.extend_low_i8x16_s(v128.load64_zero(p));
                  s0 = i32x4.add(s0, i32x4.extend_low_i16x8_s(l));
                  s1 = i32x4.add(s1, i32x4.extend_high_i16x8_s(l));
                  p += <usize>ch;
                }
              }
              const a = i16x8.narrow_i32x4_s(roundDiv4(s0, vhalf, vcount), roundDiv4(s1, vhalf, vcount));
              v128.store64_lane(yp + <usize>c, i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(a, a), vlo), vhi), 0);
              c += 8;
            }
          }
        }
        for (; c < ch; c++) {
          let acc: i32 = 0;
          for (let fy = 0; fy < wRows; fy++) {
            let p = wInBase + <usize>fy * rowStride + <usize>c;
            for (let fx = 0; fx < wCols; fx++) {
              acc += <i32>load<i8>(p);
              p += <usize>ch;
            }
          }
          let avg: i32 = 0;
          if (count > 0) avg = acc > 0 ? (acc + half) / count : (acc - half) / count;
          store<i8>(yp + <usize>c, <i8>(avg < lo ? lo : avg > hi ? hi : avg));
        }
        yp += <usize>ch;
      }
    }
  }
}
