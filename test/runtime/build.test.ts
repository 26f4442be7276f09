import { readFileSync, statSync } from 'node:fs';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { buildPath } from '../../src/runtime/locate.js';

describe('wasm builds', () => {
  it('the SIMD build stays within its 48 KB budget', () => {
    expect(statSync(buildPath('minnow.simd.wasm')).size).toBeLessThanOrEqual(48 * 1024);
  });

  it('each build carries only the instructions its engines run', async () => {
    const text = (build: string) => {
      const mod = binaryen.readBinary(readFileSync(buildPath(`minnow.${build}.wasm`)));
      const t = mod.emitText();
      mod.dispose();
      return t;
    };
    const scalar = text('scalar');
    const simd = text('simd');
    expect(scalar).not.toMatch(/v128|i8x16|i32x4/);
    expect(simd).toMatch(/i32x4/);
    expect(simd).not.toMatch(/relaxed/);
    expect(text('relaxed')).toMatch(/relaxed/);
  });

  it('the relaxed probe covers every relaxed instruction the relaxed build uses', () => {
    const mod = binaryen.readBinary(readFileSync(buildPath('minnow.relaxed.wasm')));
    const used = new Set(mod.emitText().match(/[a-z0-9]+\.relaxed_[a-z0-9_]+/g) ?? []);
    mod.dispose();
    const probe = readFileSync(new URL('../../assembly/probe.ts', import.meta.url), 'utf8');
    expect(used.size).toBeGreaterThan(0);
    for (const op of used) expect(probe, `${op} is used but not probed`).toContain(op.replace(/^[a-z0-9]+\./, ''));
  });
});
