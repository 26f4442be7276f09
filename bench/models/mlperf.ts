// The four MLPerf Tiny reference architectures, rebuilt with seeded random
// weights (batch norm folded into a random per-channel gain and bias) and
// quantized to int8 on seeded random calibration inputs. The architectures
// follow MLPerf Tiny's reference Keras models (mlcommons/tiny, benchmark/training):
// layer shapes, strides and activations; trained weights do not matter for speed.
import { NetBuilder, type Net } from '../export/net.js';
import { quantizeNet, randomWeights, Rng } from './quantize.js';

export interface BenchModel {
  name: string;
  description: string;
  /** The int8 network (and its float weights). */
  net: Net;
  /** One input in float, the same for every runtime. */
  input: Float32Array;
}

const CALIBRATION = 4;

function finish(name: string, description: string, b: NetBuilder, out: number, rng: Rng): BenchModel {
  const net = b.finish(out);
  const n = net.tensors[net.input]!.shape.reduce((a, c) => a * c, 1);
  // The benchmark input is one of the calibration inputs, so that the int8
  // network's output stays close to the float network's on it.
  const calib = Array.from({ length: CALIBRATION }, () => rng.floats(n));
  quantizeNet(net, calib, [-1, 1]);
  return { name, description, net, input: calib[0]! };
}

const conv = (rng: Rng, oc: number, kh: number, kw: number, ic: number) => randomWeights(rng, [oc, kh, kw, ic], 0, kh * kw * ic);
const depthwise = (rng: Rng, c: number, k = 3) => randomWeights(rng, [1, k, k, c], 3, k * k);
const dense = (rng: Rng, oc: number, k: number, gain = 2) => randomWeights(rng, [oc, k], 0, k, gain);

/** Keyword spotting: DS-CNN (small), 49 MFCC frames x 10 coefficients, 12 classes. */
export function dsCnn(seed = 1): BenchModel {
  const rng = new Rng(seed);
  const b = new NetBuilder('ds-cnn', [1, 49, 10, 1]);
  let x = b.conv2d(b.net.input, conv(rng, 64, 10, 4, 1), { stride: [2, 2], padding: 'same', activation: 'relu', name: 'conv1' });
  for (let i = 1; i <= 4; i++) {
    x = b.depthwise(x, depthwise(rng, 64), { padding: 'same', activation: 'relu', name: `dw${i}` });
    x = b.conv2d(x, conv(rng, 64, 1, 1, 64), { activation: 'relu', name: `pw${i}` });
  }
  const [, h, w] = b.shape(x) as [number, number, number];
  x = b.pool('avgpool', x, { filter: [h, w], name: 'pool' });
  x = b.reshape(x, [1, 64], 'flatten');
  x = b.dense(x, dense(rng, 12, 64, 1), { name: 'logits' });
  return finish('ds-cnn', 'keyword spotting DS-CNN, 49x10x1', b, b.softmax(x, { name: 'softmax' }), rng);
}

/** Visual wake words: MobileNetV1 with width 0.25 at 96x96x3, 2 classes. */
export function mobileNetV1(seed = 2): BenchModel {
  const rng = new Rng(seed);
  const b = new NetBuilder('mobilenet-v1-0.25', [1, 96, 96, 3]);
  let c = 8;
  let x = b.conv2d(b.net.input, conv(rng, c, 3, 3, 3), { stride: [2, 2], padding: 'same', activation: 'relu', name: 'conv1' });
  const blocks: [number, number][] = [[16, 1], [32, 2], [32, 1], [64, 2], [64, 1], [128, 2], [128, 1], [128, 1], [128, 1], [128, 1], [128, 1], [256, 2], [256, 1]];
  blocks.forEach(([oc, s], i) => {
    x = b.depthwise(x, depthwise(rng, c), { stride: [s, s], padding: 'same', activation: 'relu', name: `dw${i + 1}` });
    x = b.conv2d(x, conv(rng, oc, 1, 1, c), { activation: 'relu', name: `pw${i + 1}` });
    c = oc;
  });
  const [, h, w] = b.shape(x) as [number, number, number];
  x = b.pool('avgpool', x, { filter: [h, w], name: 'pool' });
  x = b.reshape(x, [1, c], 'flatten');
  x = b.dense(x, dense(rng, 2, c, 1), { name: 'logits' });
  return finish('mobilenet-v1-0.25', 'visual wake words MobileNetV1-0.25, 96x96x3', b, b.softmax(x, { name: 'softmax' }), rng);
}

/** Image classification: ResNet-8 on 32x32x3 (CIFAR-10), 10 classes. */
export function resNet8(seed = 3): BenchModel {
  const rng = new Rng(seed);
  const b = new NetBuilder('resnet-8', [1, 32, 32, 3]);
  let x = b.conv2d(b.net.input, conv(rng, 16, 3, 3, 3), { activation: 'relu', name: 'conv1' });
  let c = 16;
  [16, 32, 64].forEach((oc, i) => {
    const s = i === 0 ? 1 : 2;
    const y = b.conv2d(x, conv(rng, oc, 3, 3, c), { stride: [s, s], activation: 'relu', name: `stack${i + 1}a` });
    const z = b.conv2d(y, conv(rng, oc, 3, 3, oc, ), { name: `stack${i + 1}b` });
    const shortcut = i === 0 ? x : b.conv2d(x, conv(rng, oc, 1, 1, c), { stride: [s, s], name: `stack${i + 1}short` });
    x = b.add(z, shortcut, { activation: 'relu', name: `stack${i + 1}add` });
    c = oc;
  });
  const [, h, w] = b.shape(x) as [number, number, number];
  x = b.pool('avgpool', x, { filter: [h, w], name: 'pool' });
  x = b.reshape(x, [1, c], 'flatten');
  x = b.dense(x, dense(rng, 10, c, 1), { name: 'logits' });
  return finish('resnet-8', 'image classification ResNet-8, 32x32x3', b, b.softmax(x, { name: 'softmax' }), rng);
}

/** Anomaly detection: the fully connected autoencoder on 640 log-mel values (5 frames x 128). */
export function autoencoder(seed = 4): BenchModel {
  const rng = new Rng(seed);
  const b = new NetBuilder('fc-autoencoder', [1, 640]);
  let x = b.net.input;
  let k = 640;
  for (const [units, i] of [128, 128, 128, 128, 8, 128, 128, 128, 128].map((u, i) => [u, i] as const)) {
    x = b.dense(x, dense(rng, units, k), { activation: 'relu', name: `dense${i + 1}` });
    k = units;
  }
  x = b.dense(x, dense(rng, 640, k, 1), { name: 'output' });
  return finish('fc-autoencoder', 'anomaly detection autoencoder, 640', b, x, rng);
}

export const MLPERF_TINY = [dsCnn, mobileNetV1, resNet8, autoencoder];
