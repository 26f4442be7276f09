import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { conv2d } from '../../src/reference/ops/conv_2d.js';
import { fullyConnected } from '../../src/reference/ops/fully_connected.js';
import {
  multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierFast, quantizeMultiplier, saturatingRoundingDoublingHighMul, srdhmFast,
} from '../../src/reference/fixedpoint.js';
import { fill, i32, i8, refOp, rng } from './conv_helpers.js';

const base = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, inputOffset: 0, filterOffset: 0, outputOffset: 0, actMin: -128, actMax: 127 };

describe('fast fixed-point helpers', () => {
  it('srdhmFast equals the BigInt definition', () => {
    const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
    fc.assert(fc.property(int32, int32, (a, b) => srdhmFast(a, b) === saturatingRoundingDoublingHighMul(a, b)), { numRuns: 20000 });
    for (const [a, b] of [[-0x80000000, -0x80000000], [-0x80000000, 0x7fffffff], [-1, 0x40000000], [1, 0x40000000], [-3, 0x40000000], [0x7fffffff, 0x7fffffff]])
      expect(srdhmFast(a!, b!)).toBe(saturatingRoundingDoublingHighMul(a!, b!));
  });
  it('multiplyByQuantizedMultiplierFast equals the BigInt definition', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: -31, max: 30 }),
        (x, m, s) => multiplyByQuantizedMultiplierFast(x, m, s) === multiplyByQuantizedMultiplier(x, m, s)),
      { numRuns: 20000 },
    );
  });
});

describe('CONV_2D reference', () => {
  it('computes a hand-checked 3x3 convolution with padding, offsets and bias', () => {
    const x = i8([1, 2, 2, 1], [1, 2, 3, 4]);
    const w = i8([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const y = i8([1, 2, 2, 1], [0, 0, 0, 0]);
    const op = refOp([x, w, i32([1], [2]), i32([1], [1 << 30]), i32([1], [0])], y, { ...base, padTop: 1, padLeft: 1, inputOffset: 1, outputOffset: 3 });
    conv2d(op);
    // Padded taps contribute nothing: (0,0) sees filter taps 5,6,8,9 on x+1 = 2,3,4,5.
    expect([...op.accumulators]).toEqual([107, 93, 65, 51]);
    // ×0.5 rounds half up (53.5 → 54), then + output offset 3.
    expect([...y.data]).toEqual([57, 50, 36, 29]);
  });

  it('rounds negative halves up, applies shifts and clamps', () => {
    const x = i8([1, 1, 1, 2], [-10, 5]);
    const w = i8([3, 1, 1, 2], [1, 0, 0, 1, 3, 3]);
    const y = i8([1, 1, 1, 3], [0, 0, 0]);
    // acc: -10, 5, -15 (then bias -1, 0, 0): -11, 5, -15
    const op = refOp([x, w, i32([3], [-1, 0, 0]), i32([3], [1 << 30, 1 << 30, 1 << 30]), i32([3], [-1, 3, 0])], y, { ...base, actMin: -7 });
    conv2d(op);
    expect([...op.accumulators]).toEqual([-11, 5, -15]);
    // -11 × 0.25 = -2.75 → -3; 5 × 4 = 20; -15 × 0.5 = -7.5 → -7 (half up); clamp at -7.
    expect([...y.data]).toEqual([-3, 20, -7]);
  });

  it('equals a valid convolution of the input padded with its zero point', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), (seed) => {
        const r = rng(seed);
        const [H, W, C, OC, KH, KW] = [r(1, 7), r(1, 7), r(1, 5), r(1, 5), r(1, 3), r(1, 3)];
        const [sh, sw, dh, dw] = [r(1, 2), r(1, 2), r(1, 2), r(1, 2)];
        const [pt, pl, pb, pr] = [r(0, 2), r(0, 2), r(0, 2), r(0, 2)];
        const PH = H + pt + pb, PW = W + pl + pr;
        const effH = (KH - 1) * dh + 1, effW = (KW - 1) * dw + 1;
        if (PH < effH || PW < effW) return;
        const OH = Math.floor((PH - effH) / sh) + 1, OW = Math.floor((PW - effW) / sw) + 1;
        const zp = r(-128, 127);
        const xv = fill(H * W * C, r, -128, 127);
        const padded = new Array(PH * PW * C).fill(zp);
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) padded[((y + pt) * PW + x + pl) * C + c] = xv[(y * W + x) * C + c];
        const w = i8([OC, KH, KW, C], fill(OC * KH * KW * C, r, -128, 127));
        const bias = i32([OC], fill(OC, r, -5000, 5000));
        const mult = i32([OC], fill(OC, r, 1 << 30, 0x7fffffff));
        const shift = i32([OC], fill(OC, r, -12, 0));
        const p = { strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, inputOffset: -zp, filterOffset: r(0, 1) ? 0 : r(-255, 255), outputOffset: r(-128, 127), actMin: -128, actMax: 127 };
        const a = refOp([i8([1, H, W, C], xv), w, bias, mult, shift], i8([1, OH, OW, OC], []), { ...p, padTop: pt, padLeft: pl });
        const b = refOp([i8([1, PH, PW, C], padded), w, bias, mult, shift], i8([1, OH, OW, OC], []), { ...p, padTop: 0, padLeft: 0 });
        a.outputs[0]!.data = new Int8Array(OH * OW * OC);
        b.outputs[0]!.data = new Int8Array(OH * OW * OC);
        a.accumulators = new Int32Array(OH * OW * OC);
        b.accumulators = new Int32Array(OH * OW * OC);
        conv2d(a);
        conv2d(b);
        expect(a.accumulators).toEqual(b.accumulators);
        expect(a.outputs[0]!.data).toEqual(b.outputs[0]!.data);
      }),
      { numRuns: 200 },
    );
  });

  it('a 1x1 convolution is a fully connected layer over the pixels', () => {
    const r = rng(7);
    const [N, H, W, C, OC] = [2, 3, 5, 19, 6];
    const x = fill(N * H * W * C, r, -128, 127);
    const w = fill(OC * C, r, -128, 127);
    const q = [i32([OC], fill(OC, r, -1e5, 1e5)), i32([OC], fill(OC, r, 1 << 30, 0x7fffffff)), i32([OC], fill(OC, r, -14, -6))];
    const p = { inputOffset: 17, filterOffset: 0, outputOffset: -5, actMin: -100, actMax: 90 };
    const a = refOp([i8([N, H, W, C], x), i8([OC, 1, 1, C], w), ...q], i8([N, H, W, OC], new Array(N * H * W * OC).fill(0)), { ...base, ...p });
    const b = refOp([i8([N * H * W, C], x), i8([OC, C], w), ...q], i8([N * H * W, OC], new Array(N * H * W * OC).fill(0)), p);
    conv2d(a);
    fullyConnected(b);
    expect(a.accumulators).toEqual(b.accumulators);
    expect(a.outputs[0]!.data).toEqual(b.outputs[0]!.data);
  });

  it('tracks the float convolution within one quantization step', () => {
    const r = rng(99);
    const [H, W, C, OC] = [6, 6, 3, 4];
    const [sx, sw, sy] = [0.05, [0.01, 0.02, 0.005, 0.03], 0.2];
    const zx = 10, zy = -20;
    const xv = fill(H * W * C, r, -128, 127);
    const wv = fill(OC * 9 * C, r, -127, 127);
    const bv = fill(OC, r, -2000, 2000);
    const qm = sw.map((s) => quantizeMultiplier((sx * s) / sy));
    const y = i8([1, 3, 3, OC], new Array(9 * OC).fill(0));
    conv2d(refOp([i8([1, H, W, C], xv), i8([OC, 3, 3, C], wv), i32([OC], bv), i32([OC], qm.map((q) => q.multiplier)), i32([OC], qm.map((q) => q.shift))], y,
      { ...base, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, inputOffset: -zx, outputOffset: zy }));
    for (let oy = 0; oy < 3; oy++) for (let ox = 0; ox < 3; ox++) for (let oc = 0; oc < OC; oc++) {
      let f = bv[oc]! * sx * sw[oc]!;
      for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) {
        const iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
        if (iy < 0 || ix < 0 || iy >= H || ix >= W) continue;
        for (let c = 0; c < C; c++) f += (xv[(iy * W + ix) * C + c]! - zx) * sx * wv[((oc * 3 + ky) * 3 + kx) * C + c]! * sw[oc]!;
      }
      const want = Math.max(-128, Math.min(127, Math.round(f / sy) + zy));
      expect(Math.abs(y.data[(oy * 3 + ox) * OC + oc]! - want)).toBeLessThanOrEqual(1);
    }
  });
});
