// LOOKUP: an elementwise function as a table computed at pack time.
// int8: y = table[x + 128]. SIMD: 16 i8x16.swizzle over the table's 16-byte
//   slices (an index outside a slice gives 0, so the slices OR together).
// int16: TFLite's lut_lookup with a 513-entry table: entry 256 + (x >> 7) plus
//   the int16 slope to the next entry times the low 7 bits, rounded (>> 7).
// May run in place (output = input bytes): each element is read before it is written.
import { DT_INT8, E_SHAPE } from '../generated/format';
import { fail } from '../errors';
import { sameDtype, sameElements } from '../checks';
import { opInput, opOutput, tensorData, tensorDtype, tensorElements } from '../model';

export function checkLookup(op: usize): i32 {
  const x = opInput(op, 0);
  const t = opInput(op, 1);
  const y = opOutput(op, 0);
  let r = sameDtype(x, y);
  if (!r) r = sameDtype(x, t);
  if (r) return r;
  const want = tensorDtype(x) == DT_INT8 ? 256 : 513;
  if (tensorElements(t) != want) return fail(E_SHAPE, t, tensorElements(t));
  return sameElements(x, y);
}

export function evalLookup(op: usize): void {
  const x = opInput(op, 0);
  const xp = tensorData(x);
  const tp = tensorData(opInput(op, 1));
  const yp = tensorData(opOutput(op, 0));
  const n = <usize>tensorElements(x);
  let i: usize = 0;
  if (tensorDtype(x) == DT_INT8) {
    if (ASC_FEATURE_SIMD) {
      const bias = i8x16.splat(-128);
      const step = i8x16.splat(16);
      for (; i + 16 <= n; i += 16) {
        let idx = i8x16.sub(v128.load(xp + i), bias); // x + 128 as an unsigned byte
        let out = i8x16.swizzle(v128.load(tp), idx);
        for (let k: usize = 16; k < 256; k += 16) {
          idx = i8x16.sub(idx, step);
          out = v128.or(out, i8x16.swizzle(v128.load(tp + k), idx));
        }
        v128.store(yp + i, out);
      }
    }
    for (; i < n; i++) store<i8>(yp + i, load<i8>(tp + <usize>(<i32>load<i8>(xp + i) + 128)));
  } else {
    for (; i < n; i++) {
      const v = <i32>load<i16>(xp + (i << 1));
      const e = tp + (<usize>(256 + (v >> 7)) << 1);
      const base = <i32>load<i16>(e);
      const slope = <i32><i16>(<i32>load<i16>(e, 2) - base);
      store<i16>(yp + (i << 1), <i16>(base + ((slope * (v & 0x7f) + 64) >> 7)));
    }
  }
}
