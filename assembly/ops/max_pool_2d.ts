// MAX_POOL_2D (int8): TFLite's reference_integer_ops::MaxPool. The maximum of
// the in-bounds taps of each window (starting from -128), clamped to
// [actMin, actMax]. SIMD: 16 (then 8) channels at a time with i8x16.max_s.
import {
  MAX_POOL_2D_ACT_MAX, MAX_POOL_2D_ACT_MIN, MAX_POOL_2D_FILTER_H, MAX_POOL_2D_FILTER_W, MAX_POOL_2D_PAD_LEFT,
  MAX_POOL_2D_PAD_TOP, MAX_POOL_2D_STRIDE_H, MAX_POOL_2D_STRIDE_W,
} from '../generated/format';
import { opInput, opOutput, opParam, tensorData, tensorDim } from '../model';
import { checkPool, poolWindow, wCols, wInBase, wRows } from './pool';

export function checkMaxPool2d(op: usize): i32 {
  return checkPool(op, MAX_POOL_2D_FILTER_H, MAX_POOL_2D_ACT_MIN);
}

export function evalMaxPool2d(op: usize): void {
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
  const fh = opParam(op, MAX_POOL_2D_FILTER_H);
  const fw = opParam(op, MAX_POOL_2D_FILTER_W);
  const sh = opParam(op, MAX_POOL_2D_STRIDE_H);
  const sw = opParam(op, MAX_POOL_2D_STRIDE_W);
  const pt = opParam(op, MAX_POOL_2D_PAD_TOP);
  const pl = opParam(op, MAX_POOL_2D_PAD_LEFT);
  const lo = opParam(op, MAX_POOL_2D_ACT_MIN);
  const hi = opParam(op, MAX_POOL_2D_ACT_MAX);
  const rowStride = <usize>inW * <usize>ch;
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        poolWindow(xp, n, oy, ox, inH, inW, ch, fh, fw, sh, sw, pt, pl);
        // The window in locals: the loops below read them for every channel step.
        const base = wInBase, rows = wRows, cols = wCols;
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          const vlo = i8x16.splat(<i8>lo);
          const vhi = i8x16.splat(<i8>hi);
          for (; c + 16 <= ch; c += 16) {
            let m = i8x16.splat(-128);
            for (let fy = 0; fy < rows; fy++) {
              let p = base + <usize>fy * rowStride + <usize>c;
              for (let fx = 0; fx < cols; fx++) {
                m = i8x16.max_s(m, v128.load(p));
                p += <usize>ch;
              }
            }
            v128.store(yp + <usize>c, i8x16.min_s(i8x16.max_s(m, vlo), vhi));
          }
          if (c + 8 <= ch) {
            let m = i8x16.splat(-128);
            for (let fy = 0; fy < rows; fy++) {
              let p = base + <usize>fy * rowStride + <usize>c;
              for (let fx = 0; fx < cols; fx++) {
                m = i8x16.max_s(m, v128.load64_zero(p));
                p += <usize>ch;
              }
            }
            v128.store64_lane(yp + <usize>c, i8x16.min_s(i8x16.max_s(m, vlo), vhi), 0);
            c += 8;
          }
        }
        for (; c < ch; c++) {
          let m: i32 = -128;
          for (let fy = 0; fy < rows; fy++) {
            let p = base + <usize>fy * rowStride + <usize>c;
            for (let fx = 0; fx < cols; fx++) {
              const v = <i32>load<i8>(p);
              if (v > m) m = v;
              p += <usize>ch;
            }
          }
          store<i8>(yp + <usize>c, <i8>(m < lo ? lo : m > hi ? hi : m));
        }
        yp += <usize>ch;
      }
    }
  }
}
