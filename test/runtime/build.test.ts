import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPath } from '../../src/runtime/locate.js';

describe('wasm builds', () => {
  it('the SIMD build stays within its 48 KB budget', () => {
    expect(statSync(buildPath('minnow.simd.wasm')).size).toBeLessThanOrEqual(48 * 1024);
  });

  it('each build carries only the instructions its engines run', async () => {
    const { default: binaryen } = await import('binaryen');
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
});
