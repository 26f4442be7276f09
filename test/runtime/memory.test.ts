import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { buildPath } from '../../src/runtime/locate.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';

describe('fixed memory', () => {
  it.each(BUILDS)('%s: no memory.grow anywhere in the build', (build) => {
    const mod = binaryen.readBinary(readFileSync(buildPath(`minnow.${build}.wasm`)));
    const text = mod.emitText();
    mod.dispose();
    expect(text).toContain('(import "env" "memory"');
    expect(text).not.toMatch(/memory\.grow/);
  });

  it.each(BUILDS)('%s: the memory is created at its maximum and its byte length never changes over 10,000 runs of the MNIST model', async (build) => {
    const m = await loadModel(readFileSync(new URL('../../models/mnist-cnn/model.mnw', import.meta.url)), { build });
    const before = m.memoryBytes;
    const mem = (m as unknown as { memory: WebAssembly.Memory }).memory;
    expect(mem.buffer.byteLength).toBe(before);
    const input = new Float32Array(28 * 28).map((_, i) => (i % 28) / 28);
    const first = Array.from(m.run(input)[0]!.raw);
    const view = m.inputView(0);
    for (let i = 0; i < 10_000; i++) {
      view[i % view.length] = (i % 200) - 100;
      m.invoke();
    }
    expect(mem.buffer.byteLength).toBe(before);
    expect(Array.from(m.run(input)[0]!.raw)).toEqual(first);
    expect(mem.buffer.byteLength).toBe(before);
    // Growing is impossible: the memory was created with maximum = initial.
    expect(() => mem.grow(1)).toThrow(RangeError);
    expect(m.memoryBytes).toBeGreaterThanOrEqual(m.arenaBytes + m.fileBytes);
  });
});
