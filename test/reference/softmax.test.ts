import { describe, expect, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { softmax, softmaxParams } from '../../quantize/pack/ops/softmax.js';
import { quantizeAll, runGraph } from './graph_helpers.js';

describe('SOFTMAX reference', () => {
  it('prepares TFLite parameters: beta 1, scale 0.1', () => {
    // 0.1 * 2^26 = 6710886.4 → multiplier 0.8 * 2^31, shift 23; radius floor(31 * 2^26 / 2^23) = 248.
    expect(softmaxParams(1, 0.1)).toEqual({ inputBetaMultiplier: Math.round(Math.fround(0.1) * 2 ** 26 / 2 ** 23 * 2 ** 31), inputBetaLeftShift: 23, diffMin: -248 });
  });

  it("matches TFLite Micro's int8 goldens within one step (input scale 0.1)", () => {
    const input = [3, 6, -5, 4, -9, -10, -10, -8, 2, 2, 8, -5, -8, 5, -6, 1, 2, 3, 4, 5, -1, -2, -3, -4, -5];
    const rows: number[][] = [];
    for (let r = 0; r < input.length; r += 5) rows.push(input.slice(r, r + 5));
    const golden = rows.flatMap((row) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    const g = new GraphBuilder();
    const x = g.input('x', DType.INT8, [5, 5], { scale: 0.1, zeroPoint: 0 });
    g.output(softmax(g, x), 'y');
    const [y] = runGraph(g, [Int8Array.from(quantizeAll(input, 0.1, 0))]);
    const want = quantizeAll(golden, 1 / 256, -128);
    Array.from(y!).forEach((v, i) => expect(Math.abs(Number(v) - want[i]!)).toBeLessThanOrEqual(1));
  });

  it('gives -128 below diffMin and 127 for a lone maximum', () => {
    const g = new GraphBuilder();
    const x = g.input('x', DType.INT8, [1, 3], { scale: 1, zeroPoint: 0 });
    g.output(softmax(g, x), 'y');
    const [y] = runGraph(g, [Int8Array.from([100, -100, 100])]);
    expect(Array.from(y!)).toEqual([0, -128, 0]);
    const [z] = runGraph(g, [Int8Array.from([127, -128, -128])]);
    expect(Array.from(z!)).toEqual([127, -128, -128]);
  });
});
