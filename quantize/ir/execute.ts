// The float executor: runs an IR graph on a batch and returns every tensor.
// Heavy ops use the training library's kernels (WebAssembly SIMD when it loads),
// so calibrating over thousands of samples stays fast.
import { kernels, type Window } from '../../src/train/kernels/index.js';
import { erf } from '../pack/ops/lookup.js';
import { GraphError, size, tensorOf, windowAxis, type ActivationFn, type FusedActivation, type IrGraph, type IrNode } from './graph.js';

export interface ExecOptions {
  /** Called after each non-constant tensor is computed; may change the data in place (fake quantization). */
  onTensor?: (name: string, data: Float32Array, node: IrNode | undefined) => void;
  /** Replacement data for constants (e.g. weights quantized and dequantized). */
  constants?: Map<string, Float32Array>;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** The float function of an elementwise activation. */
export function activationFunction(fn: ActivationFn, alpha?: number, attrs: { beta?: number; min?: number; max?: number } = {}): (x: number) => number {
  switch (fn) {
    case 'linear': return (x) => x;
    case 'relu': return (x) => (x > 0 ? x : 0);
    case 'relu6': return (x) => (x > 0 ? (x < 6 ? x : 6) : 0);
    case 'leakyRelu': { const a = alpha ?? 0.3; return (x) => (x > 0 ? x : a * x); }
    case 'elu': { const a = alpha ?? 1; return (x) => (x > 0 ? x : a * Math.expm1(x)); }
    case 'sigmoid': return (x) => 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh;
    case 'gelu': return (x) => 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
    case 'hardSwish': return (x) => (x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6);
    case 'clip': { const lo = attrs.min ?? -Infinity, hi = attrs.max ?? Infinity; return (x) => Math.min(Math.max(x, lo), hi); }
    case 'hardSigmoid': { const a = alpha ?? 0.2, b = attrs.beta ?? 0.5; return (x) => Math.max(0, Math.min(1, a * x + b)); }
    case 'geluErf': return (x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2));
  }
}

function clampAct(y: Float32Array, act: FusedActivation | undefined): void {
  if (!act || act === 'none') return;
  const hi = act === 'relu6' ? 6 : Infinity;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    y[i] = v > 0 ? (v < hi ? v : hi) : 0;
  }
}

function addBias(y: Float32Array, bias: Float32Array | undefined): void {
  if (!bias) return;
  const c = bias.length;
  for (let i = 0; i < y.length; i++) y[i] += bias[i % c]!;
}

function window(node: IrNode, batch: number, x: number[], kh: number, kw: number): Window {
  const [h, w, c] = x as [number, number, number];
  const [sh, sw] = node.attrs.strides ?? [1, 1];
  const pad = node.attrs.padding ?? 'valid';
  const ay = windowAxis(h, kh, sh, 1, pad, 0);
  const ax = windowAxis(w, kw, sw, 1, pad, 1);
  return { n: batch, h, w, c, kh, kw, sh, sw, padTop: ay.before, padLeft: ax.before, oh: ay.out, ow: ax.out };
}

/** Direct convolution for what the training kernels do not cover (dilation, depth multiplier). */
function convGeneral(node: IrNode, batch: number, xs: number[], x: Float32Array, k: Float32Array, kshape: number[], depthwise: boolean, out: Float32Array): void {
  const [h, w, c] = xs as [number, number, number];
  const [kh, kw] = kshape as [number, number];
  const oc = depthwise ? kshape[2]! : kshape[3]!;
  const m = depthwise ? oc / c : 1;
  const [sh, sw] = node.attrs.strides ?? [1, 1];
  const [dh, dw] = node.attrs.dilations ?? [1, 1];
  const pad = node.attrs.padding ?? 'valid';
  const ay = windowAxis(h, kh, sh, dh, pad, 0);
  const ax = windowAxis(w, kw, sw, dw, pad, 1);
  let o = 0;
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < ay.out; oy++)
      for (let ox = 0; ox < ax.out; ox++)
        for (let co = 0; co < oc; co++, o++) {
          let s = 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - ay.before + ky * dh;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - ax.before + kx * dw;
              if (ix < 0 || ix >= w) continue;
              const xi = ((b * h + iy) * w + ix) * c;
              if (depthwise) s += x[xi + Math.floor(co / m)]! * k[(ky * kw + kx) * oc + co]!;
              else for (let ci = 0; ci < c; ci++) s += x[xi + ci]! * k[((ky * kw + kx) * c + ci) * oc + co]!;
            }
          }
          out[o] = s;
        }
}

function broadcastBinary(a: Float32Array, as: number[], b: Float32Array, bs: number[], ys: number[], batch: number, f: (p: number, q: number) => number): Float32Array {
  const r = ys.length + 1;
  const full = (s: number[], bt: number) => [bt, ...new Array(r - 1 - s.length).fill(1), ...s];
  const A = full(as, a.length / Math.max(1, size(as)));
  const B = full(bs, b.length / Math.max(1, size(bs)));
  const Y = [batch, ...ys];
  const n = batch * size(ys);
  const out = new Float32Array(n);
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    return out;
  }
  const strides = (s: number[]) => {
    const st = new Array(r).fill(0);
    let acc = 1;
    for (let d = r - 1; d >= 0; d--) {
      st[d] = s[d] === 1 ? 0 : acc;
      acc *= s[d]!;
    }
    return st;
  };
  const sa = strides(A), sb = strides(B);
  const idx = new Array(r).fill(0);
  for (let i = 0; i < n; i++) {
    let ia = 0, ib = 0;
    for (let d = 0; d < r; d++) {
      ia += idx[d] * sa[d];
      ib += idx[d] * sb[d];
    }
    out[i] = f(a[ia]!, b[ib]!);
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d] < Y[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Runs the graph on `batch` samples. `inputs` hold batch × shape values each,
 * in graph input order. Returns every computed tensor (inputs included).
 */
export function runFloat(g: IrGraph, inputs: Float32Array[], batch: number, options: ExecOptions = {}): Map<string, Float32Array> {
  const k = kernels();
  const values = new Map<string, Float32Array>();
  g.inputs.forEach((name, i) => {
    const t = tensorOf(g, name);
    const x = inputs[i];
    if (!x || x.length !== batch * size(t.shape))
      throw new GraphError('E_INPUT_SHAPE', `input "${name}" needs ${batch} × [${t.shape}] = ${batch * size(t.shape)} values, got ${x?.length ?? 0}`);
    const copy = options.onTensor ? x.slice() : x;
    options.onTensor?.(name, copy, undefined);
    values.set(name, copy);
  });
  const get = (name: string): Float32Array | undefined => {
    if (!name) return undefined;
    const v = values.get(name);
    if (v) return v;
    const c = options.constants?.get(name) ?? g.tensors.get(name)?.data;
    if (!c) throw new GraphError('E_GRAPH', `tensor "${name}" is used before it is computed`);
    return c;
  };
  for (const node of g.nodes) {
    const x = get(node.inputs[0]!)!;
    const xs = node.inputs[0] ? tensorOf(g, node.inputs[0]).shape : [];
    const ys = tensorOf(g, node.outputs[0]!).shape;
    const n = batch * size(ys);
    let y: Float32Array;
    switch (node.op) {
      case 'conv2d': {
        const kshape = tensorOf(g, node.inputs[1]!).shape;
        const kern = get(node.inputs[1]!)!;
        y = new Float32Array(n);
        const dil = node.attrs.dilations ?? [1, 1];
        if (dil[0] === 1 && dil[1] === 1) k.conv2d(window(node, batch, xs, kshape[0]!, kshape[1]!), x, kern, kshape[3]!, y);
        else convGeneral(node, batch, xs, x, kern, kshape, false, y);
        addBias(y, get(node.inputs[2] ?? ''));
        clampAct(y, node.attrs.activation);
        break;
      }
      case 'depthwise': {
        const kshape = tensorOf(g, node.inputs[1]!).shape;
        const kern = get(node.inputs[1]!)!;
        y = new Float32Array(n);
        const dil = node.attrs.dilations ?? [1, 1];
        if ((node.attrs.multiplier ?? 1) === 1 && dil[0] === 1 && dil[1] === 1) k.depthwise(window(node, batch, xs, kshape[0]!, kshape[1]!), x, kern, y);
        else convGeneral(node, batch, xs, x, kern, kshape, true, y);
        addBias(y, get(node.inputs[2] ?? ''));
        clampAct(y, node.attrs.activation);
        break;
      }
      case 'dense':
      case 'matmul': {
        const [K, N] = tensorOf(g, node.inputs[1]!).shape as [number, number];
        y = new Float32Array(n);
        k.gemm(x.length / K, N, K, x, false, get(node.inputs[1]!)!, false, y, false);
        addBias(y, get(node.inputs[2] ?? ''));
        clampAct(y, node.attrs.activation);
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const [ph, pw] = node.attrs.pool ?? [2, 2];
        y = new Float32Array(n);
        const win = window(node, batch, xs, ph, pw);
        if (node.op === 'maxpool') k.maxPool(win, x, y);
        else k.avgPool(win, x, y);
        break;
      }
      case 'globalpool':
      case 'mean': {
        const [h, w, c] = xs as [number, number, number];
        y = new Float32Array(n);
        for (let b = 0; b < batch; b++)
          for (let ch = 0; ch < c; ch++) {
            let s = 0;
            for (let p = 0; p < h * w; p++) s += x[(b * h * w + p) * c + ch]!;
            y[b * c + ch] = s / (h * w);
          }
        break;
      }
      case 'add':
      case 'sub':
      case 'mul': {
        const b = get(node.inputs[1]!)!;
        const bs = tensorOf(g, node.inputs[1]!).shape;
        const f = node.op === 'add' ? (p: number, q: number) => p + q : node.op === 'sub' ? (p: number, q: number) => p - q : (p: number, q: number) => p * q;
        y = broadcastBinary(x, xs, b, bs, ys, batch, f);
        clampAct(y, node.attrs.activation);
        break;
      }
      case 'concat': {
        const axis = node.attrs.axis! < 0 ? xs.length + node.attrs.axis! : node.attrs.axis!;
        const inner = size(ys.slice(axis + 1));
        const outer = batch * size(ys.slice(0, axis));
        y = new Float32Array(n);
        let off = 0;
        for (const name of node.inputs) {
          const s = tensorOf(g, name).shape;
          const v = get(name)!;
          const chunk = s[axis]! * inner;
          const vOuter = v.length / chunk;
          for (let o = 0; o < outer; o++) y.set(v.subarray((o % vOuter) * chunk, (o % vOuter) * chunk + chunk), o * ys[axis]! * inner + off);
          off += chunk;
        }
        break;
      }
      case 'pad': {
        const pads = node.attrs.pads!;
        y = new Float32Array(n).fill(node.attrs.value ?? 0);
        const r = xs.length;
        const idx = new Array(r).fill(0);
        const per = size(xs);
        for (let b = 0; b < batch; b++)
          for (let i = 0; i < per; i++) {
            let o = b;
            for (let d = 0; d < r; d++) o = o * ys[d]! + idx[d] + pads[d]![0];
            y[o] = x[b * per + i]!;
            for (let d = r - 1; d >= 0; d--) {
              if (++idx[d] < xs[d]!) break;
              idx[d] = 0;
            }
          }
        break;
      }
      case 'reshape':
      case 'flatten':
      case 'identity':
      case 'batchnorm':
        if (node.op === 'batchnorm') {
          const [gamma, beta, mean, variance] = node.inputs.slice(1).map((t) => get(t)!);
          const eps = node.attrs.epsilon ?? 1e-3;
          const c = mean!.length;
          y = new Float32Array(n);
          for (let i = 0; i < n; i++) {
            const ch = i % c;
            y[i] = ((x[i]! - mean![ch]!) / Math.sqrt(variance![ch]! + eps)) * (gamma ? gamma[ch]! : 1) + (beta ? beta[ch]! : 0);
          }
        } else y = options.onTensor ? x.slice() : x;
        break;
      case 'transpose': {
        const perm = node.attrs.perm!;
        const r = xs.length;
        const per = size(xs);
        const inStr = new Array(r).fill(1);
        for (let d = r - 2; d >= 0; d--) inStr[d] = inStr[d + 1] * xs[d + 1]!;
        y = new Float32Array(n);
        const idx = new Array(r).fill(0);
        for (let b = 0; b < batch; b++)
          for (let i = 0; i < per; i++) {
            let src = 0;
            for (let d = 0; d < r; d++) src += idx[d] * inStr[perm[d]!];
            y[b * per + i] = x[b * per + src]!;
            for (let d = r - 1; d >= 0; d--) {
              if (++idx[d] < ys[d]!) break;
              idx[d] = 0;
            }
          }
        break;
      }
      case 'activation': {
        const f = activationFunction(node.attrs.fn!, node.attrs.alpha, node.attrs);
        y = new Float32Array(n);
        for (let i = 0; i < n; i++) y[i] = f(x[i]!);
        break;
      }
      case 'softmax': {
        const c = ys[ys.length - 1]!;
        const beta = node.attrs.beta ?? 1;
        y = new Float32Array(n);
        for (let r = 0; r < n; r += c) {
          let m = -Infinity;
          for (let i = 0; i < c; i++) m = Math.max(m, x[r + i]!);
          let s = 0;
          for (let i = 0; i < c; i++) s += y[r + i] = Math.exp(beta * (x[r + i]! - m));
          for (let i = 0; i < c; i++) y[r + i]! /= s;
        }
        break;
      }
      case 'quantize':
      case 'dequantize': {
        // A QDQ pair in float: round to the recorded grid.
        const s = node.attrs.scale ?? 1;
        const z = node.attrs.zeroPoint ?? 0;
        y = new Float32Array(n);
        for (let i = 0; i < n; i++) y[i] = node.op === 'quantize' ? (Math.min(127, Math.max(-128, Math.round(x[i]! / s) + z)) - z) * s : x[i]!;
        break;
      }
    }
    options.onTensor?.(node.outputs[0]!, y, node);
    values.set(node.outputs[0]!, y);
  }
  return values;
}
