import { describe, expect, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import {
  erf, FUNCTIONS, genLutInt16, logisticInt8Table, lookup, lutInt16, lutInt8, tanhInt8Table,
} from '../../quantize/pack/ops/lookup.js';
import { lut16 } from '../../src/reference/ops/lookup.js';
import { runGraph } from './graph_helpers.js';

describe('LOOKUP tables and reference', () => {
  it('int8: indexes the table by x + 128', () => {
    const g = new GraphBuilder();
    const x = g.input('x', DType.INT8, [4], { scale: 1, zeroPoint: 0 });
    const table = Int8Array.from({ length: 256 }, (_, i) => 127 - i);
    g.output(lookup(g, x, table, { scale: 1, zeroPoint: 0 }), 'y');
    expect(Array.from(runGraph(g, [Int8Array.from([-128, -1, 0, 127])])[0]!)).toEqual([127, 0, -1, -128]);
  });

  it('int16: interpolates between entries with an int16 slope, as lut_lookup', () => {
    const t = new Int16Array(513);
    t[256] = 100;
    t[257] = 228;
    expect(lut16(0, t)).toBe(100);
    expect(lut16(64, t)).toBe(164); // 100 + (128 * 64 + 64) >> 7
    expect(lut16(1, t)).toBe(101);
    // A jump of 65535 wraps to a slope of -1 in int16.
    t[300] = -32768;
    t[301] = 32767;
    // x = 44 * 128 + 127: base -32768, slope int16(65535) = -1, delta (-127 + 64) >> 7 = -1, int16(-32769) = 32767.
    expect(lut16(44 * 128 + 127, t)).toBe(32767);
  });

  it('LUTPopulate int8 tables track the function', () => {
    const inQ = { scale: 0.05, zeroPoint: 3 };
    const outQ = { scale: 1 / 256, zeroPoint: -128 };
    const t = lutInt8(FUNCTIONS.sigmoid, inQ, outQ);
    for (let v = -128; v <= 127; v++) {
      const want = Math.round(1 / (1 + Math.exp(-0.05 * (v - 3))) * 256) - 128;
      expect(Math.abs(t[v + 128]! - Math.min(want, 127))).toBeLessThanOrEqual(1);
    }
  });

  it('fixed-point logistic and tanh tables are within one step of the float functions', () => {
    for (const scale of [0.01, 0.05, 0.1, 0.3]) {
      const lg = logisticInt8Table({ scale, zeroPoint: -5 });
      const th = tanhInt8Table({ scale, zeroPoint: 7 });
      for (let v = -128; v <= 127; v++) {
        const sig = Math.min(Math.round(256 / (1 + Math.exp(-scale * (v + 5)))) - 128, 127);
        const tnh = Math.max(Math.min(Math.round(128 * Math.tanh(scale * (v - 7))), 127), -128);
        expect(Math.abs(lg[v + 128]! - sig)).toBeLessThanOrEqual(1);
        expect(Math.abs(th[v + 128]! - tnh)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('gen_lut int16 tables interpolate the function to a few steps', () => {
    const inQ = { scale: 8 / 32768, zeroPoint: 0 };
    const outQ = { scale: 1 / 32768, zeroPoint: 0 };
    const t = lutInt16(Math.tanh, inQ, outQ);
    let worst = 0;
    for (let v = -32768; v <= 32767; v += 37) worst = Math.max(worst, Math.abs(lut16(v, t) - Math.tanh(v * inQ.scale) * 32768));
    expect(worst).toBeLessThan(8);
    // The table's end point is f(inputMax) itself.
    expect(genLutInt16((x) => x, -1, 1, -1, 1)[512]).toBe(32767);
  });

  it('erf is accurate to double precision', () => {
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 15);
    expect(erf(3)).toBeCloseTo(0.9999779095030014, 15);
  });
});
