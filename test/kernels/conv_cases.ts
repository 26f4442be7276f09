// Random CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED graphs for the kernel
// tester: channel counts at the vector-tile edges, odd sizes, strides,
// dilations, padding, filter offsets, absent bias, extreme requantization.
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { conv2dMinScratchBytes, conv2dScratchBytes } from '../../quantize/pack/ops/conv_2d.js';
import { EDGE_CHANNELS, type Rng } from './tester.js';

export interface ConvCase {
  n?: number; h?: number; w?: number; ic?: number; oc?: number; kh?: number; kw?: number;
  stride?: number; dilation?: number; pad?: number; mult?: number;
  filterOffset?: number; bias?: boolean;
  /** The input's zero point (default random). -128, a ReLU's, makes the input offset 128. */
  inputZeroPoint?: number;
  /**
   * CONV_2D's scratch tensor: as the packer sizes it (true: padded int16 input
   * rows where the implicit GEMM can read them, else packed rows), padded input
   * rows for bands of `bandRows` output rows, none (false), the
   * least the loader accepts ('gemm': 4 rows, what older files have), or room
   * for the lanes GEMM with blocks of `rows` rows and every group's weights
   * (all) or one group's (with more than 8 channels and under 12 rows the
   * kernel then repacks per block).
   * Default: the packer's size 70% of the time, 'gemm' 10%, none 20%.
   */
  scratch?: boolean | 'gemm' | { rows: number; all: boolean } | { bandRows: number };
  /** One shift for every channel (per-tensor quantization), still per-channel multipliers. */
  uniformShift?: boolean;
  /** The filter's values (default: uniform over int8). */
  weights?: (rng: Rng, n: number) => Int8Array;
  /** Each output channel's multiplier and shift (default: mostly unsaturating, sometimes extreme). */
  requant?: (rng: Rng, oc: number) => { m: Int32Array; s: Int32Array };
}

/**
 * Requantization that lands on and near half-integers, where single rounding
 * differs from TFLite's double rounding: small right shifts (2-4, and 0-1
 * sometimes), multipliers at 2^30 (exact ties), just above it, and random.
 * Pair with small weights so that outputs stay mostly inside the int8 range.
 */
export function nearTieRequant(rng: Rng, oc: number) {
  const m = Int32Array.from({ length: oc }, () => rng.pick([0x40000000, 0x40000001, 0x40000000 + rng.int(1, 64), 0x7fffffff, rng.int(0x40000000, 0x7fffffff)]));
  const s = Int32Array.from({ length: oc }, () => (rng.next() < 0.15 ? rng.int(-1, 0) : rng.int(-4, -2)));
  return { m, s };
}

/** Filter values in [-2, 2]: small accumulators, unsaturated outputs even with small shifts. */
export const smallWeights = (rng: Rng, n: number) => Int8Array.from({ length: n }, () => rng.int(-2, 2));

/** Multipliers and shifts: mostly in a range that keeps outputs unsaturated, sometimes extreme. */
function requant(rng: Rng, oc: number, depth: number) {
  const base = -Math.round(Math.log2(Math.sqrt(depth) * 128 * 128 / 64));
  const m = Int32Array.from({ length: oc }, () => (rng.next() < 0.05 ? 0 : rng.int(0x40000000, 0x7fffffff)));
  const s = Int32Array.from({ length: oc }, () => (rng.next() < 0.1 ? rng.int(-31, 4) : base + rng.int(-2, 2)));
  return { m, s };
}

/**
 * The fused activation's clamp for output zero point zp: none, ReLU (from zp
 * up: requantized values never below 0, which the kernels' f32 path treats
 * apart), ReLU6-like, or any interval.
 */
function clamp(rng: Rng, zp: number) {
  const u = rng.next();
  if (u < 0.45) return { actMin: -128, actMax: 127 };
  if (u < 0.7) return { actMin: zp, actMax: 127 };
  if (u < 0.8) return { actMin: zp, actMax: rng.int(zp, 127) };
  const a = rng.int(-128, 127), b = rng.int(-128, 127);
  return { actMin: Math.min(a, b), actMax: Math.max(a, b) };
}

/** Scratch for padded input rows in bands of `rows` output rows (with the filter copy odd runs need). */
function bandScratch(fshape: number[], oc: number, rows: number, reach: number, stride: number, rowStride: number): number {
  const [, kh, kw, ic] = fshape as [number, number, number, number];
  const odd = (kw * ic) % 2;
  const kk = kh * (kw * ic + odd);
  return Math.max(conv2dMinScratchBytes(fshape), 16 * 8 * Math.ceil(kk / 8) + 32 + (odd ? 16 * Math.ceil((oc * kk) / 16) : 0) + ((rows - 1) * stride + reach) * rowStride + 16);
}

export function convGraph(rng: Rng, kind: 'CONV_2D' | 'DEPTHWISE_CONV_2D', c: ConvCase = {}): GraphBuilder {
  const g = new GraphBuilder();
  const n = c.n ?? rng.int(1, 2);
  const ic = c.ic ?? rng.pick(EDGE_CHANNELS);
  const mult = kind === 'DEPTHWISE_CONV_2D' ? (c.mult ?? (rng.next() < 0.8 ? 1 : rng.int(2, 3))) : 1;
  const oc = kind === 'CONV_2D' ? (c.oc ?? rng.pick(EDGE_CHANNELS)) : ic * mult;
  const kh = c.kh ?? rng.pick([1, 2, 3, 3, 5]);
  const kw = c.kw ?? rng.pick([1, 2, 3, 3, 5]);
  const sh = c.stride ?? rng.pick([1, 1, 2, 3]);
  const sw = c.stride ?? rng.pick([1, 1, 2]);
  const dh = c.dilation ?? (rng.next() < 0.8 ? 1 : 2);
  const dw = c.dilation ?? (rng.next() < 0.8 ? 1 : 2);
  const effH = (kh - 1) * dh + 1, effW = (kw - 1) * dw + 1;
  const pt = c.pad ?? rng.int(0, Math.min(2, effH - 1));
  const pl = c.pad ?? rng.int(0, Math.min(2, effW - 1));
  const pb = c.pad ?? rng.int(0, Math.min(2, effH - 1));
  const pr = c.pad ?? rng.int(0, Math.min(2, effW - 1));
  const h = c.h ?? rng.int(Math.max(1, effH - pt - pb), 11);
  const w = c.w ?? rng.int(Math.max(1, effW - pl - pr), 11);
  const oh = Math.floor((h + pt + pb - effH) / sh) + 1;
  const ow = Math.floor((w + pl + pr - effW) / sw) + 1;
  const x = g.input('x', DType.INT8, [n, h, w, ic], { scale: 0.05, zeroPoint: c.inputZeroPoint ?? rng.int(-128, 127) });
  const fshape = kind === 'CONV_2D' ? [oc, kh, kw, ic] : [1, kh, kw, oc];
  const filterOffset = c.filterOffset ?? (rng.next() < 0.75 ? 0 : rng.int(-255, 255));
  const wn = fshape.reduce((a, b) => a * b, 1);
  const wt = g.constant('w', DType.INT8, fshape, c.weights ? c.weights(rng, wn) : rng.int8Array(wn));
  const withBias = c.bias ?? rng.next() < 0.85;
  const b = withBias ? g.constant('b', DType.INT32, [oc], rng.int32Array(oc, -100000, 100000)) : undefined;
  const { m, s } = c.requant ? c.requant(rng, oc) : requant(rng, oc, kind === 'CONV_2D' ? kh * kw * ic : kh * kw);
  if (c.uniformShift) s.fill(s[0]!);
  const mt = g.constant('m', DType.INT32, [oc], m);
  const st = g.constant('s', DType.INT32, [oc], s);
  const y = g.activation('y', DType.INT8, [n, oh, ow, oc], { scale: 0.1, zeroPoint: 0 });
  const outputOffset = rng.int(-128, 127);
  const common = {
    strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop: pt, padLeft: pl,
    inputOffset: -g.tensor(x).zeroPoint, filterOffset, outputOffset, ...clamp(rng, outputOffset),
  };
  if (kind === 'CONV_2D') {
    const u = rng.next();
    const scratch = c.scratch ?? (u < 0.7 ? true : u < 0.8 ? 'gemm' : false);
    const kp = 8 * Math.ceil((kh * kw * ic) / 8);
    const bytes = scratch === false ? 0
      : scratch === 'gemm' ? conv2dMinScratchBytes(fshape)
      : typeof scratch === 'object' && 'rows' in scratch ? Math.max(conv2dMinScratchBytes(fshape), (16 * kp + 32) * (scratch.all ? Math.ceil(oc / 8) : 1) + 2 * kp * scratch.rows)
      : typeof scratch === 'object' && 'bandRows' in scratch
        ? bandScratch(fshape, oc, scratch.bandRows, (kh - 1) * dh + 1, sh, ((ow - 1) * sw + kw) * ic * 2)
        : conv2dScratchBytes({ filter: fshape, input: [n, h, w, ic], output: [n, oh, ow, oc], stride: [sh, sw], dilation: [dh, dw], filterOffset });
    const temps = bytes ? [g.scratch('scratch', bytes)] : [];
    g.addOp('CONV_2D', [x, wt, b, mt, st], [y], common, { temps });
  } else {
    g.addOp('DEPTHWISE_CONV_2D', [x, wt, b, mt, st], [y], { ...common, depthMultiplier: mult });
  }
  g.output(y);
  return g;
}

export interface FcCase {
  rows?: number; k?: number; oc?: number; int16?: boolean; filterOffset?: number; bias?: boolean;
  /** The input's zero point (int8; default random). -128, a ReLU's, makes the input offset 128. */
  inputZeroPoint?: number;
  /** The filter's values (default: uniform over int8). */
  weights?: (rng: Rng, n: number) => Int8Array;
  /** Each output channel's multiplier and shift. */
  requant?: (rng: Rng, oc: number) => { m: Int32Array; s: Int32Array };
}

export function fcGraph(rng: Rng, c: FcCase = {}): GraphBuilder {
  const g = new GraphBuilder();
  const is16 = c.int16 ?? false;
  const rows = c.rows ?? rng.pick([1, 1, 2, 3, 4, 5, 8, 9]);
  const k = c.k ?? rng.pick([1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100]);
  const oc = c.oc ?? rng.pick(EDGE_CHANNELS);
  const dt = is16 ? DType.INT16 : DType.INT8;
  const x = g.input('x', dt, rows === 1 && rng.next() < 0.5 ? [k] : [rows, k], { scale: 0.05, zeroPoint: is16 ? 0 : c.inputZeroPoint ?? rng.int(-128, 127) });
  const wt = g.constant('w', DType.INT8, [oc, k], c.weights ? c.weights(rng, oc * k) : rng.int8Array(oc * k));
  const withBias = c.bias ?? rng.next() < 0.85;
  const b = !withBias ? undefined : is16
    ? g.constant('b', DType.INT64, [oc], BigInt64Array.from({ length: oc }, () => BigInt(rng.int(-2e9, 2e9)) * BigInt(rng.int(1, 1000))))
    : g.constant('b', DType.INT32, [oc], rng.int32Array(oc, -100000, 100000));
  const base = -Math.round(Math.log2(Math.sqrt(k) * (is16 ? 32768 : 128) * 128 / (is16 ? 16384 : 64)));
  const { m, s } = c.requant ? c.requant(rng, oc) : {
    m: Int32Array.from({ length: oc }, () => (rng.next() < 0.05 ? 0 : rng.int(0x40000000, 0x7fffffff))),
    s: Int32Array.from({ length: oc }, () => (rng.next() < 0.1 ? rng.int(-31, is16 ? 7 : 4) : base + rng.int(-2, 2))),
  };
  const mt = g.constant('m', DType.INT32, [oc], m);
  const st = g.constant('s', DType.INT32, [oc], s);
  const y = g.activation('y', dt, [rows, oc], { scale: 0.1, zeroPoint: 0 });
  const outputOffset = is16 ? 0 : rng.int(-128, 127);
  let actMin = is16 ? -32768 : -128, actMax = is16 ? 32767 : 127;
  if (is16) {
    if (rng.next() < 0.3) {
      const a = rng.int(actMin, actMax), bb = rng.int(actMin, actMax);
      actMin = Math.min(a, bb);
      actMax = Math.max(a, bb);
    }
  } else {
    ({ actMin, actMax } = clamp(rng, outputOffset));
  }
  g.addOp('FULLY_CONNECTED', [x, wt, b, mt, st], [y], {
    inputOffset: is16 ? 0 : -g.tensor(x).zeroPoint,
    filterOffset: c.filterOffset ?? (rng.next() < 0.75 ? 0 : rng.int(-255, 255)),
    outputOffset,
    actMin, actMax,
  });
  g.output(y);
  return g;
}
