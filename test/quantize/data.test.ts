import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../src/io/npy.js';
import { openData } from '../../quantize/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'minnow-data-'));

describe('calibration data specs', () => {
  it('reads [N, ...sample] and single-sample files', () => {
    writeNpy(join(dir, 'a.npy'), Float32Array.from({ length: 2 * 12 }, (_, i) => i), [2, 2, 2, 3]);
    const ds = openData(join(dir, 'a.npy'), [2, 2, 3]);
    expect(ds.count).toBe(2);
    writeNpy(join(dir, 'one.npy'), Float32Array.from({ length: 12 }, (_, i) => i), [2, 2, 3]);
    expect(openData(join(dir, 'one.npy'), [2, 2, 3]).count).toBe(1);
    // Unit axes may differ: [N, 28, 28] feeds a [28, 28, 1] input.
    writeNpy(join(dir, 'grey.npy'), new Float32Array(3 * 16), [3, 4, 4]);
    expect(openData(join(dir, 'grey.npy'), [4, 4, 1]).count).toBe(3);
  });

  it('streams a file batch by batch with the values in order', () => {
    const n = 100;
    writeNpy(join(dir, 'big.npy'), Int8Array.from({ length: n * 6 }, (_, i) => (i % 251) - 125), [n, 6]);
    const ds = openData(join(dir, 'big.npy'), [6]);
    const seen: number[] = [];
    for (const b of ds.batches(7)) {
      expect(b.x.length).toBe(b.n * 6);
      seen.push(...b.x);
    }
    expect(seen).toEqual(Array.from({ length: n * 6 }, (_, i) => (i % 251) - 125));
  });

  it('transposes channels-first samples for a channels-last model', () => {
    // One sample [C=3, H=2, W=2]: channel c holds 100*c + pixel.
    const nchw = Float32Array.from({ length: 12 }, (_, i) => 100 * Math.floor(i / 4) + (i % 4));
    writeNpy(join(dir, 'nchw.npy'), nchw, [1, 3, 2, 2]);
    const ds = openData(join(dir, 'nchw.npy'), [2, 2, 3]);
    const b = ds.batches(8).next().value!;
    expect(Array.from(b.x)).toEqual([0, 100, 200, 1, 101, 201, 2, 102, 202, 3, 103, 203]);
  });

  it('refuses samples of another shape instead of reshaping them', () => {
    writeNpy(join(dir, 'bad.npy'), new Float32Array(2 * 12), [2, 4, 3]);
    expect(() => openData(join(dir, 'bad.npy'), [2, 2, 3])).toThrow(expect.objectContaining({ code: 'E_DATA_SHAPE' }));
    expect(() => openData(join(dir, 'missing.npy'), [2, 2, 3])).toThrow(expect.objectContaining({ code: 'E_DATA_MISSING' }));
  });
});
