import { readFileSync, statSync } from 'node:fs';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { buildPath } from '../../src/runtime/locate.js';
import { compileBuild } from '../../src/runtime/wasm.js';
import { EXACT_U8_LANE, fusedDotModule } from './fused-dot.js';

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

  it('the relaxed build takes u8 inputs through the fused dot exactly where this engine reads them as u8 (Node 20: it does not); the SIMD build never', async () => {
    const { instance } = await WebAssembly.instantiate(fusedDotModule());
    const engineReadsU8 = (instance.exports.dot as () => number)() === EXACT_U8_LANE;
    const flag = async (build: 'simd' | 'relaxed') => {
      const b = await compileBuild(build);
      if (!b) throw new Error(`the ${build} build does not run here`);
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
      const x = (await WebAssembly.instantiate(b.module, { env: { memory } })).exports as { fusedDotU8(): number };
      return x.fusedDotU8();
    };
    expect(await flag('relaxed')).toBe(engineReadsU8 ? 1 : 0);
    expect(await flag('simd')).toBe(0);
  });
});
