// Runs a graph built with the packer through the reference interpreter, so the
// reference tests cover the pack-time preparation too.
import type { AnyTypedArray } from '../../src/format/dtypes.js';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import type { GraphBuilder } from '../../quantize/pack/graph.js';

export function runGraph(g: GraphBuilder, inputs: AnyTypedArray[]): AnyTypedArray[] {
  return runReference(readMnw(g.pack().bytes), inputs).outputs;
}

/** Quantizes reals as TFLite's test helpers do (round half away from zero, saturate). */
export function quantizeAll(xs: readonly number[], scale: number, zeroPoint: number, lo = -128, hi = 127): number[] {
  return xs.map((x) => {
    const q = Math.fround(x / scale);
    const r = (q < 0 ? -Math.floor(-q + 0.5) : Math.floor(q + 0.5)) + zeroPoint;
    return Math.min(Math.max(r, lo), hi);
  });
}
