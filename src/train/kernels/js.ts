// Plain TypeScript kernels: the fallback where WebAssembly SIMD is missing, and
// the reference the wasm kernels are tested against. Writes into Float32Arrays
// round every step to float32, so these match the wasm sums bit for bit.
import { isPointwise, type Kernels, type Window } from './types.js';

function gemm(
  M: number, N: number, K: number,
  a: Float32Array, transA: boolean, b: Float32Array, transB: boolean,
  c: Float32Array, accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, 0, M * N);
  // Order per output: start from c, add products for k = 0..K-1.
  for (let i = 0; i < M; i++) {
    const row = i * N;
    for (let k = 0; k < K; k++) {
      const av = transA ? a[k * M + i]! : a[i * K + k]!;
      if (transB) {
        for (let j = 0; j < N; j++) c[row + j] += Math.fround(av * b[j * K + k]!);
      } else {
        const bk = k * N;
        for (let j = 0; j < N; j++) c[row + j] += Math.fround(av * b[bk + j]!);
      }
    }
  }
}

function forTaps(g: Window, f: (outRow: number, inRow: number, tap: number) => void): void {
  let o = 0;
  for (let n = 0; n < g.n; n++)
    for (let oh = 0; oh < g.oh; oh++)
      for (let ow = 0; ow < g.ow; ow++, o++)
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oh * g.sh - g.padTop + ky;
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ow * g.sw - g.padLeft + kx;
            if (ix < 0 || ix >= g.w) continue;
            f(o, (n * g.h + iy) * g.w + ix, ky * g.kw + kx);
          }
        }
}

export function im2col(g: Window, x: Float32Array, col: Float32Array): void {
  const C = g.c;
  const taps = g.kh * g.kw;
  col.fill(0, 0, g.n * g.oh * g.ow * taps * C);
  forTaps(g, (o, i, t) => col.set(x.subarray(i * C, i * C + C), (o * taps + t) * C));
}

export function col2im(g: Window, dcol: Float32Array, dx: Float32Array): void {
  const C = g.c;
  const taps = g.kh * g.kw;
  forTaps(g, (o, i, t) => {
    const s = (o * taps + t) * C;
    for (let c = 0; c < C; c++) dx[i * C + c] += dcol[s + c]!;
  });
}

function validTaps(g: Window, oh: number, ow: number): number {
  let count = 0;
  for (let ky = 0; ky < g.kh; ky++) {
    const iy = oh * g.sh - g.padTop + ky;
    if (iy < 0 || iy >= g.h) continue;
    for (let kx = 0; kx < g.kw; kx++) {
      const ix = ow * g.sw - g.padLeft + kx;
      if (ix >= 0 && ix < g.w) count++;
    }
  }
  return count;
}

export const jsKernels: Kernels = {
  name: 'js',
  gemm,
  conv2d(g, x, w, co, out) {
    const K = g.kh * g.kw * g.c;
    const M = g.n * g.oh * g.ow;
    let col = x;
    if (!isPointwise(g)) im2col(g, x, (col = new Float32Array(M * K)));
    gemm(M, co, K, col, false, w, false, out, false);
  },
  conv2dBackInput(g, dout, w, co, dx) {
    const K = g.kh * g.kw * g.c;
    const M = g.n * g.oh * g.ow;
    if (isPointwise(g)) return gemm(M, K, co, dout, false, w, true, dx, false);
    const dcol = new Float32Array(M * K);
    gemm(M, K, co, dout, false, w, true, dcol, false);
    dx.fill(0);
    col2im(g, dcol, dx);
  },
  conv2dBackFilter(g, x, dout, co, dw) {
    const K = g.kh * g.kw * g.c;
    const M = g.n * g.oh * g.ow;
    let col = x;
    if (!isPointwise(g)) im2col(g, x, (col = new Float32Array(M * K)));
    gemm(K, co, M, col, true, dout, false, dw, false);
  },
  depthwise(g, x, w, out) {
    const C = g.c;
    out.fill(0);
    forTaps(g, (o, i, t) => {
      for (let c = 0; c < C; c++) out[o * C + c] += Math.fround(x[i * C + c]! * w[t * C + c]!);
    });
  },
  depthwiseBackInput(g, dout, w, dx) {
    const C = g.c;
    dx.fill(0);
    forTaps(g, (o, i, t) => {
      for (let c = 0; c < C; c++) dx[i * C + c] += Math.fround(dout[o * C + c]! * w[t * C + c]!);
    });
  },
  depthwiseBackFilter(g, x, dout, dw) {
    const C = g.c;
    dw.fill(0);
    forTaps(g, (o, i, t) => {
      for (let c = 0; c < C; c++) dw[t * C + c] += Math.fround(x[i * C + c]! * dout[o * C + c]!);
    });
  },
  maxPool(g, x, out) {
    const C = g.c;
    out.fill(-Infinity);
    forTaps(g, (o, i) => {
      for (let c = 0; c < C; c++) out[o * C + c] = Math.max(out[o * C + c]!, x[i * C + c]!);
    });
  },
  maxPoolBack(g, x, y, dout, dx) {
    const C = g.c;
    dx.fill(0);
    // The first tap equal to the maximum takes the gradient, as in the wasm kernel.
    const done = new Uint8Array(C);
    let current = -1;
    forTaps(g, (o, i) => {
      if (o !== current) {
        current = o;
        done.fill(0);
      }
      for (let c = 0; c < C; c++) {
        if (!done[c] && x[i * C + c] === y[o * C + c]) {
          dx[i * C + c] += dout[o * C + c]!;
          done[c] = 1;
        }
      }
    });
  },
  avgPool(g, x, out) {
    const C = g.c;
    out.fill(0);
    forTaps(g, (o, i) => {
      for (let c = 0; c < C; c++) out[o * C + c] += x[i * C + c]!;
    });
    let o = 0;
    for (let n = 0; n < g.n; n++)
      for (let oh = 0; oh < g.oh; oh++)
        for (let ow = 0; ow < g.ow; ow++, o++) {
          const count = validTaps(g, oh, ow);
          for (let c = 0; c < C; c++) out[o * C + c] = out[o * C + c]! / count;
        }
  },
  avgPoolBack(g, dout, dx) {
    const C = g.c;
    dx.fill(0);
    const share = new Float32Array(C);
    let current = -1;
    forTaps(g, (o, i) => {
      if (o !== current) {
        current = o;
        const r = o % (g.oh * g.ow);
        const count = validTaps(g, Math.floor(r / g.ow), r % g.ow);
        for (let c = 0; c < C; c++) share[c] = dout[o * C + c]! / count;
      }
      for (let c = 0; c < C; c++) dx[i * C + c] += share[c]!;
    });
  },

  biasAct(x, b, act, y) {
    const C = b.length;
    for (let i = 0, c = 0; i < x.length; i++) {
      let v = Math.fround(x[i]! + b[c]!);
      if (act !== 'linear') v = v > 0 ? v : 0;
      if (act === 'relu6') v = v < 6 ? v : 6;
      y[i] = v;
      if (++c === C) c = 0;
    }
  },
  biasActBack(y, dy, act, dx, db) {
    const C = db.length;
    db.fill(0);
    for (let i = 0, c = 0; i < y.length; i++) {
      const v = y[i]!;
      const d = act === 'linear' || (v > 0 && (act === 'relu' || v < 6)) ? dy[i]! : 0;
      dx[i] = d;
      db[c] += d;
      if (++c === C) c = 0;
    }
  },
};
