import { describe, expect, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { concatenation } from '../../quantize/pack/ops/concatenation.js';
import { dequantize } from '../../quantize/pack/ops/dequantize.js';
import { pad } from '../../quantize/pack/ops/pad.js';
import { quantize } from '../../quantize/pack/ops/quantize.js';
import { runGraph } from './graph_helpers.js';

describe('QUANTIZE / DEQUANTIZE references', () => {
  it('float → int8 rounds half away from zero, saturates, NaN gives the zero point', () => {
    const g = new GraphBuilder();
    const x = g.input('x', DType.FLOAT32, [9]);
    g.output(quantize(g, x, DType.INT8, { scale: 0.5, zeroPoint: -1 }), 'y');
    const [y] = runGraph(g, [Float32Array.from([0.25, -0.25, 0.75, -0.75, 0.2, 1000, -1000, NaN, -Infinity])]);
    expect(Array.from(y!)).toEqual([0, -2, 1, -3, -1, 127, -128, -1, -128]);
  });
  it('requantizes int8 → int16 and int16 → int8', () => {
    const g = new GraphBuilder();
    const x = g.input('x', DType.INT8, [3], { scale: 0.5, zeroPoint: 10 });
    g.output(quantize(g, x, DType.INT16, { scale: 0.125, zeroPoint: 0 }), 'y');
    expect(Array.from(runGraph(g, [Int8Array.from([10, 11, -128])])[0]!)).toEqual([0, 4, -552]);
    const h = new GraphBuilder();
    const z = h.input('x', DType.INT16, [3], { scale: 0.001, zeroPoint: 0 });
    h.output(quantize(h, z, DType.INT8, { scale: 0.1, zeroPoint: 5 }), 'y');
    expect(Array.from(runGraph(h, [Int16Array.from([150, -149, 32767])])[0]!)).toEqual([7, 4, 127]);
  });
  it('dequantizes (q - zp) * scale in float32', () => {
    const g = new GraphBuilder();
    const x = g.input('x', DType.INT8, [3], { scale: 0.1, zeroPoint: 3 });
    g.output(dequantize(g, x), 'y');
    expect(Array.from(runGraph(g, [Int8Array.from([3, 4, -128])])[0]!)).toEqual([0, Math.fround(0.1), Math.fround(-131 * Math.fround(0.1))]);
  });
});

describe('PAD / CONCATENATION references', () => {
  it('pads right-aligned dimensions with the pad value', () => {
    const g = new GraphBuilder();
    const x = g.input('x', DType.INT8, [2, 2], { scale: 1, zeroPoint: 9 });
    g.output(pad(g, x, [[1, 0], [0, 1]]), 'y');
    expect(Array.from(runGraph(g, [Int8Array.from([1, 2, 3, 4])])[0]!)).toEqual([9, 9, 9, 1, 2, 9, 3, 4, 9]);
  });
  it('concatenates along an inner axis', () => {
    const g = new GraphBuilder();
    const q = { scale: 1, zeroPoint: 0 };
    const a = g.input('a', DType.INT16, [2, 1], q);
    const b = g.input('b', DType.INT16, [2, 2], q);
    g.output(concatenation(g, [a, b], -1), 'y');
    expect(Array.from(runGraph(g, [Int16Array.from([1, 2]), Int16Array.from([10, 11, 20, 21])])[0]!)).toEqual([1, 10, 11, 2, 20, 21]);
  });
});
