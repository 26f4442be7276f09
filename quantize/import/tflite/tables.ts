// int8 HARD_SWISH and LEAKY_RELU as 256-entry LOOKUP tables that reproduce
// TFLite's reference integer kernels bit for bit: the Prepare-time multipliers
// (computed in float32 as TFLite does, then QuantizeMultiplier), and the
// kernels' fixed-point arithmetic run on every int8 input value.
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../src/reference/fixedpoint.js';
import type { Quant } from '../../pack/graph.js';

const f = Math.fround;
const I16_MIN = -32768;
const I16_MAX = 32767;
const sat16 = (v: number) => (v < I16_MIN ? I16_MIN : v > I16_MAX ? I16_MAX : v);

/** gemmlowp's SaturatingRoundingDoublingHighMul on int16. */
function srdhm16(a: number, b: number): number {
  if (a === I16_MIN && b === I16_MIN) return I16_MAX;
  const ab = a * b;
  const nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return Math.trunc((ab + nudge) / (1 << 15));
}

/** TFLite's SaturatingDoublingHighMul on int16 (rounds toward zero). */
function sdhm16(a: number, b: number): number {
  if (a === I16_MIN && b === I16_MIN) return I16_MAX;
  return Math.trunc((a * b) / (1 << 15));
}

/** gemmlowp's RoundingDivideByPOT (int16 values). */
function rdbpot(x: number, exponent: number): number {
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's DownScaleInt32ToInt16Multiplier. */
function downScale(m: number): number {
  if (m >= 2147483647 - (1 << 15)) return I16_MAX;
  return (m + (1 << 15)) >> 16;
}

/** TFLite's int8 HARD_SWISH (HardSwishPrepare + reference_ops::HardSwish) as a table indexed by x + 128. */
export function hardSwishInt8Table(input: Quant, output: Quant): Int8Array {
  const hires = f(f(1 / 128) * f(input.scale));
  const out = quantizeMultiplier(f(hires / f(output.scale)));
  const outM = downScale(out.multiplier);
  const relu = quantizeMultiplier(f(hires / f(3 / 32768)));
  const reluM = downScale(relu.multiplier);
  if (out.shift > 0) throw new RangeError(`HARD_SWISH: output multiplier exponent ${out.shift} > 0 (TFLite rejects this model)`);
  const table = new Int8Array(256);
  for (let v = -128; v <= 127; v++) {
    const x = v - input.zeroPoint;
    const hiresX = sat16(x * 128);
    const preshift = srdhm16(hiresX, outM);
    let r = hiresX;
    if (relu.shift > 0) r = sat16(r * 2 ** (relu.shift - 1));
    r = srdhm16(r, reluM);
    if (relu.shift > 0) r = sat16(r * 2);
    if (relu.shift < 0) r = rdbpot(r, -relu.shift);
    r = (r + (1 << 15)) >> 1;
    const pre = sdhm16(r, preshift);
    let o = rdbpot(pre, -out.shift) + output.zeroPoint;
    o = Math.max(-128, Math.min(127, o));
    table[v + 128] = o;
  }
  return table;
}

/** TFLite's int8 LEAKY_RELU (CalculateOpDataLeakyRelu + QuantizeLeakyRelu) as a table indexed by x + 128. */
export function leakyReluInt8Table(input: Quant, output: Quant, alpha: number): Int8Array {
  const a = quantizeMultiplier(f(f(f(input.scale) * f(alpha)) / f(output.scale)));
  const id = quantizeMultiplier(f(f(input.scale) / f(output.scale)));
  const table = new Int8Array(256);
  for (let v = -128; v <= 127; v++) {
    const x = v - input.zeroPoint;
    const m = x >= 0 ? id : a;
    const o = output.zeroPoint + multiplyByQuantizedMultiplier(x, m.multiplier, m.shift);
    table[v + 128] = Math.max(-128, Math.min(127, o));
  }
  return table;
}
