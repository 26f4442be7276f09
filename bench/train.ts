// Training throughput: the MNIST CNN of models/mnist-cnn for one epoch with
// minnow (float32 wasm SIMD kernels) and with TensorFlow.js (pure-JS CPU backend,
// and the wasm backend if it has every kernel training needs), one thread, same
// data, same batch size, same optimizer. Prints samples/s and ratios.
//
//   npm run bench:train                        minnow: one epoch of 60,000 samples;
//                                              tfjs: the first 640 of them (see below)
//   npm run bench:train -- --samples 10000     a shorter epoch for minnow
//   npm run bench:train -- --peer-samples 2000 a longer run for tfjs
//   npm run bench:train -- --only minnow,tfjs-cpu
//
// tfjs's CPU backend trains this model at a few samples per second, so a full
// epoch would take hours: its samples/s is measured on the first --peer-samples
// samples of the same data (every batch costs the same, so the rate holds).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

// The peers live in bench/package.json, not in minnow's dependencies.
if (!existsSync(join(here, 'node_modules', '@tensorflow', 'tfjs', 'package.json'))) {
  console.log('installing the benchmark peers (npm --prefix bench ci) ...');
  execFileSync('npm', ['--prefix', here, existsSync(join(here, 'package-lock.json')) ? 'ci' : 'install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

const { loadMnist } = await import('../src/train/data/mnist.js');
const { readRecipe, buildModel } = await import('../src/train/recipe.js');
const { kernels } = await import('../src/train/kernels/index.js');

const argv = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const samples = arg('samples', 60000);
const peerSamples = Math.min(samples, arg('peer-samples', 640));
const batchSize = arg('batch', 64);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1]!.split(',') : null;

const data = loadMnist({ limit: samples });
const x = data.train.x;
const y = data.train.y;
const recipeDir = join(root, 'models', 'mnist-cnn');

interface Result {
  name: string;
  samplesPerSecond: number | null;
  note?: string;
}
const results: Result[] = [];

function runMinnow(n: number): Result {
  const model = buildModel(readRecipe(recipeDir));
  model.compile({
    optimizer: { type: 'adam', learningRate: 0.001 },
    loss: { type: 'sparseCategoricalCrossentropy', fromLogits: true },
  });
  const h = model.fit(x, y, { epochs: 1, batchSize, verbose: 0, seed: 1 });
  return { name: `minnow (${kernels().name}, ${n} samples)`, samplesPerSecond: n / h.seconds };
}

async function runTfjs(backend: 'cpu' | 'wasm', n: number): Promise<Result> {
  const require = createRequire(join(here, 'package.json'));
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    wasm.setThreadsCount(1);
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  }
  await tf.setBackend(backend);
  await tf.ready();
  const name = `tfjs ${backend} (${n} samples)`;
  // The same architecture as models/mnist-cnn/recipe.json.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: 'heNormal' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(0.001),
    // Cross-entropy from logits, as minnow's recipe uses.
    loss: (oneHot: import('@tensorflow/tfjs').Tensor, logits: import('@tensorflow/tfjs').Tensor) => tf.losses.softmaxCrossEntropy(oneHot, logits),
  });
  const xs = tf.tensor4d(x.data.subarray(0, n * 784), [n, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(y.data.subarray(0, n), 'int32'), 10);
  try {
    const t0 = performance.now();
    await model.fit(xs, ys, { epochs: 1, batchSize, shuffle: true, verbose: 0 });
    return { name, samplesPerSecond: n / ((performance.now() - t0) / 1000) };
  } catch (e) {
    return { name, samplesPerSecond: null, note: `cannot train this model: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    xs.dispose();
    ys.dispose();
    model.dispose();
  }
}

console.log(`training throughput: MNIST CNN (models/mnist-cnn), batch ${batchSize}, Adam, one thread, node ${process.version}`);
for (const which of ['minnow', 'tfjs-wasm', 'tfjs-cpu'])
  if (!only || only.includes(which)) {
    process.stdout.write(`  running ${which} ...\n`);
    const r = which === 'minnow' ? runMinnow(samples) : await runTfjs(which === 'tfjs-wasm' ? 'wasm' : 'cpu', peerSamples);
    results.push(r);
  }

const ours = results.find((r) => r.name.startsWith('minnow'))?.samplesPerSecond ?? null;
const w = Math.max(...results.map((r) => r.name.length));
console.log('');
for (const r of results) {
  const sps = r.samplesPerSecond === null ? '—' : r.samplesPerSecond.toFixed(0);
  const ratio = ours && r.samplesPerSecond && !r.name.startsWith('minnow') ? `  minnow is ${(ours / r.samplesPerSecond).toFixed(2)}x` : '';
  console.log(`  ${r.name.padEnd(w)}  ${sps.padStart(7)} samples/s${ratio}${r.note ? `  (${r.note})` : ''}`);
}
const peers = results.filter((r) => !r.name.startsWith('minnow') && r.samplesPerSecond);
if (ours && peers.length) {
  const best = peers.reduce((a, b) => (a.samplesPerSecond! > b.samplesPerSecond! ? a : b));
  console.log(`\n  against the fastest tfjs backend (${best.name}): ${(ours / best.samplesPerSecond!).toFixed(2)}x`);
}
