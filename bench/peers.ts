// The peer runtimes, each loaded from bench/node_modules and run on one thread:
//   tflite-xnnpack  @tensorflow/tfjs-tflite (TFLite + XNNPACK in wasm SIMD), int8 .tflite
//   ort-web         onnxruntime-web (wasm), QDQ .onnx, numThreads = 1
//   ort-node        onnxruntime-node (native CPU), QDQ .onnx, intraOpNumThreads = 1
//                   (uint8 activations by default: see bench/run.ts)
//   tfjs-wasm       @tensorflow/tfjs-backend-wasm (XNNPACK, float), the float network as tfjs ops, no threads
// Each returns the call that is timed and a way to read the output after it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { Net } from './export/net.js';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** Installs the peers into bench/node_modules on first use (they are not dependencies of the minnow package). */
export function ensurePeers(): void {
  if (existsSync(join(here, 'node_modules', 'onnxruntime-web', 'package.json'))) return;
  console.log('Installing the peer runtimes into bench/node_modules (npm --prefix bench ci) ...');
  const r = spawnSync('npm', ['--prefix', here, 'ci', '--legacy-peer-deps', '--no-audit', '--no-fund'], {
    stdio: 'inherit',
    // onnxruntime-node's install script would download CUDA libraries; its CPU build ships in the package.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip' },
  });
  if (r.status !== 0) throw new Error('could not install the peer runtimes (npm --prefix bench ci failed)');
}

export interface PeerRun {
  /** One inference on the input set at load. */
  call(): void | Promise<void>;
  /** The output of the last call. */
  output(): Promise<Int8Array | Float32Array>;
  /** Which backend actually ran, when the peer can tell. */
  backend: string;
}

// ---------------------------------------------------------------- tfjs-tflite

/**
 * @tensorflow/tfjs-tflite is built for browsers: it loads its emscripten glue
 * with a <script> tag or importScripts, and its wasm with fetch. In Node it runs
 * in its "web worker" mode with three shims: `self` (with a location on a
 * made-up origin), `importScripts` that evaluates the package's glue file, and
 * `fetch` that answers that origin from the package's wasm folder. Threads are
 * off: its feature test (a SharedArrayBuffer posted on a MessageChannel) is
 * made to fail while it loads, so it picks the single-threaded SIMD build.
 */
const TFLITE_ORIGIN = 'http://tfjs-tflite.invalid/';
let tfliteModule: { loadTFLiteModel(model: ArrayBuffer, options?: { numThreads?: number }): Promise<TfliteModelLike>; setWasmPath(p: string): void } | undefined;

interface TfliteTensorInfo {
  name: string;
  shape: string;
  dataType: string;
  data(): Int8Array | Float32Array;
}
interface TfliteModelLike {
  modelRunner: { getInputs(): TfliteTensorInfo[]; getOutputs(): TfliteTensorInfo[]; infer(): boolean };
}

function tflite() {
  if (tfliteModule) return tfliteModule;
  const dir = require.resolve('@tensorflow/tfjs-tflite/package.json').replace(/package\.json$/, 'wasm/');
  const g = globalThis as Record<string, unknown>;
  g.self ??= globalThis;
  (g.self as Record<string, unknown>).location ??= { href: TFLITE_ORIGIN, origin: TFLITE_ORIGIN.slice(0, -1) };
  g.importScripts ??= (url: string) => {
    if (!url.startsWith(TFLITE_ORIGIN)) throw new Error(`tfjs-tflite shim: unexpected script ${url}`);
    vm.runInThisContext(readFileSync(dir + url.slice(TFLITE_ORIGIN.length), 'utf8'), { filename: url });
  };
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const u = String(url instanceof Request ? url.url : url);
    if (u.startsWith(TFLITE_ORIGIN))
      return new Response(readFileSync(dir + u.slice(TFLITE_ORIGIN.length)), { headers: { 'content-type': 'application/wasm' } });
    return realFetch(url, init);
  }) as typeof fetch;
  require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  tfliteModule = require('@tensorflow/tfjs-tflite');
  tfliteModule!.setWasmPath(TFLITE_ORIGIN);
  return tfliteModule!;
}

export async function tfliteXnnpack(model: Uint8Array, input: Int8Array): Promise<PeerRun> {
  // The feature test runs when the package is first required (and is cached):
  // keep MessageChannel failing from then until the first model has loaded.
  const RealChannel = globalThis.MessageChannel;
  const first = !tfliteModule;
  if (first)
    (globalThis as Record<string, unknown>).MessageChannel = class {
      constructor() {
        throw new Error('threads are off for the benchmark');
      }
    };
  let m: TfliteModelLike;
  try {
    m = await tflite().loadTFLiteModel(model.slice().buffer, { numThreads: 1 });
  } finally {
    if (first) globalThis.MessageChannel = RealChannel;
  }
  const r = m.modelRunner;
  const ins = r.getInputs();
  if (ins.length !== 1 || ins[0]!.dataType !== 'int8') throw new Error(`tfjs-tflite: expected one int8 input, got ${ins.map((i) => i.dataType)}`);
  ins[0]!.data().set(input);
  return {
    backend: 'wasm-simd',
    call: () => {
      if (!r.infer()) throw new Error('tfjs-tflite: infer failed');
    },
    output: async () => (r.getOutputs()[0]!.data() as Int8Array).slice(),
  };
}

// ---------------------------------------------------------------- onnxruntime

type OrtModule = typeof import('onnxruntime-node');

export async function ortWeb(model: Uint8Array, input: Int8Array | Uint8Array, shape: number[]): Promise<PeerRun> {
  const ort = (await import('onnxruntime-web')) as unknown as OrtModule & { env: { wasm: { numThreads: number; simd?: boolean; proxy?: boolean } } };
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return ortRun(ort, session, input, shape, 'wasm');
}

export async function ortNode(model: Uint8Array, input: Int8Array | Uint8Array, shape: number[]): Promise<PeerRun> {
  const ort = (await import('onnxruntime-node')) as unknown as OrtModule;
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  return ortRun(ort, session, input, shape, 'native');
}

/**
 * A session fed int8 values, or uint8 ones (int8 + 128) for a model exported
 * with uint8 activations; the output is given back as int8 either way.
 */
function ortRun(ort: OrtModule, session: import('onnxruntime-node').InferenceSession, input: Int8Array | Uint8Array, shape: number[], backend: string): PeerRun {
  const feeds = { [session.inputNames[0]!]: input instanceof Uint8Array ? new ort.Tensor('uint8', input, shape) : new ort.Tensor('int8', input, shape) };
  const outName = session.outputNames[0]!;
  let last: Int8Array | Uint8Array | undefined;
  return {
    backend,
    call: async () => {
      const out = await session.run(feeds);
      last = out[outName]!.data as Int8Array | Uint8Array;
    },
    output: async () => {
      last ??= (await session.run(feeds))[outName]!.data as Int8Array | Uint8Array;
      return last instanceof Uint8Array ? Int8Array.from(last, (v) => v - 128) : last.slice();
    },
  };
}

// ---------------------------------------------------------------- tfjs-backend-wasm

type Tf = typeof import('@tensorflow/tfjs');
let tfReady: Promise<Tf> | undefined;

async function tfjsWasm(): Promise<Tf> {
  tfReady ??= (async () => {
    const tf = require('@tensorflow/tfjs') as Tf;
    require('@tensorflow/tfjs-backend-wasm');
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { setThreadsCount?(n: number): void; setWasmPaths(prefix: string): void };
    // In Node its glue reads the .wasm files with fs, relative to the working directory unless told.
    wasm.setWasmPaths(require.resolve('@tensorflow/tfjs-backend-wasm/package.json').replace(/package\.json$/, 'dist/'));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
    wasm.setThreadsCount?.(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialize');
    await tf.ready();
    return tf;
  })();
  return tfReady;
}

/** The float network as tfjs ops (fused conv / depthwise / matMul with bias and activation), on the wasm backend. */
export async function tfjsFloat(net: Net, input: Float32Array): Promise<PeerRun> {
  const tf = await tfjsWasm();
  type Tensor = import('@tensorflow/tfjs').Tensor;
  const act = (a: string) => (a === 'none' ? 'linear' : a) as 'linear' | 'relu' | 'relu6';
  // Weights in tfjs layouts: conv [KH, KW, IC, OC], depthwise [KH, KW, C, M], dense [K, OC].
  const prepared = net.layers.map((l) => {
    if (l.op === 'conv2d') {
      const [oc, kh, kw, ic] = l.weights.shape as [number, number, number, number];
      return { w: tf.tensor4d(l.weights.w, [oc, kh, kw, ic]).transpose([1, 2, 3, 0]) as Tensor, b: tf.tensor1d(l.weights.b) };
    }
    if (l.op === 'depthwise') {
      const [, kh, kw, oc] = l.weights.shape as [number, number, number, number];
      const c = oc / l.depthMultiplier;
      return { w: tf.tensor4d(l.weights.w, [kh, kw, c, l.depthMultiplier]) as Tensor, b: tf.tensor1d(l.weights.b) };
    }
    if (l.op === 'dense') return { w: tf.tensor2d(l.weights.w, l.weights.shape as [number, number]).transpose() as Tensor, b: tf.tensor1d(l.weights.b) };
    return undefined;
  });
  const x = tf.tensor(input, net.tensors[net.input]!.shape);
  const forward = (): Tensor =>
    tf.tidy(() => {
      const v: Tensor[] = [];
      v[net.input] = x;
      net.layers.forEach((l, i) => {
        const a = v[l.inputs[0]!]! as import('@tensorflow/tfjs').Tensor4D;
        const p = prepared[i];
        switch (l.op) {
          case 'conv2d':
            v[l.output] = tf.fused.conv2d({ x: a, filter: p!.w as import('@tensorflow/tfjs').Tensor4D, strides: l.stride, pad: l.padding, bias: p!.b, activation: act(l.activation) });
            break;
          case 'depthwise':
            v[l.output] = tf.fused.depthwiseConv2d({ x: a, filter: p!.w as import('@tensorflow/tfjs').Tensor4D, strides: l.stride, pad: l.padding, bias: p!.b, activation: act(l.activation) });
            break;
          case 'dense':
            v[l.output] = tf.fused.matMul({ a: a as unknown as import('@tensorflow/tfjs').Tensor2D, b: p!.w as import('@tensorflow/tfjs').Tensor2D, bias: p!.b, activation: act(l.activation) });
            break;
          case 'avgpool':
          case 'maxpool': {
            const y = (l.op === 'avgpool' ? tf.avgPool : tf.maxPool)(a, l.filter, l.stride, l.padding);
            v[l.output] = l.activation === 'relu' ? tf.relu(y) : l.activation === 'relu6' ? tf.relu6(y) : y;
            break;
          }
          case 'add': {
            const y = tf.add(a, v[l.inputs[1]!]!);
            v[l.output] = l.activation === 'relu' ? tf.relu(y) : l.activation === 'relu6' ? tf.relu6(y) : y;
            break;
          }
          case 'reshape':
            v[l.output] = tf.reshape(a, net.tensors[l.output]!.shape);
            break;
          case 'softmax':
            v[l.output] = tf.softmax(l.beta === 1 ? a : tf.mul(a, l.beta));
            break;
        }
      });
      return v[net.output]!;
    });
  let last: Float32Array | undefined;
  return {
    backend: tf.getBackend(),
    call: () => {
      const y = forward();
      last = y.dataSync() as Float32Array;
      y.dispose();
    },
    output: async () => {
      if (!last) {
        const y = forward();
        last = y.dataSync() as Float32Array;
        y.dispose();
      }
      return last.slice();
    },
  };
}
