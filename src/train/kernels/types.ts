// The heavy kernels, one interface with two implementations: WebAssembly SIMD
// (wasm.ts, compiled from assembly/train/index.ts) and plain TypeScript (js.ts).
// Both sum in the same order, so they give identical bits.

/** Geometry of a windowed op on NHWC data: input [n,h,w,c], window kh x kw. */
export interface Window {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
  oh: number;
  ow: number;
}

export interface Kernels {
  readonly name: 'wasm-simd' | 'js';
  /** c[M,N] (+)= op(a) op(b); op(a) is a[M,K] or a[K,M] transposed, op(b) is b[K,N] or b[N,K]. */
  gemm(
    M: number, N: number, K: number,
    a: Float32Array, transA: boolean, b: Float32Array, transB: boolean,
    c: Float32Array, accumulate: boolean,
  ): void;
  /** out[n,oh,ow,co] = conv of x[n,h,w,ci] with w[kh,kw,ci,co] (no bias). */
  conv2d(g: Window, x: Float32Array, w: Float32Array, co: number, out: Float32Array): void;
  /** dx (overwritten) from dout[n,oh,ow,co] and w. */
  conv2dBackInput(g: Window, dout: Float32Array, w: Float32Array, co: number, dx: Float32Array): void;
  /** dw (overwritten) from x and dout. */
  conv2dBackFilter(g: Window, x: Float32Array, dout: Float32Array, co: number, dw: Float32Array): void;
  /** Depthwise, multiplier 1: w[kh,kw,c]. Outputs are overwritten. */
  depthwise(g: Window, x: Float32Array, w: Float32Array, out: Float32Array): void;
  depthwiseBackInput(g: Window, dout: Float32Array, w: Float32Array, dx: Float32Array): void;
  depthwiseBackFilter(g: Window, x: Float32Array, dout: Float32Array, dw: Float32Array): void;
  maxPool(g: Window, x: Float32Array, out: Float32Array): void;
  /** Routes dout to the first tap (ky, kx order) equal to the window's max y. */
  maxPoolBack(g: Window, x: Float32Array, y: Float32Array, dout: Float32Array, dx: Float32Array): void;
  avgPool(g: Window, x: Float32Array, out: Float32Array): void;
  avgPoolBack(g: Window, dout: Float32Array, dx: Float32Array): void;
  /** y[r, c] = act(x[r, c] + b[c]) over rows of C values. */
  biasAct(x: Float32Array, b: Float32Array, act: BiasActivation, y: Float32Array): void;
  /** dx = dy where the activation passes (read from y), else 0; db = column sums of dx. */
  biasActBack(y: Float32Array, dy: Float32Array, act: BiasActivation, dx: Float32Array, db: Float32Array): void;
}

/** Activations fused with the bias add: the ones whose derivative the output alone decides. */
export type BiasActivation = 'linear' | 'relu' | 'relu6';
export const BIAS_ACT_CODE: Record<BiasActivation, number> = { linear: 0, relu: 1, relu6: 2 };

/** A 1x1, stride 1, unpadded window: the input already is the im2col matrix. */
export function isPointwise(g: Window): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.padTop === 0 && g.padLeft === 0;
}
