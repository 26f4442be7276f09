// Every differentiable op, its forward and its gradient rule side by side. This
// is the only file that knows derivatives: layers, losses and regularizers are
// compositions of these ops. test/train/gradcheck.test.ts checks each rule
// against finite differences.
import { fail } from './errors.js';
import { kernels, type Window } from './kernels/index.js';
import type { BiasActivation } from './kernels/types.js';
import { isRecording, sizeOf, Tensor, type Shape } from './tensor.js';

type Grads = (Float32Array | null)[];

/** Attaches a gradient rule to `out` when recording and some input needs gradients. */
function record(out: Tensor, op: string, inputs: Tensor[], backward: (g: Float32Array) => Grads): Tensor {
  if (isRecording() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, backward };
  }
  return out;
}

const fmt = (s: Shape) => `[${s.join(', ')}]`;

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    fail('E_SHAPE', `${op}: shapes ${fmt(a.shape)} and ${fmt(b.shape)} differ; both inputs need the same shape`);
}

function lastDim(x: Tensor): number {
  return x.shape[x.shape.length - 1] ?? 1;
}

// ------------------------------------------------------------ elementwise, one input
// Each entry: forward y = f(x) and backward dx = g * f'(x) (given x and y), as
// loops, because these run over every activation of every batch.
type P = { a: number; b: number };
interface Unary {
  forward(x: Float32Array, y: Float32Array, p: P): void;
  backward(x: Float32Array, y: Float32Array, g: Float32Array, dx: Float32Array, p: P): void;
}

const GELU_C = Math.sqrt(2 / Math.PI);

export const UNARY = {
  relu: {
    forward(x, y) { for (let i = 0; i < x.length; i++) { const v = x[i]!; y[i] = v > 0 ? v : 0; } },
    backward(x, _y, g, dx) { for (let i = 0; i < x.length; i++) dx[i] = x[i]! > 0 ? g[i]! : 0; },
  },
  relu6: {
    forward(x, y) { for (let i = 0; i < x.length; i++) { const v = x[i]!; y[i] = v > 0 ? (v < 6 ? v : 6) : 0; } },
    backward(x, _y, g, dx) { for (let i = 0; i < x.length; i++) { const v = x[i]!; dx[i] = v > 0 && v < 6 ? g[i]! : 0; } },
  },
  leakyRelu: { // a = slope for x < 0
    forward(x, y, p) { for (let i = 0; i < x.length; i++) { const v = x[i]!; y[i] = v > 0 ? v : p.a * v; } },
    backward(x, _y, g, dx, p) { for (let i = 0; i < x.length; i++) dx[i] = x[i]! > 0 ? g[i]! : p.a * g[i]!; },
  },
  elu: { // a = alpha; for x < 0, y = a(e^x - 1) so y' = y + a
    forward(x, y, p) { for (let i = 0; i < x.length; i++) { const v = x[i]!; y[i] = v > 0 ? v : p.a * Math.expm1(v); } },
    backward(x, y, g, dx, p) { for (let i = 0; i < x.length; i++) dx[i] = x[i]! > 0 ? g[i]! : g[i]! * (y[i]! + p.a); },
  },
  sigmoid: {
    forward(x, y) { for (let i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]!)); },
    backward(_x, y, g, dx) { for (let i = 0; i < y.length; i++) { const s = y[i]!; dx[i] = g[i]! * s * (1 - s); } },
  },
  tanh: {
    forward(x, y) { for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]!); },
    backward(_x, y, g, dx) { for (let i = 0; i < y.length; i++) { const t = y[i]!; dx[i] = g[i]! * (1 - t * t); } },
  },
  gelu: { // tanh approximation: 0.5 x (1 + tanh(c (x + 0.044715 x^3)))
    forward(x, y) {
      for (let i = 0; i < x.length; i++) { const v = x[i]!; y[i] = 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v))); }
    },
    backward(x, _y, g, dx) {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const t = Math.tanh(GELU_C * (v + 0.044715 * v * v * v));
        dx[i] = g[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * v * v));
      }
    },
  },
  hardSwish: { // x * relu6(x + 3) / 6
    forward(x, y) { for (let i = 0; i < x.length; i++) { const v = x[i]!; y[i] = v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6; } },
    backward(x, _y, g, dx) {
      for (let i = 0; i < x.length; i++) { const v = x[i]!; dx[i] = v <= -3 ? 0 : v >= 3 ? g[i]! : (g[i]! * (2 * v + 3)) / 6; }
    },
  },
  softplus: { // log(1 + e^x), computed without overflow
    forward(x, y) { for (let i = 0; i < x.length; i++) { const v = x[i]!; y[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); } },
    backward(x, _y, g, dx) { for (let i = 0; i < x.length; i++) dx[i] = g[i]! / (1 + Math.exp(-x[i]!)); },
  },
  square: {
    forward(x, y) { for (let i = 0; i < x.length; i++) y[i] = x[i]! * x[i]!; },
    backward(x, _y, g, dx) { for (let i = 0; i < x.length; i++) dx[i] = 2 * x[i]! * g[i]!; },
  },
  abs: {
    forward(x, y) { for (let i = 0; i < x.length; i++) y[i] = Math.abs(x[i]!); },
    backward(x, _y, g, dx) { for (let i = 0; i < x.length; i++) dx[i] = Math.sign(x[i]!) * g[i]!; },
  },
  exp: {
    forward(x, y) { for (let i = 0; i < x.length; i++) y[i] = Math.exp(x[i]!); },
    backward(_x, y, g, dx) { for (let i = 0; i < y.length; i++) dx[i] = y[i]! * g[i]!; },
  },
  log: {
    forward(x, y) { for (let i = 0; i < x.length; i++) y[i] = Math.log(x[i]!); },
    backward(x, _y, g, dx) { for (let i = 0; i < x.length; i++) dx[i] = g[i]! / x[i]!; },
  },
  rsqrt: {
    forward(x, y) { for (let i = 0; i < x.length; i++) y[i] = 1 / Math.sqrt(x[i]!); },
    backward(_x, y, g, dx) { for (let i = 0; i < y.length; i++) { const r = y[i]!; dx[i] = -0.5 * r * r * r * g[i]!; } },
  },
  huber: { // a = delta: quadratic inside [-a, a], linear outside
    forward(x, y, p) {
      for (let i = 0; i < x.length; i++) { const v = Math.abs(x[i]!); y[i] = v <= p.a ? 0.5 * v * v : p.a * (v - 0.5 * p.a); }
    },
    backward(x, _y, g, dx, p) {
      for (let i = 0; i < x.length; i++) { const v = x[i]!; dx[i] = g[i]! * (Math.abs(v) <= p.a ? v : p.a * Math.sign(v)); }
    },
  },
  clip: { // to [a, b]; the gradient passes only strictly inside
    forward(x, y, p) { for (let i = 0; i < x.length; i++) y[i] = Math.min(Math.max(x[i]!, p.a), p.b); },
    backward(x, _y, g, dx, p) { for (let i = 0; i < x.length; i++) { const v = x[i]!; dx[i] = v > p.a && v < p.b ? g[i]! : 0; } },
  },
  affine: { // a x + b
    forward(x, y, p) { for (let i = 0; i < x.length; i++) y[i] = p.a * x[i]! + p.b; },
    backward(_x, _y, g, dx, p) { for (let i = 0; i < g.length; i++) dx[i] = p.a * g[i]!; },
  },
} satisfies Record<string, Unary>;

export type UnaryName = keyof typeof UNARY;

export function unary(name: UnaryName, x: Tensor, a = 0, b = 0): Tensor {
  const rule: Unary = UNARY[name];
  const p = { a, b };
  const y = new Float32Array(x.size);
  rule.forward(x.data, y, p);
  const out = new Tensor(y, x.shape);
  return record(out, name, [x], (g) => {
    const dx = new Float32Array(x.size);
    rule.backward(x.data, y, g, dx, p);
    return [dx];
  });
}

export const relu = (x: Tensor) => unary('relu', x);
export const relu6 = (x: Tensor) => unary('relu6', x);
export const leakyRelu = (x: Tensor, alpha = 0.3) => unary('leakyRelu', x, alpha);
export const elu = (x: Tensor, alpha = 1) => unary('elu', x, alpha);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const gelu = (x: Tensor) => unary('gelu', x);
export const hardSwish = (x: Tensor) => unary('hardSwish', x);
export const softplus = (x: Tensor) => unary('softplus', x);
export const square = (x: Tensor) => unary('square', x);
export const abs = (x: Tensor) => unary('abs', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const rsqrt = (x: Tensor) => unary('rsqrt', x);
export const huber = (x: Tensor, delta = 1) => unary('huber', x, delta);
export const clip = (x: Tensor, lo: number, hi: number) => unary('clip', x, lo, hi);
export const affine = (x: Tensor, scale: number, shift = 0) => unary('affine', x, scale, shift);
export const scale = (x: Tensor, k: number) => unary('affine', x, k, 0);

// ------------------------------------------------------------ elementwise, two inputs

export function add(a: Tensor, b: Tensor): Tensor {
  sameShape('add', a, b);
  const y = new Float32Array(a.size);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i]! + b.data[i]!;
  return record(new Tensor(y, a.shape), 'add', [a, b], (g) => [g, g]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  sameShape('sub', a, b);
  const y = new Float32Array(a.size);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i]! - b.data[i]!;
  return record(new Tensor(y, a.shape), 'sub', [a, b], (g) => [g, g.map((v) => -v)]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  sameShape('mul', a, b);
  const y = new Float32Array(a.size);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i]! * b.data[i]!;
  return record(new Tensor(y, a.shape), 'mul', [a, b], (g) => [
    a.requiresGrad ? g.map((v, i) => v * b.data[i]!) : null,
    b.requiresGrad ? g.map((v, i) => v * a.data[i]!) : null,
  ]);
}

// ------------------------------------------------------------ per-channel (last axis) broadcasting

/** x[..., C] + b[C] */
export function addChannel(x: Tensor, b: Tensor): Tensor {
  const C = lastDim(x);
  if (b.size !== C) fail('E_SHAPE', `addChannel: ${fmt(b.shape)} does not match the last axis of ${fmt(x.shape)}`);
  const y = new Float32Array(x.size);
  const xd = x.data, bd = b.data;
  for (let i = 0, c = 0; i < y.length; i++) {
    y[i] = xd[i]! + bd[c]!;
    if (++c === C) c = 0;
  }
  return record(new Tensor(y, x.shape), 'addChannel', [x, b], (g) => [g, b.requiresGrad ? channelSums(g, C) : null]);
}

/**
 * act(x[..., C] + b[C]) for act linear, relu or relu6: the fused epilogue of
 * Dense and convolution layers (one kernel call instead of three JS passes).
 * Equals addChannel followed by the activation.
 */
export function biasAct(x: Tensor, b: Tensor, act: BiasActivation): Tensor {
  const C = lastDim(x);
  if (b.size !== C) fail('E_SHAPE', `biasAct: ${fmt(b.shape)} does not match the last axis of ${fmt(x.shape)}`);
  const k = kernels();
  const y = new Float32Array(x.size);
  k.biasAct(x.data, b.data, act, y);
  return record(new Tensor(y, x.shape), 'biasAct', [x, b], (g) => {
    const dx = new Float32Array(x.size);
    const db = new Float32Array(C);
    k.biasActBack(y, g, act, dx, db);
    return [dx, db];
  });
}

/** x[..., C] * s[C] */
export function mulChannel(x: Tensor, s: Tensor): Tensor {
  const C = lastDim(x);
  if (s.size !== C) fail('E_SHAPE', `mulChannel: ${fmt(s.shape)} does not match the last axis of ${fmt(x.shape)}`);
  const y = new Float32Array(x.size);
  const xd = x.data, sd = s.data;
  for (let i = 0; i < y.length; i += C) for (let c = 0; c < C; c++) y[i + c] = xd[i + c]! * sd[c]!;
  return record(new Tensor(y, x.shape), 'mulChannel', [x, s], (g) => {
    let dx: Float32Array | null = null;
    if (x.requiresGrad) {
      dx = new Float32Array(g.length);
      for (let i = 0; i < g.length; i += C) for (let c = 0; c < C; c++) dx[i + c] = g[i + c]! * sd[c]!;
    }
    let ds: Float32Array | null = null;
    if (s.requiresGrad) {
      ds = new Float32Array(C);
      for (let i = 0; i < g.length; i += C) for (let c = 0; c < C; c++) ds[c] += g[i + c]! * xd[i + c]!;
    }
    return [dx, ds];
  });
}

function channelSums(g: Float32Array, C: number): Float32Array {
  const s = new Float32Array(C);
  for (let i = 0, c = 0; i < g.length; i++) {
    s[c] += g[i]!;
    if (++c === C) c = 0;
  }
  return s;
}

/** Sum over every axis but the last: [..., C] -> [C]. */
export function sumChannel(x: Tensor): Tensor {
  const C = lastDim(x);
  return record(new Tensor(channelSums(x.data, C), [C]), 'sumChannel', [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let i = 0; i < dx.length; i += C) dx.set(g, i);
    return [dx];
  });
}

// ------------------------------------------------------------ reductions

export function sum(x: Tensor): Tensor {
  let s = 0;
  for (let i = 0; i < x.size; i++) s += x.data[i]!;
  return record(Tensor.scalar(s), 'sum', [x], (g) => [new Float32Array(x.size).fill(g[0]!)]);
}

export function mean(x: Tensor): Tensor {
  return scale(sum(x), 1 / Math.max(1, x.size));
}

// ------------------------------------------------------------ shape

export function reshape(x: Tensor, shape: Shape): Tensor {
  if (sizeOf(shape) !== x.size) fail('E_SHAPE', `reshape: cannot view ${fmt(x.shape)} (${x.size} values) as ${fmt(shape)}`);
  return record(new Tensor(x.data, shape), 'reshape', [x], (g) => [g]);
}

/** Concatenates along the last axis; all other axes must match. */
export function concat(xs: Tensor[]): Tensor {
  const first = xs[0]!;
  const outer = first.size / lastDim(first);
  const widths = xs.map((t) => {
    if (t.size / lastDim(t) !== outer || t.shape.length !== first.shape.length)
      fail('E_SHAPE', `concat: ${fmt(t.shape)} does not match ${fmt(first.shape)} except in the last axis`);
    return lastDim(t);
  });
  const W = widths.reduce((a, b) => a + b, 0);
  const y = new Float32Array(outer * W);
  let off = 0;
  xs.forEach((t, k) => {
    const w = widths[k]!;
    for (let r = 0; r < outer; r++) y.set(t.data.subarray(r * w, r * w + w), r * W + off);
    off += w;
  });
  const shape = [...first.shape.slice(0, -1), W];
  return record(new Tensor(y, shape), 'concat', xs, (g) => {
    let o = 0;
    return xs.map((t, k) => {
      const w = widths[k]!;
      const dx = new Float32Array(t.size);
      for (let r = 0; r < outer; r++) dx.set(g.subarray(r * W + o, r * W + o + w), r * w);
      o += w;
      return dx;
    });
  });
}

/** Zero padding of NHWC images. */
export function pad2d(x: Tensor, top: number, bottom: number, left: number, right: number): Tensor {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const H = h + top + bottom, W = w + left + right;
  const y = new Float32Array(n * H * W * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++) {
      const src = ((b * h + i) * w) * c;
      y.set(x.data.subarray(src, src + w * c), ((b * H + i + top) * W + left) * c);
    }
  return record(new Tensor(y, [n, H, W, c]), 'pad2d', [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let b = 0; b < n; b++)
      for (let i = 0; i < h; i++) {
        const dst = ((b * h + i) * w) * c;
        const src = ((b * H + i + top) * W + left) * c;
        dx.set(g.subarray(src, src + w * c), dst);
      }
    return [dx];
  });
}

// ------------------------------------------------------------ softmax and friends (last axis)

export function softmax(x: Tensor): Tensor {
  const C = lastDim(x);
  const y = new Float32Array(x.size);
  for (let i = 0; i < y.length; i += C) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x.data[i + c]!);
    let s = 0;
    for (let c = 0; c < C; c++) s += y[i + c] = Math.exp(x.data[i + c]! - m);
    for (let c = 0; c < C; c++) y[i + c] = y[i + c]! / s;
  }
  return record(new Tensor(y, x.shape), 'softmax', [x], (g) => {
    // dx = y * (g - sum(g * y))
    const dx = new Float32Array(x.size);
    for (let i = 0; i < y.length; i += C) {
      let d = 0;
      for (let c = 0; c < C; c++) d += g[i + c]! * y[i + c]!;
      for (let c = 0; c < C; c++) dx[i + c] = y[i + c]! * (g[i + c]! - d);
    }
    return [dx];
  });
}

export function logSoftmax(x: Tensor): Tensor {
  const C = lastDim(x);
  const y = new Float32Array(x.size);
  for (let i = 0; i < y.length; i += C) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x.data[i + c]!);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x.data[i + c]! - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < C; c++) y[i + c] = x.data[i + c]! - lse;
  }
  return record(new Tensor(y, x.shape), 'logSoftmax', [x], (g) => {
    // dx = g - softmax(x) * sum(g)
    const dx = new Float32Array(x.size);
    for (let i = 0; i < y.length; i += C) {
      let s = 0;
      for (let c = 0; c < C; c++) s += g[i + c]!;
      for (let c = 0; c < C; c++) dx[i + c] = g[i + c]! - Math.exp(y[i + c]!) * s;
    }
    return [dx];
  });
}

/** x[N, C] -> [N], element labels[n] of each row. */
export function pick(x: Tensor, labels: ArrayLike<number>): Tensor {
  const C = lastDim(x);
  const N = x.size / C;
  if (labels.length !== N) fail('E_SHAPE', `pick: ${labels.length} labels for ${N} rows`);
  const y = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    const l = labels[n]!;
    if (!(l >= 0 && l < C && Number.isInteger(l))) fail('E_DATA', `label ${l} at row ${n} is not a class index in 0..${C - 1}`);
    y[n] = x.data[n * C + l]!;
  }
  return record(new Tensor(y, [N]), 'pick', [x], (g) => {
    const dx = new Float32Array(x.size);
    for (let n = 0; n < N; n++) dx[n * C + labels[n]!] = g[n]!;
    return [dx];
  });
}

// ------------------------------------------------------------ matrix multiply and windows (kernels)

/** a[M,K] @ b[K,N] */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const [M, K] = a.shape as [number, number];
  const [K2, N] = b.shape as [number, number];
  if (a.shape.length !== 2 || b.shape.length !== 2 || K !== K2)
    fail('E_SHAPE', `matmul: cannot multiply ${fmt(a.shape)} by ${fmt(b.shape)}`);
  const k = kernels();
  const y = new Float32Array(M * N);
  k.gemm(M, N, K, a.data, false, b.data, false, y, false);
  return record(new Tensor(y, [M, N]), 'matmul', [a, b], (g) => {
    let da: Float32Array | null = null, db: Float32Array | null = null;
    if (a.requiresGrad) k.gemm(M, K, N, g, false, b.data, true, (da = new Float32Array(M * K)), false); // g b^T
    if (b.requiresGrad) k.gemm(K, N, M, a.data, true, g, false, (db = new Float32Array(K * N)), false); // a^T g
    return [da, db];
  });
}

export type Padding = 'same' | 'valid';

/** Window geometry with TensorFlow's padding rule ('same': out = ceil(in / stride)). */
export function windowOf(
  shape: Shape, kh: number, kw: number, sh: number, sw: number, padding: Padding,
): Window {
  const [n, h, w, c] = shape as [number, number, number, number];
  if (shape.length !== 4) fail('E_SHAPE', `expected NHWC input [batch, height, width, channels], got ${fmt(shape)}`);
  let oh: number, ow: number, padTop = 0, padLeft = 0;
  if (padding === 'same') {
    oh = Math.ceil(h / sh);
    ow = Math.ceil(w / sw);
    padTop = Math.floor(Math.max((oh - 1) * sh + kh - h, 0) / 2);
    padLeft = Math.floor(Math.max((ow - 1) * sw + kw - w, 0) / 2);
  } else {
    oh = Math.floor((h - kh) / sh) + 1;
    ow = Math.floor((w - kw) / sw) + 1;
  }
  if (!(oh > 0 && ow > 0)) fail('E_SHAPE', `a ${kh}x${kw} window with 'valid' padding does not fit a ${h}x${w} input`);
  return { n, h, w, c, kh, kw, sh, sw, padTop, padLeft, oh, ow };
}

/** x[n,h,w,ci] conv w[kh,kw,ci,co] -> [n,oh,ow,co] (no bias). */
export function conv2d(x: Tensor, w: Tensor, strides: [number, number], padding: Padding): Tensor {
  const [kh, kw, ci, co] = w.shape as [number, number, number, number];
  if (x.shape[3] !== ci) fail('E_SHAPE', `conv2d: input ${fmt(x.shape)} has ${x.shape[3]} channels, kernel ${fmt(w.shape)} expects ${ci}`);
  const g = windowOf(x.shape, kh, kw, strides[0], strides[1], padding);
  const k = kernels();
  const y = new Float32Array(g.n * g.oh * g.ow * co);
  k.conv2d(g, x.data, w.data, co, y);
  return record(new Tensor(y, [g.n, g.oh, g.ow, co]), 'conv2d', [x, w], (dy) => {
    let dx: Float32Array | null = null, dw: Float32Array | null = null;
    if (x.requiresGrad) k.conv2dBackInput(g, dy, w.data, co, (dx = new Float32Array(x.size)));
    if (w.requiresGrad) k.conv2dBackFilter(g, x.data, dy, co, (dw = new Float32Array(w.size)));
    return [dx, dw];
  });
}

/** Depthwise convolution, multiplier 1: x[n,h,w,c], w[kh,kw,c]. */
export function depthwiseConv2d(x: Tensor, w: Tensor, strides: [number, number], padding: Padding): Tensor {
  const [kh, kw, c] = w.shape as [number, number, number];
  if (x.shape[3] !== c) fail('E_SHAPE', `depthwiseConv2d: input ${fmt(x.shape)} has ${x.shape[3]} channels, kernel ${fmt(w.shape)} expects ${c}`);
  const g = windowOf(x.shape, kh, kw, strides[0], strides[1], padding);
  const k = kernels();
  const y = new Float32Array(g.n * g.oh * g.ow * c);
  k.depthwise(g, x.data, w.data, y);
  return record(new Tensor(y, [g.n, g.oh, g.ow, c]), 'depthwiseConv2d', [x, w], (dy) => {
    let dx: Float32Array | null = null, dw: Float32Array | null = null;
    if (x.requiresGrad) k.depthwiseBackInput(g, dy, w.data, (dx = new Float32Array(x.size)));
    if (w.requiresGrad) k.depthwiseBackFilter(g, x.data, dy, (dw = new Float32Array(w.size)));
    return [dx, dw];
  });
}

export function maxPool2d(x: Tensor, pool: [number, number], strides: [number, number], padding: Padding): Tensor {
  const g = windowOf(x.shape, pool[0], pool[1], strides[0], strides[1], padding);
  const k = kernels();
  const y = new Float32Array(g.n * g.oh * g.ow * g.c);
  k.maxPool(g, x.data, y);
  return record(new Tensor(y, [g.n, g.oh, g.ow, g.c]), 'maxPool2d', [x], (dy) => {
    const dx = new Float32Array(x.size);
    k.maxPoolBack(g, x.data, y, dy, dx);
    return [dx];
  });
}

/** Average over each window's taps inside the image (padding is not counted). */
export function avgPool2d(x: Tensor, pool: [number, number], strides: [number, number], padding: Padding): Tensor {
  const g = windowOf(x.shape, pool[0], pool[1], strides[0], strides[1], padding);
  const k = kernels();
  const y = new Float32Array(g.n * g.oh * g.ow * g.c);
  k.avgPool(g, x.data, y);
  return record(new Tensor(y, [g.n, g.oh, g.ow, g.c]), 'avgPool2d', [x], (dy) => {
    const dx = new Float32Array(x.size);
    k.avgPoolBack(g, dy, dx);
    return [dx];
  });
}
