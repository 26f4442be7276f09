import { describe, expect, it } from 'vitest';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import type { IrGraph } from '../../quantize/ir/graph.js';
import { runFloat } from '../../quantize/ir/execute.js';
import { lower } from '../../quantize/lower/lower.js';

describe('elementwise ops with constant operands', () => {
  // y = (x * scale + shift) - offset, per channel: a normalization layer as exporters write it.
  const g: IrGraph = {
    name: 'norm', inputs: ['x'], outputs: ['y'], meta: {},
    tensors: new Map([
      ...['x', 'a', 'b', 'y'].map((t) => [t, { name: t, shape: [2, 2, 3] }] as const),
      ['scale', { name: 'scale', shape: [3], data: Float32Array.of(0.5, 2, -1) }],
      ['shift', { name: 'shift', shape: [3], data: Float32Array.of(0.25, -0.5, 1) }],
      ['offset', { name: 'offset', shape: [3], data: Float32Array.of(0.1, 0.2, 0.3) }],
    ]),
    nodes: [
      { name: 'mul', op: 'mul', inputs: ['x', 'scale'], outputs: ['a'], attrs: {} },
      { name: 'add', op: 'add', inputs: ['a', 'shift'], outputs: ['b'], attrs: {} },
      { name: 'sub', op: 'sub', inputs: ['b', 'offset'], outputs: ['y'], attrs: {} },
    ],
  };
  const x = Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 6);
  const acts = runFloat(g, [x], 1);
  const ranges = new Map<string, [number, number]>();
  for (const t of ['x', 'a', 'b', 'y']) {
    const v = acts.get(t)!;
    ranges.set(t, [Math.min(...v), Math.max(...v)]);
  }
  const bytes = lower(g, ranges).builder.pack().bytes;

  it('lowers, runs bit-exact in every build, and tracks the float result', async () => {
    const ref = runReference(readMnw(bytes), [x]).outputs[0]!;
    for (const build of BUILDS) {
      const m = await loadModel(bytes, { build });
      const out = m.run(x)[0]!;
      expect(Array.from(out.raw), build).toEqual(Array.from(ref));
      const want = acts.get('y')!;
      out.values.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(0.05));
    }
  });
});
