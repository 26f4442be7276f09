// The committed zoo models: they load, and inference on the official 10k test
// set reproduces the accuracy in their metrics.json (inference only, no training).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { FASHION_DIR, loadFashionMnist, loadMnist } from '../../src/train/data/mnist.js';
import { loadModel } from '../../src/train/io.js';
import { accuracy, confusionMatrix } from '../../src/train/metrics.js';
import { readRecipe } from '../../src/train/recipe.js';
import { ensureDebianPackage } from './debian.js';

const root = join(import.meta.dirname, '..', '..');

function checkZooModel(name: string, load: () => ReturnType<typeof loadMnist>, target: number): void {
  const dir = join(root, 'models', name);
  const model = loadModel(dir);
  const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
  const recipe = readRecipe(dir);
  expect(model.layers.slice(1).map((l) => l.name)).toEqual(recipe.architecture.layers.map((l) => l.name));
  expect(model.countParams()).toBe(metrics.params);
  const { test } = load();
  const pred = model.predict(test.x);
  const acc = accuracy(test.y.data, pred);
  expect(acc).toBeGreaterThanOrEqual(target);
  expect(acc).toBe(metrics.testAccuracy);
  expect(confusionMatrix(test.y.data, pred, 10)).toEqual(metrics.confusionMatrix);
  expect(metrics.testSamples).toBe(10000);
  expect(metrics.epochs).toBe(recipe.training.epochs);
}

describe('model zoo', () => {
  it('models/mnist-cnn reaches at least 99.0% on the MNIST test set, as metrics.json says', () => {
    checkZooModel('mnist-cnn', () => loadMnist({ limit: 1, testLimit: 10000 }), 0.99); // test split only
  });

  const haveFashion = ensureDebianPackage('dataset-fashion-mnist', join(FASHION_DIR, 'train-images-idx3-ubyte.gz'));
  it.skipIf(!haveFashion)('models/fashion-cnn reaches at least 90% on the Fashion-MNIST test set, as metrics.json says', () => {
    checkZooModel('fashion-cnn', () => loadFashionMnist({ limit: 1, testLimit: 10000 }), 0.9);
  });
});

describe('minnow train', () => {
  it('runs a recipe (shortened) and writes a loadable model and metrics', async () => {
    const out = mkdtempSync(join(tmpdir(), 'minnow-train-cli-'));
    const code = await main(['train', join(root, 'models', 'mnist-cnn'), '--limit', '300', '--epochs', '1', '--out', out, '--quiet']);
    expect(code).toBe(0);
    for (const f of ['model.json', 'weights.bin', 'metrics.json']) expect(existsSync(join(out, f)), f).toBe(true);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ model: 'mnist-cnn', testSamples: 300, trainingSamples: 300, epochs: 1 });
    expect(loadModel(out).countParams()).toBe(metrics.params);
    // Sections other tools added (the quantizer's int8 results) survive a re-run; training's own fields are replaced.
    writeFileSync(join(out, 'metrics.json'), JSON.stringify({ ...metrics, testAccuracy: -1, int8: { testAccuracy: 0.5 } }));
    expect(await main(['train', join(root, 'models', 'mnist-cnn'), '--limit', '300', '--epochs', '1', '--out', out, '--quiet'])).toBe(0);
    const again = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(again.int8).toEqual({ testAccuracy: 0.5 });
    expect(again.testAccuracy).toBe(metrics.testAccuracy);
  });

  it('reports a missing recipe with its error code and exit status 1', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const code = await main(['train', '/nonexistent/model']);
    expect(code).toBe(1);
    expect(err.mock.calls[0]![0]).toMatch(/^minnow train: \[E_FILE\] no recipe\.json in \/nonexistent\/model/);
    err.mockRestore();
  });
});
