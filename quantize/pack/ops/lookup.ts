// LOOKUP at pack time: elementwise functions as tables.
//
// int8 (256 entries, table[x + 128]):
// - lutInt8: TFLite's LUTPopulate — dequantize each input value, apply the
//   float function, multiply by 1/output_scale, round half away from zero, add
//   the zero point, saturate — in float32 arithmetic, as TFLite does.
// - logisticInt8Table / tanhInt8Table: TFLite Micro's fixed-point LOGISTIC and
//   TANH (reference_integer_ops::Logistic / Tanh with the Prepare-time frexp
//   multiplier) run on all 256 inputs, so the table reproduces them bit for bit.
// int16 (513 entries, interpolated by the kernel as TFLite's lut_lookup):
// - lutInt16: TFLite's gen_lut / LUTPopulateInt16 over the input range
//   [scale * -32768, scale * 32767] (zero points 0), with its midpoint bias
//   correction, in float32 arithmetic.
import { DType } from '../../../src/format/dtypes.js';
import { fixedLogistic, fixedTanh, mbqm, rdbpot } from '../../../src/reference/ops/gemmlowp.js';
import { PackError, type GraphBuilder, type Quant, type TensorId } from '../graph.js';
import { roundF32 } from './fused_activation.js';

const f = Math.fround;

/** A float function of a real value. */
export type RealFunction = (x: number) => number;

/** float → int of an integral float32, saturated to [lo, hi] (NaN → lo). */
function saturate(v: number, lo: number, hi: number): number {
  return v >= hi ? hi : v >= lo ? v : lo;
}

/** TFLite's LUTPopulate for int8: the table indexed by x + 128. */
export function lutInt8(fn: RealFunction, input: Quant, output: Quant): Int8Array {
  const table = new Int8Array(256);
  const inScale = f(input.scale);
  const inverseScale = f(1 / f(output.scale));
  for (let v = -128; v <= 127; v++) {
    const dequantized = f(inScale * (v - input.zeroPoint));
    const transformed = f(fn(dequantized));
    const rescaled = roundF32(f(transformed * inverseScale));
    table[v + 128] = saturate(Math.trunc(f(rescaled + output.zeroPoint)), -128, 127);
  }
  return table;
}

/** Prepare-time input multiplier of TFLite Micro's int8 LOGISTIC/TANH: frexp of scale * 2^27. */
function q4Multiplier(inputScale: number): { multiplier: number; shift: number; radius: number } {
  const real = f(inputScale) * 2 ** 27;
  let shift = Math.floor(Math.log2(real)) + 1;
  if (real / 2 ** shift >= 1) shift++;
  if (real / 2 ** shift < 0.5) shift--;
  const multiplier = roundF32((real / 2 ** shift) * 2 ** 31) | 0;
  // CalculateInputRadius(4, shift, 31)
  const radius = Math.floor((15 * 2 ** 27) / 2 ** shift);
  return { multiplier, shift, radius };
}

/** TFLite Micro's int8 LOGISTIC (output scale 1/256, zero point -128) as a table. */
export function logisticInt8Table(input: Quant): Int8Array {
  const { multiplier, shift, radius } = q4Multiplier(input.scale);
  const table = new Int8Array(256);
  for (let v = -128; v <= 127; v++) {
    const x = v - input.zeroPoint;
    let out: number;
    if (x <= -radius) out = -128;
    else if (x >= radius) out = 127;
    else out = Math.min(Math.max(rdbpot(fixedLogistic(mbqm(x, multiplier, shift), 4), 23) - 128, -128), 127);
    table[v + 128] = out;
  }
  return table;
}

/** TFLite Micro's int8 TANH (output scale 1/128, zero point 0) as a table. */
export function tanhInt8Table(input: Quant): Int8Array {
  const { multiplier, shift, radius } = q4Multiplier(input.scale);
  const table = new Int8Array(256);
  for (let v = -128; v <= 127; v++) {
    const x = v - input.zeroPoint;
    let out: number;
    if (x <= -radius) out = -128;
    else if (x >= radius) out = 127;
    else out = Math.min(Math.max(rdbpot(fixedTanh(mbqm(x, multiplier, shift), 4), 24), -128), 127);
    table[v + 128] = out;
  }
  return table;
}

/**
 * TFLite's gen_lut<float, int16_t, int16_t>: 512 samples of fn over
 * [inputMin, inputMax] plus the end point, in units of
 * 65536 / (outputMax - outputMin), each sample biased by half the error of
 * linear interpolation at the segment's midpoint.
 */
export function genLutInt16(fn: RealFunction, inputMin: number, inputMax: number, outputMin: number, outputMax: number): Int16Array {
  const table = new Int16Array(513);
  const steps = 512;
  const lo = f(inputMin);
  const step = f(f(f(inputMax) - lo) / steps);
  const halfStep = f(step / 2);
  const scalingInv = f(65536 / f(f(outputMax) - f(outputMin)));
  const F = (x: number) => f(fn(x));
  for (let i = 0; i < steps; i++) {
    const x = f(lo + f(i * step));
    const val = F(x);
    const valMid = F(f(x + halfStep));
    const valNext = F(f(lo + f((i + 1) * step)));
    const sample = roundF32(f(val * scalingInv));
    const midInterp = roundF32(f(f(f(valNext * scalingInv) + sample) / 2));
    const midVal = roundF32(f(valMid * scalingInv));
    const bias = roundF32(f(f(midInterp - midVal) / 2));
    table[i] = saturate(f(sample - bias), -32768, 32767);
  }
  table[steps] = saturate(roundF32(f(F(f(inputMax)) * scalingInv)), -32768, 32767);
  return table;
}

/** TFLite's LUTPopulate for int16 (zero points 0): gen_lut over the types' full ranges. */
export function lutInt16(fn: RealFunction, input: Quant, output: Quant): Int16Array {
  const si = f(input.scale);
  const so = f(output.scale);
  return genLutInt16(fn, f(si * (-32768 - input.zeroPoint)), f(si * (32767 - input.zeroPoint)), f(so * (-32768 - output.zeroPoint)), f(so * (32767 - output.zeroPoint)));
}

// ---- functions -------------------------------------------------------------

/** erf to double precision: Taylor series near 0, continued fraction for erfc beyond. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= -x2 / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * sum * (2 / Math.sqrt(Math.PI));
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated backwards.
  let cf = ax;
  for (let k = 60; k >= 1; k--) cf = ax + k / 2 / cf;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / cf;
  return Math.sign(x) * (1 - erfc);
}

export const FUNCTIONS = {
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  exp: Math.exp,
  relu: (x: number) => Math.max(0, x),
  relu6: (x: number) => Math.min(Math.max(0, x), 6),
  hardSwish: (x: number) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
  hardSigmoid: (x: number) => Math.min(Math.max(x + 3, 0), 6) / 6,
  swish: (x: number) => x / (1 + Math.exp(-x)),
  gelu: (x: number) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)),
  geluTanh: (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
  elu: (x: number) => (x < 0 ? Math.expm1(x) : x),
  softplus: (x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0),
} as const satisfies Record<string, RealFunction>;

export const leakyRelu = (alpha: number): RealFunction => (x) => (x < 0 ? alpha * x : x);

// ---- the op ------------------------------------------------------------------

/** LOOKUP with a prepared table (256 int8 or 513 int16 entries). */
export function lookup(g: GraphBuilder, x: TensorId, table: Int8Array | Int16Array, output: Quant, name?: string): TensorId {
  const t = g.tensor(x);
  const want = t.dtype === DType.INT8 ? 256 : 513;
  if ((t.dtype === DType.INT8) !== table instanceof Int8Array || table.length !== want)
    throw new PackError('E_SHAPE', `LOOKUP: a ${t.dtype === DType.INT8 ? 'int8' : 'int16'} input needs a table of ${want} entries of its type`);
  const label = name ?? `${t.name}_lut`;
  const tab = g.constant(`${label}_table`, t.dtype, [want], table);
  const y = g.activation(label, t.dtype, t.shape, { scale: output.scale, zeroPoint: output.zeroPoint });
  g.addOp('LOOKUP', [x, tab], [y], {}, { label: name });
  return y;
}

/** LOOKUP of a float function: int8 via LUTPopulate, int16 via gen_lut. */
export function lookupFunction(g: GraphBuilder, x: TensorId, fn: RealFunction, output: Quant, name?: string): TensorId {
  const t = g.tensor(x);
  const table = t.dtype === DType.INT8 ? lutInt8(fn, t, output) : lutInt16(fn, t, output);
  return lookup(g, x, table, output, name);
}
