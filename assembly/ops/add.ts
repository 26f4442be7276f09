// ADD: TFLite's quantized add (reference_integer_ops::Add for int8; the general
// int16 path, zero points 0, for int16) with ≤4-D right-aligned broadcasting.
// Each input is offset, shifted left by leftShift, scaled by its multiplier;
// the sum is requantized by the output multiplier, offset and clamped. The
// output may be input 1's bytes (in place): every element is read before it
// is written. SIMD: 16 (int8) or 8 (int16) elements per step, four i32 lanes
// at a time through the exact vector requantization of ../fixedpoint; int8
// first tries one certified f32 evaluation of the whole expression (addFloat4).
import {
  ADD_ACT_MAX, ADD_ACT_MIN, ADD_INPUT_OFFSET1, ADD_INPUT_OFFSET2, ADD_LEFT_SHIFT, ADD_MULTIPLIER1, ADD_MULTIPLIER2,
  ADD_OUTPUT_MULTIPLIER, ADD_OUTPUT_OFFSET, ADD_OUTPUT_SHIFT, ADD_SHIFT1, ADD_SHIFT2, DT_INT16,
} from '../generated/format';
import { clampParams, inputOffsetParam, multiplierParams, outputOffsetParam, paramIn } from '../checks';
import { mbqm4, mulByQuantizedMultiplier } from '../fixedpoint';
import { allCertified, beginRequant, fqAgree, fqClamp, fqOut, fqRound } from '../kernels/conv_common';
import { opInput, opOutput, opParam, tensorData, tensorDtype } from '../model';
import { checkBroadcast, planBroadcast, rowLen, rowOffset1, rowOffset2, rows, rowStep1, rowStep2, seekRow } from './broadcast';

export function checkAdd(op: usize): i32 {
  const y = opOutput(op, 0);
  const dt = tensorDtype(y);
  let r = checkBroadcast(opInput(op, 0), opInput(op, 1), y);
  if (!r) r = inputOffsetParam(op, ADD_INPUT_OFFSET1, dt);
  if (!r) r = inputOffsetParam(op, ADD_INPUT_OFFSET2, dt);
  if (!r) r = outputOffsetParam(op, ADD_OUTPUT_OFFSET, dt);
  if (!r) r = paramIn(op, ADD_LEFT_SHIFT, 0, 20);
  if (!r) r = multiplierParams(op, ADD_MULTIPLIER1, ADD_SHIFT1);
  if (!r) r = multiplierParams(op, ADD_MULTIPLIER2, ADD_SHIFT2);
  if (!r) r = multiplierParams(op, ADD_OUTPUT_MULTIPLIER, ADD_OUTPUT_SHIFT);
  if (!r) r = clampParams(op, ADD_ACT_MIN, ADD_ACT_MAX, dt);
  return r;
}

let off1: i32 = 0, off2: i32 = 0, outOff: i32 = 0, ls: i32 = 0;
let m1: i32 = 0, s1: i32 = 0, m2: i32 = 0, s2: i32 = 0, mo: i32 = 0, so: i32 = 0;
let lo: i32 = 0, hi: i32 = 0;

@inline function add1(a: i32, b: i32): i32 {
  const x = mulByQuantizedMultiplier((a + off1) << ls, m1, s1) + mulByQuantizedMultiplier((b + off2) << ls, m2, s2);
  const r = mulByQuantizedMultiplier(x, mo, so) + outOff;
  return r < lo ? lo : r > hi ? hi : r;
}

let l1: i32 = 0, r1: i32 = 0, l2: i32 = 0, r2: i32 = 0, lO: i32 = 0, rO: i32 = 0;

/** Four lanes of int32 inputs (not yet offset) → four int32 outputs before the clamp. */
@inline function add4(a: v128, b: v128, vm1: v128, vm2: v128, vmo: v128, voff1: v128, voff2: v128, voutOff: v128): v128 {
  const x = mbqm4(i32x4.shl(i32x4.add(a, voff1), ls), vm1, l1, r1);
  const y = mbqm4(i32x4.shl(i32x4.add(b, voff2), ls), vm2, l2, r2);
  return i32x4.add(mbqm4(i32x4.add(x, y), vmo, lO, rO), voutOff);
}

// The current ADD's constants as vectors: multipliers 1, 2, out; offsets 1, 2, out (i32x4); clamp lo, hi (i16x8);
// for addFloat4, offsets 1, 2 (i16x8), the f32 scales k1, k2 and the guard band g and -g.
const ADD_K = memory.data(224, 16);

// Whether the current ADD (int8) tries addFloat4 first.
let useFloat = false;

/**
 * Sets up addFloat4 for the current int8 ADD and says whether it applies: both
 * inputs and the output shift right (as the packer's multipliers always do).
 *
 * TFLite's result is out = RDBPOT(SRDHM(S1 + S2, mo), ro) with
 * S_i = RDBPOT(SRDHM(a_i·2^ls, m_i), r_i), a_i = x_i + offset_i, |a_i| <= 255
 * (no int32 wraps: |a_i·2^ls| < 2^28). Each rounding is within 1/2 of its
 * argument, so S_i is within e_i = 1/2 + 2^-(r_i+1) of a_i·σ_i
 * (σ_i = m_i·2^(ls-31-r_i)), and S1 + S2 within e1 + e2 of the exact sum.
 * With σo = mo·2^-(31+ro), the conv requantization's argument (conv_common)
 * rounds S·σo right when it lies more than 2^-(ro+1) from a half-integer. The
 * f32 value w = a1·k1 + a2·k2 (k_i = σ_i·σo rounded to f32) lies within
 * (e1 + e2)·σo + 255·(k1 + k2)·2^-22 of S·σo (two products and a sum, each
 * rounded once, plus k's rounding). A guard band g of 2^-(ro+1) plus both, plus
 * 2^-12 for the f32 sums of the rounding, makes its certification exact:
 * when c + g and c - g round alike (c: w clamped), so does S·σo.
 */
function beginFloatAdd(): bool {
  if (s1 > 0 || s2 > 0 || so >= 0) return false;
  const sig1 = <f64>m1 * pow2(ls + s1 - 31);
  const sig2 = <f64>m2 * pow2(ls + s2 - 31);
  const sigO = <f64>mo * pow2(so - 31);
  const k1 = sig1 * sigO, k2 = sig2 * sigO;
  const e = 1 + 0.5 * (pow2(s1) + pow2(s2));
  const g = pow2(so - 1) + e * sigO + 255 * (k1 + k2) * pow2(-22) + 1.0 / 4096;
  // A band this wide certifies too few lanes to pay (and 0.5 none).
  if (!(g < 0.125)) return false;
  v128.store(ADD_K, i16x8.splat(<i16>off1), 128);
  v128.store(ADD_K, i16x8.splat(<i16>off2), 144);
  v128.store(ADD_K, f32x4.splat(<f32>k1), 160);
  v128.store(ADD_K, f32x4.splat(<f32>k2), 176);
  v128.store(ADD_K, f32x4.splat(<f32>g), 192);
  v128.store(ADD_K, f32x4.splat(<f32>-g), 208);
  beginRequant(outOff, lo, hi);
  return true;
}

/** 2^n as f64 from its exponent bits (|n| < 1000; Math.pow would add kilobytes to the module). */
@inline function pow2(n: i32): f64 {
  return reinterpret<f64>(<i64>(1023 + n) << 52);
}

/** w = a·k1 + b·k2 for four lanes of offset inputs (i32x4). */
@inline function weighted4(a: v128, b: v128, k1: v128, k2: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(a), k1), f32x4.mul(f32x4.convert_i32x4_s(b), k2));
}

/**
 * Four lanes of int8 inputs a, b widened to int32 and offset → the f32 value
 * whose rounding is their output (beginFloatAdd), clamped to the output range
 * less its zero point.
 */
@inline function addFloat4(a: v128, b: v128, k1: v128, k2: v128): v128 {
  return fqClamp(weighted4(a, b, k1, k2));
}

/**
 * Eight lanes of int16 inputs (not yet offset) → their eight outputs as int16,
 * clamped. One copy (a function, not inlined) serves both row kinds: its three
 * multiplies by quantized multipliers per lane are most of ADD's code.
 */
function add8(a: v128, b: v128): v128 {
  const vm1 = v128.load(ADD_K), vm2 = v128.load(ADD_K, 16), vmo = v128.load(ADD_K, 32), voff1 = v128.load(ADD_K, 48);
  const voff2 = v128.load(ADD_K, 64), voutOff = v128.load(ADD_K, 80), vlo = v128.load(ADD_K, 96), vhi = v128.load(ADD_K, 112);
  const q0 = add4(i32x4.extend_low_i16x8_s(a), i32x4.extend_low_i16x8_s(b), vm1, vm2, vmo, voff1, voff2, voutOff);
  const q1 = add4(i32x4.extend_high_i16x8_s(a), i32x4.extend_high_i16x8_s(b), vm1, vm2, vmo, voff1, voff2, voutOff);
  return i16x8.min_s(i16x8.max_s(i16x8.narrow_i32x4_s(q0, q1), vlo), vhi);
}

/** One row of n outputs at po (int8, or int16 when wide) from a at pa and b at pb (steps sa, sb: 1, or 0 to repeat one value). */
function row(pa: usize, sa: i32, pb: usize, sb: i32, po: usize, n: i32, wide: bool): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (wide) {
      for (; i + 8 <= n; i += 8) {
        const a = sa ? v128.load(pa + (<usize>i << 1)) : i16x8.splat(load<i16>(pa));
        const b = sb ? v128.load(pb + (<usize>i << 1)) : i16x8.splat(load<i16>(pb));
        v128.store(po + (<usize>i << 1), add8(a, b));
      }
    } else {
      for (; i + 16 <= n; i += 16) {
        const a = sa ? v128.load(pa + <usize>i) : i8x16.splat(load<i8>(pa));
        const b = sb ? v128.load(pb + <usize>i) : i8x16.splat(load<i8>(pb));
        const aLo = i16x8.extend_low_i8x16_s(a), bLo = i16x8.extend_low_i8x16_s(b);
        const aHi = i16x8.extend_high_i8x16_s(a), bHi = i16x8.extend_high_i8x16_s(b);
        if (useFloat) {
          // Sixteen lanes in f32, certified together (the mask in a register): c ± g round alike.
          const off1 = v128.load(ADD_K, 128), off2 = v128.load(ADD_K, 144), k1 = v128.load(ADD_K, 160), k2 = v128.load(ADD_K, 176);
          const g = v128.load(ADD_K, 192), ng = v128.load(ADD_K, 208);
          const x0 = i16x8.add(aLo, off1), y0 = i16x8.add(bLo, off2), x1 = i16x8.add(aHi, off1), y1 = i16x8.add(bHi, off2);
          const c0 = addFloat4(i32x4.extend_low_i16x8_s(x0), i32x4.extend_low_i16x8_s(y0), k1, k2);
          const c1 = addFloat4(i32x4.extend_high_i16x8_s(x0), i32x4.extend_high_i16x8_s(y0), k1, k2);
          const c2 = addFloat4(i32x4.extend_low_i16x8_s(x1), i32x4.extend_low_i16x8_s(y1), k1, k2);
          const c3 = addFloat4(i32x4.extend_high_i16x8_s(x1), i32x4.extend_high_i16x8_s(y1), k1, k2);
          const u0 = fqRound(c0, g, false), u1 = fqRound(c1, g, false), u2 = fqRound(c2, g, false), u3 = fqRound(c3, g, false);
          const okLo = fqAgree(c0, c1, u0, u1, ng, ng, false), okHi = fqAgree(c2, c3, u2, u3, ng, ng, false);
          let lo8 = fqOut(u0, u1), hi8 = fqOut(u2, u3);
          if (!allCertified(v128.and(okLo, okHi))) {
            // A half with a lane near a tie: that half exactly.
            if (!allCertified(okLo)) lo8 = add8(aLo, bLo);
            if (!allCertified(okHi)) hi8 = add8(aHi, bHi);
          }
          v128.store(po + <usize>i, i8x16.narrow_i16x8_s(lo8, hi8));
          continue;
        }
        v128.store(po + <usize>i, i8x16.narrow_i16x8_s(add8(aLo, bLo), add8(aHi, bHi)));
      }
    }
  }
  for (; i < n; i++) {
    if (wide) {
      store<i16>(po + (<usize>i << 1), <i16>add1(<i32>load<i16>(pa + (<usize>(i * sa) << 1)), <i32>load<i16>(pb + (<usize>(i * sb) << 1))));
    } else {
      store<i8>(po + <usize>i, <i8>add1(<i32>load<i8>(pa + <usize>(i * sa)), <i32>load<i8>(pb + <usize>(i * sb))));
    }
  }
}

export function evalAdd(op: usize): void {
  const a = opInput(op, 0);
  const b = opInput(op, 1);
  const y = opOutput(op, 0);
  off1 = opParam(op, ADD_INPUT_OFFSET1);
  off2 = opParam(op, ADD_INPUT_OFFSET2);
  outOff = opParam(op, ADD_OUTPUT_OFFSET);
  ls = opParam(op, ADD_LEFT_SHIFT);
  m1 = opParam(op, ADD_MULTIPLIER1);
  s1 = opParam(op, ADD_SHIFT1);
  m2 = opParam(op, ADD_MULTIPLIER2);
  s2 = opParam(op, ADD_SHIFT2);
  mo = opParam(op, ADD_OUTPUT_MULTIPLIER);
  so = opParam(op, ADD_OUTPUT_SHIFT);
  lo = opParam(op, ADD_ACT_MIN);
  hi = opParam(op, ADD_ACT_MAX);
  if (ASC_FEATURE_SIMD) {
    l1 = s1 > 0 ? s1 : 0;
    r1 = s1 > 0 ? 0 : -s1;
    l2 = s2 > 0 ? s2 : 0;
    r2 = s2 > 0 ? 0 : -s2;
    lO = so > 0 ? so : 0;
    rO = so > 0 ? 0 : -so;
    v128.store(ADD_K, i32x4.splat(m1));
    v128.store(ADD_K, i32x4.splat(m2), 16);
    v128.store(ADD_K, i32x4.splat(mo), 32);
    v128.store(ADD_K, i32x4.splat(off1), 48);
    v128.store(ADD_K, i32x4.splat(off2), 64);
    v128.store(ADD_K, i32x4.splat(outOff), 80);
    v128.store(ADD_K, i16x8.splat(<i16>lo), 96);
    v128.store(ADD_K, i16x8.splat(<i16>hi), 112);
  }
  planBroadcast(a, b, y);
  const wide = tensorDtype(y) == DT_INT16;
  if (ASC_FEATURE_SIMD) useFloat = !wide && beginFloatAdd();
  const esz: i32 = wide ? 2 : 1;
  const pa = tensorData(a);
  const pb = tensorData(b);
  let po = tensorData(y);
  for (let r = 0; r < rows; r++) {
    seekRow(r);
    const qa = pa + <usize>(rowOffset1 * esz);
    const qb = pb + <usize>(rowOffset2 * esz);
    row(qa, rowStep1, qb, rowStep2, po, rowLen, wide);
    po += <usize>(rowLen * esz);
  }
}
