// Float32 kernels for training: GEMM, im2col / col2im, depthwise convolution and
// pooling, all NHWC. The host (src/train/kernels/wasm.ts) owns the memory: it
// copies operands in, passes byte offsets, and copies results out. Nothing here
// allocates.
//
// Every kernel sums in the same order as its TypeScript twin in
// src/train/kernels/js.ts (each output starts from 0 or from its old value and
// adds one product at a time, in increasing k), so the two agree bit for bit.

/** First free byte after this module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

// Byte fill and copy in plain loops: the build targets engines without bulk memory.
// Sizes are multiples of 4 bytes.
function zero(dst: usize, bytes: usize): void {
  let i: usize = 0;
  const z = f32x4.splat(0);
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, z);
  for (; i < bytes; i += 4) store<f32>(dst + i, 0);
}

function copy(dst: usize, src: usize, bytes: usize): void {
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(src + i));
}

// ---------------------------------------------------------------- GEMM
// C[M,N] (+)= op(A) * op(B), row-major. op(A) is A[M,K] or, with transA, A[K,M]
// read transposed; op(B) is B[K,N] or, with transB, B[N,K]. Packed panels:
// A in strips of 4 rows ([k][4]), B in strips of 8 columns ([k][8]), K in
// blocks of KC so a strip of each stays in L1 while the 4x8 tile is computed.

const KC: i32 = 256;
const MR: i32 = 4;
const NR: i32 = 8;

// Packs rows i0..i0+4 of op(A), columns k0..k0+kc, into ap[k*4 + r] (zero-padded).
function packA(a: usize, transA: i32, M: i32, K: i32, i0: i32, k0: i32, kc: i32, ap: usize): void {
  const rows = min(MR, M - i0);
  if (rows < MR) zero(ap, <usize>(kc * MR) << 2);
  if (transA) {
    for (let k = 0; k < kc; k++) {
      const src = a + (<usize>((k0 + k) * M + i0) << 2);
      const dst = ap + (<usize>(k * MR) << 2);
      for (let r = 0; r < rows; r++) store<f32>(dst + (<usize>r << 2), load<f32>(src + (<usize>r << 2)));
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const src = a + (<usize>((i0 + r) * K + k0) << 2);
      const dst = ap + (<usize>r << 2);
      for (let k = 0; k < kc; k++) store<f32>(dst + (<usize>(k * MR) << 2), load<f32>(src + (<usize>k << 2)));
    }
  }
}

// Packs all column strips of op(B) for rows k0..k0+kc into bp[(s*kc + k)*8 + j].
function packB(b: usize, transB: i32, N: i32, K: i32, k0: i32, kc: i32, bp: usize): void {
  const strips = (N + NR - 1) / NR;
  for (let s = 0; s < strips; s++) {
    const j0 = s * NR;
    const cols = min(NR, N - j0);
    const dst0 = bp + (<usize>(s * kc * NR) << 2);
    if (cols < NR) zero(dst0, <usize>(kc * NR) << 2);
    if (transB) {
      for (let j = 0; j < cols; j++) {
        const src = b + (<usize>((j0 + j) * K + k0) << 2);
        for (let k = 0; k < kc; k++) store<f32>(dst0 + (<usize>(k * NR + j) << 2), load<f32>(src + (<usize>k << 2)));
      }
    } else if (cols == NR) {
      for (let k = 0; k < kc; k++) {
        const src = b + (<usize>((k0 + k) * N + j0) << 2);
        const dst = dst0 + (<usize>(k * NR) << 2);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = b + (<usize>((k0 + k) * N + j0) << 2);
        const dst = dst0 + (<usize>(k * NR) << 2);
        for (let j = 0; j < cols; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
      }
    }
  }
}

// The 4x8 micro-kernel: eight f32x4 accumulators, loaded from C and stored back.
// ldc is the row stride of C in bytes.
// @ts-ignore: decorator
@inline
function tile4x8(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize): void {
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  let x00 = v128.load(c), x01 = v128.load(c, 16);
  let x10 = v128.load(c1), x11 = v128.load(c1, 16);
  let x20 = v128.load(c2), x21 = v128.load(c2, 16);
  let x30 = v128.load(c3), x31 = v128.load(c3, 16);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    x00 = f32x4.add(x00, f32x4.mul(a, b0));
    x01 = f32x4.add(x01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    x10 = f32x4.add(x10, f32x4.mul(a, b0));
    x11 = f32x4.add(x11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    x20 = f32x4.add(x20, f32x4.mul(a, b0));
    x21 = f32x4.add(x21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    x30 = f32x4.add(x30, f32x4.mul(a, b0));
    x31 = f32x4.add(x31, f32x4.mul(a, b1));
    ap += 16;
    bp += 32;
  }
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
}

/**
 * C (+)= op(A) op(B). scratch needs (KC*4 + KC*ceil(N/8)*8 + 32) floats.
 * accumulate = 0 overwrites C.
 */
export function gemm(
  M: i32, N: i32, K: i32,
  a: usize, transA: i32, b: usize, transB: i32,
  c: usize, accumulate: i32, scratch: usize,
): void {
  if (!accumulate) zero(c, <usize>(M * N) << 2);
  const ap = scratch;
  const tile = ap + (<usize>(KC * MR) << 2);
  const bp = tile + (<usize>(MR * NR) << 2);
  const ldc = <usize>N << 2;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    packB(b, transB, N, K, k0, kc, bp);
    for (let i0 = 0; i0 < M; i0 += MR) {
      packA(a, transA, M, K, i0, k0, kc, ap);
      const rows = min(MR, M - i0);
      for (let j0 = 0; j0 < N; j0 += NR) {
        const cols = min(NR, N - j0);
        const bs = bp + (<usize>(j0 * kc) << 2);
        const cp = c + (<usize>(i0 * N + j0) << 2);
        if (rows == MR && cols == NR) {
          tile4x8(ap, bs, kc, cp, ldc);
        } else {
          // Edge tile: compute in a 4x8 buffer, copy back only the valid part.
          zero(tile, <usize>(MR * NR) << 2);
          for (let r = 0; r < rows; r++)
            copy(tile + (<usize>(r * NR) << 2), cp + <usize>r * ldc, <usize>cols << 2);
          tile4x8(ap, bs, kc, tile, <usize>NR << 2);
          for (let r = 0; r < rows; r++)
            copy(cp + <usize>r * ldc, tile + (<usize>(r * NR) << 2), <usize>cols << 2);
        }
      }
    }
  }
}

// ---------------------------------------------------------------- convolution geometry
// Shared by every windowed kernel: input [N,H,W,C], window KHxKW, strides SH,SW,
// top/left padding, output [N,OH,OW,*]. Set once per call with setGeometry.

let gN: i32 = 0, gH: i32 = 0, gW: i32 = 0, gC: i32 = 0;
let gKH: i32 = 0, gKW: i32 = 0, gSH: i32 = 0, gSW: i32 = 0;
let gPT: i32 = 0, gPL: i32 = 0, gOH: i32 = 0, gOW: i32 = 0;

export function setGeometry(
  N: i32, H: i32, W: i32, C: i32, KH: i32, KW: i32, SH: i32, SW: i32,
  padT: i32, padL: i32, OH: i32, OW: i32,
): void {
  gN = N; gH = H; gW = W; gC = C; gKH = KH; gKW = KW; gSH = SH; gSW = SW;
  gPT = padT; gPL = padL; gOH = OH; gOW = OW;
}

// dst[0..C) += src[0..C) * w[0..C)   (w = 0 means plain add: see addInto)
// @ts-ignore: decorator
@inline
function mulAddInto(dst: usize, src: usize, w: usize, C: i32): void {
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const o = <usize>c << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(v128.load(src + o), v128.load(w + o))));
  }
  for (; c < C; c++) {
    const o = <usize>c << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o) * load<f32>(w + o));
  }
}

// @ts-ignore: decorator
@inline
function addInto(dst: usize, src: usize, C: i32): void {
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const o = <usize>c << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; c < C; c++) {
    const o = <usize>c << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** col[N*OH*OW, KH*KW*C] from x[N,H,W,C]; rows in (ky,kx,c) order, padding = 0. */
export function im2col(x: usize, col: usize): void {
  const C = gC;
  const rowBytes = <usize>C << 2;
  const spanBytes = <usize>(gKW * C) << 2;
  let dst = col;
  for (let n = 0; n < gN; n++)
    for (let oh = 0; oh < gOH; oh++)
      for (let ow = 0; ow < gOW; ow++) {
        const ix0 = ow * gSW - gPL;
        const inside = ix0 >= 0 && ix0 + gKW <= gW;
        for (let ky = 0; ky < gKH; ky++) {
          const iy = oh * gSH - gPT + ky;
          if (iy < 0 || iy >= gH) {
            zero(dst, spanBytes);
            dst += spanBytes;
            continue;
          }
          const rowStart = x + (<usize>(((n * gH + iy) * gW) * C) << 2);
          if (inside) {
            // The whole kernel row lies in the image: one contiguous run of KW*C floats.
            copy(dst, rowStart + (<usize>(ix0 * C) << 2), spanBytes);
            dst += spanBytes;
            continue;
          }
          for (let kx = 0; kx < gKW; kx++) {
            const ix = ix0 + kx;
            if (ix < 0 || ix >= gW) zero(dst, rowBytes);
            else copy(dst, rowStart + (<usize>(ix * C) << 2), rowBytes);
            dst += rowBytes;
          }
        }
      }
}

/** dx[N,H,W,C] += scatter of dcol (the adjoint of im2col). */
export function col2im(dcol: usize, dx: usize): void {
  const C = gC;
  const rowBytes = <usize>C << 2;
  const spanBytes = <usize>(gKW * C) << 2;
  let src = dcol;
  for (let n = 0; n < gN; n++)
    for (let oh = 0; oh < gOH; oh++)
      for (let ow = 0; ow < gOW; ow++) {
        const ix0 = ow * gSW - gPL;
        const inside = ix0 >= 0 && ix0 + gKW <= gW;
        for (let ky = 0; ky < gKH; ky++) {
          const iy = oh * gSH - gPT + ky;
          if (iy < 0 || iy >= gH) {
            src += spanBytes;
            continue;
          }
          const rowStart = dx + (<usize>(((n * gH + iy) * gW) * C) << 2);
          if (inside) {
            addInto(rowStart + (<usize>(ix0 * C) << 2), src, gKW * C);
            src += spanBytes;
            continue;
          }
          for (let kx = 0; kx < gKW; kx++) {
            const ix = ix0 + kx;
            if (ix >= 0 && ix < gW) addInto(rowStart + (<usize>(ix * C) << 2), src, C);
            src += rowBytes;
          }
        }
      }
}

// ---------------------------------------------------------------- depthwise (multiplier 1)
// Loops visit (n, oh, ow, ky, kx) in that order and skip padded taps.

// The three passes share one walk; they differ in which operand accumulates:
const DW_FORWARD = 0; // out row  += x tap * w tap
const DW_BACK_INPUT = 1; // dx tap += dout row * w tap
const DW_BACK_FILTER = 2; // dw tap += x tap * dout row

/** Every valid (output position, tap) pair: `x` is x or dx, `w` is w or dw, `rows` is out or dout. */
function depthwiseWalk(pass: i32, x: usize, w: usize, rows: usize): void {
  const C = gC;
  const rowBytes = <usize>C << 2;
  let row = rows;
  for (let n = 0; n < gN; n++)
    for (let oh = 0; oh < gOH; oh++)
      for (let ow = 0; ow < gOW; ow++) {
        if (pass == DW_FORWARD) zero(row, rowBytes);
        for (let ky = 0; ky < gKH; ky++) {
          const iy = oh * gSH - gPT + ky;
          if (iy < 0 || iy >= gH) continue;
          for (let kx = 0; kx < gKW; kx++) {
            const ix = ow * gSW - gPL + kx;
            if (ix < 0 || ix >= gW) continue;
            const xt = x + (<usize>(((n * gH + iy) * gW + ix) * C) << 2);
            const wt = w + (<usize>((ky * gKW + kx) * C) << 2);
            if (pass == DW_FORWARD) mulAddInto(row, xt, wt, C);
            else if (pass == DW_BACK_INPUT) mulAddInto(xt, row, wt, C);
            else mulAddInto(wt, xt, row, C);
          }
        }
        row += rowBytes;
      }
}

/** out[N,OH,OW,C] = sum over taps of x * w, w[KH,KW,C]. */
export function depthwise(x: usize, w: usize, out: usize): void {
  depthwiseWalk(DW_FORWARD, x, w, out);
}

/** dx[N,H,W,C] += dout * w over taps. */
export function depthwiseBackInput(dout: usize, w: usize, dx: usize): void {
  depthwiseWalk(DW_BACK_INPUT, dx, w, dout);
}

/** dw[KH,KW,C] += x * dout over all positions. */
export function depthwiseBackFilter(x: usize, dout: usize, dw: usize): void {
  depthwiseWalk(DW_BACK_FILTER, x, dw, dout);
}

// ---------------------------------------------------------------- pooling
// Padded taps are ignored: max over valid taps, average divides by their count.

export function maxPool(x: usize, out: usize): void {
  const C = gC;
  const rowBytes = <usize>C << 2;
  let o = out;
  for (let n = 0; n < gN; n++)
    for (let oh = 0; oh < gOH; oh++)
      for (let ow = 0; ow < gOW; ow++) {
        let c = 0;
        for (; c + 4 <= C; c += 4) store<v128>(o + (<usize>c << 2), f32x4.splat(-Infinity));
        for (; c < C; c++) store<f32>(o + (<usize>c << 2), -Infinity);
        for (let ky = 0; ky < gKH; ky++) {
          const iy = oh * gSH - gPT + ky;
          if (iy < 0 || iy >= gH) continue;
          for (let kx = 0; kx < gKW; kx++) {
            const ix = ow * gSW - gPL + kx;
            if (ix < 0 || ix >= gW) continue;
            const src = x + (<usize>(((n * gH + iy) * gW + ix) * C) << 2);
            c = 0;
            for (; c + 4 <= C; c += 4) {
              const q = <usize>c << 2;
              v128.store(o + q, f32x4.max(v128.load(o + q), v128.load(src + q)));
            }
            for (; c < C; c++) {
              const q = <usize>c << 2;
              store<f32>(o + q, max(load<f32>(o + q), load<f32>(src + q)));
            }
          }
        }
        o += rowBytes;
      }
}

/**
 * dx += dout routed to the first tap (in ky, kx order) equal to the window's
 * maximum y. A lane mask remembers which channels have been routed already.
 */
export function maxPoolBack(x: usize, y: usize, dout: usize, dx: usize): void {
  const C = gC;
  for (let n = 0; n < gN; n++)
    for (let oh = 0; oh < gOH; oh++)
      for (let ow = 0; ow < gOW; ow++) {
        const o = <usize>(((n * gOH + oh) * gOW + ow) * C) << 2;
        let c = 0;
        for (; c + 4 <= C; c += 4) {
          const q = <usize>c << 2;
          const m = v128.load(y + o + q);
          const g = v128.load(dout + o + q);
          let done = i32x4.splat(0);
          for (let ky = 0; ky < gKH; ky++) {
            const iy = oh * gSH - gPT + ky;
            if (iy < 0 || iy >= gH) continue;
            for (let kx = 0; kx < gKW; kx++) {
              const ix = ow * gSW - gPL + kx;
              if (ix < 0 || ix >= gW) continue;
              const p = (<usize>(((n * gH + iy) * gW + ix) * C) << 2) + q;
              const hit = v128.andnot(f32x4.eq(v128.load(x + p), m), done);
              v128.store(dx + p, f32x4.add(v128.load(dx + p), v128.and(g, hit)));
              done = v128.or(done, hit);
            }
          }
        }
        for (; c < C; c++) {
          const q = <usize>c << 2;
          const m = load<f32>(y + o + q);
          let found = false;
          for (let ky = 0; ky < gKH && !found; ky++) {
            const iy = oh * gSH - gPT + ky;
            if (iy < 0 || iy >= gH) continue;
            for (let kx = 0; kx < gKW; kx++) {
              const ix = ow * gSW - gPL + kx;
              if (ix < 0 || ix >= gW) continue;
              const p = (<usize>(((n * gH + iy) * gW + ix) * C) << 2) + q;
              if (load<f32>(x + p) == m) {
                store<f32>(dx + p, load<f32>(dx + p) + load<f32>(dout + o + q));
                found = true;
                break;
              }
            }
          }
        }
      }
}

// @ts-ignore: decorator
@inline
function validTaps(oh: i32, ow: i32): i32 {
  let count = 0;
  for (let ky = 0; ky < gKH; ky++) {
    const iy = oh * gSH - gPT + ky;
    if (iy < 0 || iy >= gH) continue;
    for (let kx = 0; kx < gKW; kx++) {
      const ix = ow * gSW - gPL + kx;
      if (ix >= 0 && ix < gW) count++;
    }
  }
  return count;
}

export function avgPool(x: usize, out: usize): void {
  const C = gC;
  const rowBytes = <usize>C << 2;
  let o = out;
  for (let n = 0; n < gN; n++)
    for (let oh = 0; oh < gOH; oh++)
      for (let ow = 0; ow < gOW; ow++) {
        zero(o, rowBytes);
        for (let ky = 0; ky < gKH; ky++) {
          const iy = oh * gSH - gPT + ky;
          if (iy < 0 || iy >= gH) continue;
          for (let kx = 0; kx < gKW; kx++) {
            const ix = ow * gSW - gPL + kx;
            if (ix < 0 || ix >= gW) continue;
            addInto(o, x + (<usize>(((n * gH + iy) * gW + ix) * C) << 2), C);
          }
        }
        const count = <f32>validTaps(oh, ow);
        const cv = f32x4.splat(count);
        let c = 0;
        for (; c + 4 <= C; c += 4) {
          const q = <usize>c << 2;
          v128.store(o + q, f32x4.div(v128.load(o + q), cv));
        }
        for (; c < C; c++) {
          const q = <usize>c << 2;
          store<f32>(o + q, load<f32>(o + q) / count);
        }
        o += rowBytes;
      }
}

/** dx += dout / count spread over each window's valid taps. scratch holds C floats. */
export function avgPoolBack(dout: usize, dx: usize, scratch: usize): void {
  const C = gC;
  const rowBytes = <usize>C << 2;
  let g = dout;
  for (let n = 0; n < gN; n++)
    for (let oh = 0; oh < gOH; oh++)
      for (let ow = 0; ow < gOW; ow++) {
        const count = <f32>validTaps(oh, ow);
        for (let c = 0; c < C; c++) store<f32>(scratch + (<usize>c << 2), load<f32>(g + (<usize>c << 2)) / count);
        for (let ky = 0; ky < gKH; ky++) {
          const iy = oh * gSH - gPT + ky;
          if (iy < 0 || iy >= gH) continue;
          for (let kx = 0; kx < gKW; kx++) {
            const ix = ow * gSW - gPL + kx;
            if (ix < 0 || ix >= gW) continue;
            addInto(dx + (<usize>(((n * gH + iy) * gW + ix) * C) << 2), scratch, C);
          }
        }
        g += rowBytes;
      }
}

// ---------------------------------------------------------------- bias + activation
// y[r, c] = act(x[r, c] + b[c]) with act 0 = linear, 1 = relu, 2 = relu6: the
// epilogue of every Dense / Conv2D, where plain JS loops would cost more than
// the GEMM.

export function biasAct(x: usize, b: usize, y: usize, rows: i32, C: i32, act: i32): void {
  const zeroV = f32x4.splat(0);
  const sixV = f32x4.splat(6);
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const q = <usize>c << 2;
      let v = f32x4.add(v128.load(xr + q), v128.load(b + q));
      if (act >= 1) v = f32x4.max(v, zeroV);
      if (act == 2) v = f32x4.min(v, sixV);
      v128.store(yr + q, v);
    }
    for (; c < C; c++) {
      const q = <usize>c << 2;
      let v = load<f32>(xr + q) + load<f32>(b + q);
      if (act >= 1) v = v > 0 ? v : 0;
      if (act == 2) v = v < 6 ? v : 6;
      store<f32>(yr + q, v);
    }
  }
}

/** dx = g where the activation passes (from y), else 0; db[c] = sum over rows of dx (overwritten). */
export function biasActBack(y: usize, g: usize, dx: usize, db: usize, rows: i32, C: i32, act: i32): void {
  const zeroV = f32x4.splat(0);
  const sixV = f32x4.splat(6);
  const rowBytes = <usize>C << 2;
  zero(db, rowBytes);
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * rowBytes;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const q = off + (<usize>c << 2);
      let d = v128.load(g + q);
      if (act >= 1) {
        const yv = v128.load(y + q);
        let pass = f32x4.gt(yv, zeroV);
        if (act == 2) pass = v128.and(pass, f32x4.lt(yv, sixV));
        d = v128.and(d, pass);
      }
      v128.store(dx + q, d);
      const bq = db + (<usize>c << 2);
      v128.store(bq, f32x4.add(v128.load(bq), d));
    }
    for (; c < C; c++) {
      const q = off + (<usize>c << 2);
      let d = load<f32>(g + q);
      if (act >= 1) {
        const yv = load<f32>(y + q);
        if (!(yv > 0 && (act != 2 || yv < 6))) d = 0;
      }
      store<f32>(dx + q, d);
      const bq = db + (<usize>c << 2);
      store<f32>(bq, load<f32>(bq) + d);
    }
  }
}
