import { describe, expect, it } from 'vitest';
import { conv2d } from '../../src/reference/ops/conv_2d.js';
import { depthwiseConv2d } from '../../src/reference/ops/depthwise_conv_2d.js';
import { fill, i32, i8, refOp, rng } from './conv_helpers.js';

const base = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, depthMultiplier: 1, inputOffset: 0, filterOffset: 0, outputOffset: 0, actMin: -128, actMax: 127 };

describe('DEPTHWISE_CONV_2D reference', () => {
  it('computes a hand-checked case with a depth multiplier', () => {
    // 1x2x2x2 input, 2x2 filter, multiplier 2 → 4 output channels; channel c*2+j reads input channel c.
    const x = i8([1, 2, 2, 2], [1, 10, 2, 20, 3, 30, 4, 40]);
    const w = i8([1, 2, 2, 4], [1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 2]);
    const y = i8([1, 1, 1, 4], [0, 0, 0, 0]);
    const op = refOp([x, w, undefined, i32([4], [1 << 30, 1 << 30, 1 << 30, 1 << 30]), i32([4], [1, 1, 1, -1])], y, { ...base, depthMultiplier: 2, inputOffset: -1, filterOffset: 1 });
    depthwiseConv2d(op);
    // oc0 (in c0, taps w+1 = 2,1,2,1): 0*2 + 1*1 + 2*2 + 3*1 = 8
    // oc1 (in c0, w+1 = 1,2,1,1): 0 + 2 + 2 + 3 = 7
    // oc2 (in c1, w+1 = 2,1,1,1): 9*2 + 19 + 29 + 39 = 105
    // oc3 (in c1, w+1 = 1,2,1,3): 9 + 38 + 29 + 117 = 193
    expect([...op.accumulators]).toEqual([8, 7, 105, 193]);
    // oc3: ×0.5 → 96.5 rounds to 97, then ÷2 → 48.5 rounds to 49 (TFLite's double rounding).
    expect([...y.data]).toEqual([8, 7, 105, 49]);
  });

  it('equals one single-channel CONV_2D per input channel', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const [H, W, C, M, KH, KW] = [r(1, 6), r(1, 6), r(1, 4), r(1, 3), r(1, 3), r(1, 3)];
      const OC = C * M;
      const [sh, sw, dh, dw, pt, pl] = [r(1, 2), r(1, 2), r(1, 2), r(1, 2), r(0, 1), r(0, 1)];
      const effH = (KH - 1) * dh + 1, effW = (KW - 1) * dw + 1;
      const OH = Math.floor((H + 2 * pt - effH) / sh) + 1, OW = Math.floor((W + 2 * pl - effW) / sw) + 1;
      if (OH < 1 || OW < 1) continue;
      const xv = fill(H * W * C, r, -128, 127);
      const wv = fill(KH * KW * OC, r, -128, 127);
      const bv = fill(OC, r, -3000, 3000), mv = fill(OC, r, 1 << 30, 0x7fffffff), sv = fill(OC, r, -10, 1);
      const p = { strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop: pt, padLeft: pl, inputOffset: r(-127, 128), filterOffset: r(-3, 3), outputOffset: r(-128, 127), actMin: -128, actMax: 127 };
      const y = i8([1, OH, OW, OC], new Array(OH * OW * OC).fill(0));
      depthwiseConv2d(refOp([i8([1, H, W, C], xv), i8([1, KH, KW, OC], wv), i32([OC], bv), i32([OC], mv), i32([OC], sv)], y, { ...p, depthMultiplier: M }));
      for (let c = 0; c < C; c++) {
        const xc = Array.from({ length: H * W }, (_, i) => xv[i * C + c]!);
        // conv filter [M, KH, KW, 1] from depthwise channels c*M .. c*M+M-1
        const wc = [];
        for (let j = 0; j < M; j++) for (let t = 0; t < KH * KW; t++) wc.push(wv[t * OC + c * M + j]!);
        const ch = (v: number[]) => v.slice(c * M, c * M + M);
        const yc = i8([1, OH, OW, M], new Array(OH * OW * M).fill(0));
        conv2d(refOp([i8([1, H, W, 1], xc), i8([M, KH, KW, 1], wc), i32([M], ch(bv)), i32([M], ch(mv)), i32([M], ch(sv))], yc, p));
        for (let i = 0; i < OH * OW; i++) for (let j = 0; j < M; j++) expect(y.data[i * OC + c * M + j]).toBe(yc.data[i * M + j]);
      }
    }
  });
});
