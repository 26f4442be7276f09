import { describe, expect, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';

describe('runtime smoke', () => {
  it.each(BUILDS)('%s build loads and runs a reshape model', async (build) => {
    const g = new GraphBuilder();
    const x = g.input('x', DType.INT8, [2, 3], { scale: 0.5, zeroPoint: 1 });
    g.output(g.reshape(x, [3, 2], 'y'));
    const m = await loadModel(g.pack().bytes, { build });
    expect(m.build).toBe(build);
    const out = m.run(new Int8Array([1, 2, 3, -4, 5, 127]));
    expect(Array.from(out[0]!.raw)).toEqual([1, 2, 3, -4, 5, 127]);
    expect(out[0]!.shape).toEqual([3, 2]);
    expect(Array.from(out[0]!.values)).toEqual([0, 0.5, 1, -2.5, 2, 63]);
  });
});
