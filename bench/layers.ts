// npm run bench:layers — where minnow stands against TFLite + XNNPACK layer by
// layer: each conv-like or pooling layer of a benchmark model written as its own
// one-op int8 .tflite (same weights and quantization), imported for minnow, and
// timed side by side with tfjs-tflite on the same input (medians of alternating
// rounds). Outputs are compared first: XNNPACK's requantization may differ from
// TFLite's reference kernels (and so from minnow) by one step.
//
//   node --experimental-wasm-relaxed-simd --import tsx bench/layers.ts [--models person_detect] [--build simd] [--layers 2,4]
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTflite } from '../quantize/import/tflite/reader.js';
import { importTfliteInt8 } from '../quantize/import/tflite/int8.js';
import { loadModel } from '../src/runtime/host.js';
import type { BuildName } from '../src/runtime/wasm.js';
import { elements, type Layer, type Net } from './export/net.js';
import { fixOneDimQuantizedDimension, writeTflite } from './export/tflite.js';
import { measure, table } from './harness.js';
import { benchModels } from './models/index.js';
import { ensurePeers } from './peers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Layer i of net as a network of its own: its input and output tensors, nothing else. */
function oneLayer(net: Net, i: number): Net {
  const l = net.layers[i]!;
  const input = { ...net.tensors[l.inputs[0]!]!, name: 'input' };
  const output = { ...net.tensors[l.output]!, name: 'output' };
  return { name: `${net.name} layer ${i}`, tensors: [input, output], input: 0, output: 1, layers: [{ ...l, inputs: [0], output: 1 } as Layer] };
}

async function main() {
  ensurePeers();
  const peers = await import('./peers.js');
  const only = arg('--models')?.split(',') ?? ['person_detect'];
  const build = (arg('--build') ?? 'simd') as BuildName;
  const pick = arg('--layers')?.split(',').map(Number);
  for (const bm of benchModels(root).filter((m) => only.includes(m.name))) {
    const rows: (string | number)[][] = [];
    let minnowUs = 0;
    let peerUs = 0;
    for (let i = 0; i < bm.net.layers.length; i++) {
      const l = bm.net.layers[i]!;
      if (pick && !pick.includes(i)) continue;
      if (l.inputs.length !== 1 || l.op === 'reshape' || l.op === 'softmax') continue;
      const net = oneLayer(bm.net, i);
      const tflite = writeTflite(net);
      const mnw = importTfliteInt8(readTflite(tflite, net.name), net.name).pack().bytes;
      // A fixed spread of int8 values (the real activations matter little for speed).
      const x = Int8Array.from({ length: elements(net.tensors[0]!.shape) }, (_, j) => ((j * 7919) % 251) - 125);
      const m = await loadModel(mnw, { build });
      (m.inputView(0) as Int8Array).set(x);
      const p = await peers.tfliteXnnpack(fixOneDimQuantizedDimension(tflite).bytes, x);
      m.invoke();
      await p.call();
      const a = m.outputView(0) as Int8Array;
      const b = await p.output();
      let diff = 0;
      for (let j = 0; j < a.length; j++) diff = Math.max(diff, Math.abs(a[j]! - b[j]!));
      const [tm, tp] = (await measure([{ name: 'minnow', call: () => m.invoke() }, { name: 'xnnpack', call: p.call }], { rounds: 11, batchMs: 10 }))
        .map((t) => t.medianMs * 1000);
      minnowUs += tm!;
      peerUs += tp!;
      const shape = (t: number) => net.tensors[t]!.shape.join('x');
      rows.push([String(i), l.op, `${shape(0)} → ${shape(1)}`, tm!.toFixed(1), tp!.toFixed(1), (tm! / tp!).toFixed(2), diff]);
    }
    console.log(`\n== ${bm.name} (minnow ${build} build vs TFLite-XNNPACK, one layer at a time)`);
    console.log(table(rows, ['layer', 'op', 'shape', 'minnow µs', 'xnnpack µs', 'ratio', 'max |diff|']));
    console.log(`sum: minnow ${minnowUs.toFixed(1)} µs, xnnpack ${peerUs.toFixed(1)} µs, ratio ${(minnowUs / peerUs).toFixed(3)}`);
  }
}

await main();
