import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
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

describe('invokeOps (per-op profiles)', () => {
  it.each(BUILDS)('%s build: running the ops one by one gives the whole run', async (build) => {
    const bytes = new Uint8Array(readFileSync(new URL('../../models/mnist-cnn/model.mnw', import.meta.url)));
    const m = await loadModel(bytes, { build });
    const x = Int8Array.from({ length: m.inputs[0]!.size }, (_, i) => ((i * 37) % 256) - 128);
    const whole = Array.from(m.run(x)[0]!.raw);
    m.outputView(0).fill(0);
    m.setInput(0, x);
    for (let i = 0; i < m.file.ops.length; i++) m.invokeOps(i, 1);
    expect(Array.from(m.outputView(0))).toEqual(whole);
    // Ranges past the end are clipped; nothing runs for an empty range. (The
    // arena reuses the input's bytes for later activations: write it again.)
    m.outputView(0).fill(0);
    m.invokeOps(m.file.ops.length, 5);
    expect(Array.from(m.outputView(0)).every((v) => v === 0)).toBe(true);
    m.setInput(0, x);
    m.invokeOps(0, 1e9);
    expect(Array.from(m.outputView(0))).toEqual(whole);
  });
});
