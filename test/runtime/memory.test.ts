import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { buildPath } from '../../src/runtime/locate.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { sampleGraph } from '../format/helpers.js';

describe('fixed memory', () => {
  it.each(BUILDS)('%s: no memory.grow anywhere in the build', (build) => {
    const mod = binaryen.readBinary(readFileSync(buildPath(`minnow.${build}.wasm`)));
    const text = mod.emitText();
    mod.dispose();
    expect(text).toContain('(import "env" "memory"');
    expect(text).not.toMatch(/memory\.grow/);
  });

  it('the memory is created at its maximum and its byte length never changes over 10,000 runs', async () => {
    const m = await loadModel(sampleGraph().pack().bytes);
    const before = m.memoryBytes;
    const mem = (m as unknown as { memory: WebAssembly.Memory }).memory;
    expect(mem.buffer.byteLength).toBe(before);
    const input = new Int8Array(48).map((_, i) => i - 24);
    for (let i = 0; i < 10_000; i++) m.run(input, { copy: false });
    expect(mem.buffer.byteLength).toBe(before);
    // Growing is impossible: the memory was created with maximum = initial.
    expect(() => mem.grow(1)).toThrow(RangeError);
    expect(m.memoryBytes).toBeGreaterThanOrEqual(m.arenaBytes + m.fileBytes);
  });
});
