// Shared by the format tests: a small valid model, and the wasm loader called
// directly on raw bytes (without the TypeScript reader in front of it).
import { DType } from '../../src/format/dtypes.js';
import { H } from '../../src/format/layout.js';
import { compileBuild, type BuildName, type RuntimeExports } from '../../src/runtime/wasm.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';

/** A model with arena tensors, an alias, constants and per-channel quantization. */
export function sampleGraph(): GraphBuilder {
  const g = new GraphBuilder();
  const x = g.input('x', DType.INT8, [1, 4, 4, 3], { scale: 0.02, zeroPoint: -3 });
  g.constant('w', DType.INT8, [2, 3], new Int8Array([1, -2, 3, -4, 5, -6]), {
    scale: 0,
    zeroPoint: 0,
    perChannel: { axis: 0, scales: new Float32Array([0.1, 0.2]), zeroPoints: new Int32Array([0, 0]) },
  });
  const y = g.reshape(x, [16, 3], 'flat');
  g.output(y, 'y');
  g.meta.labels = ['a', 'b', 'c'];
  return g;
}

export interface RawLoad {
  code: number;
  run?: () => number;
}

/** Binds raw bytes in the wasm loader of a build; the memory holds at most `capArena` arena bytes. */
export async function wasmBind(bytes: Uint8Array, build: BuildName, capArena = 1 << 20): Promise<RawLoad> {
  const b = (await compileBuild(build))!;
  const modelAt = Math.ceil(b.staticsEnd / 16) * 16;
  const arenaAt = Math.ceil((modelAt + bytes.length) / 16) * 16;
  const declared = bytes.length >= 28 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(H.arenaBytes, true) : 0;
  const arenaSize = Math.min(declared, capArena);
  const pages = Math.ceil((arenaAt + arenaSize + 1) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const x = (await WebAssembly.instantiate(b.module, { env: { memory } })).exports as unknown as RuntimeExports;
  new Uint8Array(memory.buffer).set(bytes, modelAt);
  const code = x.bind(modelAt, bytes.length, arenaAt, pages * 65536 - arenaAt);
  return { code, run: code === 0 ? () => x.run() : undefined };
}

/** A model that uses most ops, so that mutations reach every op's checks. */
export async function richGraph(): Promise<GraphBuilder> {
  const { conv2d } = await import('../../quantize/pack/ops/conv_2d.js');
  const { depthwiseConv2d } = await import('../../quantize/pack/ops/depthwise_conv_2d.js');
  const { fullyConnected } = await import('../../quantize/pack/ops/fully_connected.js');
  const { add } = await import('../../quantize/pack/ops/add.js');
  const { mul } = await import('../../quantize/pack/ops/mul.js');
  const { maxPool2d } = await import('../../quantize/pack/ops/max_pool_2d.js');
  const { averagePool2d } = await import('../../quantize/pack/ops/average_pool_2d.js');
  const { mean } = await import('../../quantize/pack/ops/mean.js');
  const { pad } = await import('../../quantize/pack/ops/pad.js');
  const { concatenation } = await import('../../quantize/pack/ops/concatenation.js');
  const { softmax } = await import('../../quantize/pack/ops/softmax.js');
  const { lookupFunction, FUNCTIONS } = await import('../../quantize/pack/ops/lookup.js');
  const { quantize } = await import('../../quantize/pack/ops/quantize.js');
  const { dequantize } = await import('../../quantize/pack/ops/dequantize.js');
  const q = (scale: number, zeroPoint = 0) => ({ scale, zeroPoint });
  const w = (n: number) => Int8Array.from({ length: n }, (_, i) => ((i * 37) % 255) - 127);
  const g = new GraphBuilder();
  const f = g.input('f', DType.FLOAT32, [1, 6, 6, 2]);
  const x = quantize(g, f, DType.INT8, { ...q(0.05, -3), name: 'q' });
  const c = conv2d(g, x, { data: w(4 * 9 * 2), shape: [4, 3, 3, 2], scales: [0.01, 0.02, 0.01, 0.03] }, new Int32Array([1, -2, 3, 4]), { padding: 'same', activation: 'relu', output: q(0.04, -128) });
  const d = depthwiseConv2d(g, c, { data: w(9 * 4), shape: [1, 3, 3, 4], scales: [0.02] }, undefined, { padding: 'valid', output: q(0.05, 1) });
  const p = pad(g, d, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const mp = maxPool2d(g, p, { filter: [2, 2], stride: [2, 2] });
  const ap = averagePool2d(g, p, { filter: [2, 2], stride: [2, 2] });
  const s = add(g, mp, ap, { ...q(0.08, 0), activation: 'none' });
  const m = mul(g, s, mp, { ...q(0.1, 2) });
  const cat = concatenation(g, [m, m], 3);
  const avg = mean(g, cat, { ...q(0.05, 0) });
  const fc = fullyConnected(g, g.reshape(avg, [1, 8]), { data: w(3 * 8), shape: [3, 8], scales: [0.02, 0.01, 0.02] }, new Int32Array([5, 0, -5]), { output: q(0.1, 0) });
  const t = lookupFunction(g, fc, FUNCTIONS.tanh, q(1 / 128, 0));
  g.output(softmax(g, t), 'probs');
  g.output(dequantize(g, t), 'value');
  return g;
}
