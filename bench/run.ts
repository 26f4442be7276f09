// npm run bench — latency per model, side by side, in one process run: minnow
// (each wasm build) against TFLite + XNNPACK in wasm (tfjs-tflite),
// onnxruntime-web (wasm), onnxruntime-node (native) and tfjs-backend-wasm
// (float), every peer on one thread. Rounds alternate between the runtimes so
// that machine noise hits all alike; medians per inference, the ratio of each
// peer to minnow, and minnow's effective GMAC/s. Before timing, every peer's
// output is checked against minnow's.
//
//   npm run bench [-- --models ds-cnn,resnet-8] [--peers ort-node,tfjs-wasm] [--builds simd]
//                 [--rounds 15] [--json out.json] [--save dir] [--ort-int8]
//
// onnxruntime gets the QDQ model with uint8 activations (each int8 value + 128,
// zero point + 128, same scales: the same arithmetic), the form its quantization
// tool writes by default: onnxruntime 1.30's CPU provider fuses it entirely into
// integer kernels, while with int8 activations it leaves several convolutions,
// the pooling, the dense layer and softmax in float (--ort-int8 measures that).
//
// The peers live in bench/node_modules (bench/package.json); they are installed
// on first use and are not dependencies of the minnow package.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

interface Args {
  models?: string[];
  peers?: string[];
  builds?: string[];
  rounds: number;
  json?: string;
  save?: string;
  ortInt8: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { rounds: 15, ortInt8: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--models') a.models = v().split(',');
    else if (k === '--peers') a.peers = v().split(',');
    else if (k === '--builds') a.builds = v().split(',');
    else if (k === '--rounds') a.rounds = Number(v());
    else if (k === '--json') a.json = v();
    else if (k === '--save') a.save = v();
    else if (k === '--ort-int8') a.ortInt8 = true;
    else if (k === '--help' || k === '-h') {
      console.log('npm run bench [-- --models a,b] [--peers tflite-xnnpack,ort-web,ort-node,tfjs-wasm] [--builds scalar,simd,relaxed] [--rounds 15] [--json file] [--save dir] [--ort-int8]');
      process.exit(0);
    } else throw new Error(`unknown option ${k}`);
  }
  return a;
}

const PEERS = ['tflite-xnnpack', 'ort-web', 'ort-node', 'tfjs-wasm'] as const;

export interface Row {
  model: string;
  runtime: 'minnow' | (typeof PEERS)[number];
  build: string;
  medianMs: number;
  gmacs: number;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  (await import('./peers.js')).ensurePeers();
  // Imported after the install (the peers are loaded lazily by ./peers.js).
  const { measure, table } = await import('./harness.js');
  const { loadModel } = await import('../src/runtime/host.js');
  const { BUILDS, compileBuild } = await import('../src/runtime/wasm.js');
  const { macs } = await import('./export/net.js');
  const { writeTflite, fixOneDimQuantizedDimension } = await import('./export/tflite.js');
  const { writeOnnxQdq, toNchw } = await import('./export/onnx.js');
  const { forward } = await import('./models/float.js');
  const { dequantize } = await import('./models/quantize.js');
  const { benchInput, benchMnw, benchModels } = await import('./models/index.js');
  const peers = await import('./peers.js');

  const builds: import("../src/runtime/wasm.js").BuildName[] = [];
  for (const b of BUILDS) if ((!args.builds || args.builds.includes(b)) && (await compileBuild(b))) builds.push(b);
  const missing = BUILDS.filter((b) => (!args.builds || args.builds.includes(b)) && !builds.includes(b));
  if (missing.length) console.warn(`note: minnow builds not runnable here: ${missing.join(', ')} (Node 20 runs relaxed SIMD only with --experimental-wasm-relaxed-simd)`);
  const usePeers = PEERS.filter((p) => !args.peers || args.peers.includes(p));

  const rows: Row[] = [];
  const checks: string[] = [];
  const failures: string[] = [];
  const summary: (string | number)[][] = [];
  const models = benchModels(root).filter((m) => !args.models || args.models.includes(m.name));
  if (!models.length) throw new Error(`no such model; have: ${benchModels(root).map((m) => m.name).join(', ')}`);

  for (const bm of models) {
    const net = bm.net;
    const mac = bm.macs ?? macs(net);
    const inShape = net.tensors[net.input]!.shape;
    const inQ = net.tensors[net.input]!.quant!;
    const outQ = net.tensors[net.output]!.quant!;
    const qin = benchInput(bm);
    const fin = dequantize(qin, inQ);
    const tfliteBytes = bm.tflite ?? writeTflite(net);
    const mnw = benchMnw(bm, tfliteBytes);
    const onnxBytes = writeOnnxQdq(net, { activations: args.ortInt8 ? 'int8' : 'uint8' });
    const ortInput = args.ortInt8 ? (toNchw(qin, inShape) as Int8Array) : Uint8Array.from(toNchw(qin, inShape), (v) => v + 128);
    if (args.save) {
      mkdirSync(args.save, { recursive: true });
      writeFileSync(join(args.save, `${bm.name}.tflite`), tfliteBytes);
      writeFileSync(join(args.save, `${bm.name}.onnx`), onnxBytes);
      writeFileSync(join(args.save, `${bm.name}.mnw`), mnw);
    }
    console.log(`\n== ${bm.name}: ${bm.description}; ${(mac / 1e6).toFixed(2)}M MACs, input [${inShape}]`);

    interface C {
      runtime: Row['runtime'];
      build: string;
      call(): void | Promise<void>;
      output(): Promise<Int8Array | Float32Array>;
    }
    const contenders: C[] = [];
    for (const b of builds) {
      const m = await loadModel(mnw, { build: b });
      (m.inputView(0) as Int8Array).set(qin);
      contenders.push({ runtime: 'minnow', build: b, call: () => m.invoke(), output: async () => (m.outputView(0) as Int8Array).slice() });
    }
    const peer = async (name: Row['runtime'], make: () => Promise<import('./peers.js').PeerRun>) => {
      if (!usePeers.includes(name as (typeof PEERS)[number])) return;
      try {
        const p = await make();
        contenders.push({ runtime: name, build: p.backend, call: p.call, output: p.output });
      } catch (e) {
        const msg = `${bm.name} / ${name}: ${(e as Error).message.split('\n')[0]}`;
        failures.push(msg);
        console.warn(`  ${name} failed to load: ${msg}`);
      }
    };
    await peer('tflite-xnnpack', async () => {
      const fixed = fixOneDimQuantizedDimension(tfliteBytes);
      if (fixed.changed) console.log(`  tflite-xnnpack: ${fixed.changed} 1-D tensors had quantized_dimension ≠ 0, which full TFLite rejects; set to 0 (same meaning)`);
      return peers.tfliteXnnpack(fixed.bytes, qin);
    });
    await peer('ort-web', () => peers.ortWeb(onnxBytes, ortInput, nchwShape(inShape)));
    await peer('ort-node', () => peers.ortNode(onnxBytes, ortInput, nchwShape(inShape)));
    await peer('tfjs-wasm', () => peers.tfjsFloat(net, fin));

    // Agreement, before timing: one run each on the same input.
    for (const c of contenders) await c.call();
    const ref = (await contenders[0]!.output()) as Int8Array;
    const floatRef = forward(net, fin)[net.output]!;
    const refReal = dequantize(ref, outQ);
    const bad = new Set<C>();
    for (const c of contenders.slice(1)) {
      const out = await c.output();
      const who = `${c.runtime}${c.runtime === 'minnow' ? ` ${c.build}` : ''}`;
      if (out.length !== ref.length) {
        checks.push(`${bm.name}: ${who} output has ${out.length} values, minnow ${ref.length}`);
        bad.add(c);
        continue;
      }
      if (out instanceof Float32Array) {
        let dRef = 0;
        let dQ = 0;
        for (let i = 0; i < out.length; i++) {
          dRef = Math.max(dRef, Math.abs(out[i]! - floatRef[i]!));
          dQ = Math.max(dQ, Math.abs(out[i]! - refReal[i]!));
        }
        const top = (a: ArrayLike<number>) => Array.prototype.indexOf.call(a, Math.max(...Array.from(a)));
        const classes = bm.classifier ? `, top class ${top(out) === top(ref) ? 'same as' : 'DIFFERS from'} minnow int8` : '';
        const ok = dRef <= 1e-3 * Math.max(1, ...Array.from(floatRef, Math.abs));
        checks.push(`${bm.name}: ${who} (float) vs the float network in TypeScript: max |diff| ${dRef.toExponential(2)} ${ok ? 'ok' : 'MISMATCH'}; vs minnow int8 dequantized: max |diff| ${dQ.toFixed(4)} (output scale ${outQ.scale.toPrecision(3)})${classes}`);
        if (!ok) bad.add(c);
        continue;
      }
      let maxDiff = 0;
      let differ = 0;
      for (let i = 0; i < out.length; i++) {
        const d = Math.abs(out[i]! - ref[i]!);
        if (d) differ++;
        maxDiff = Math.max(maxDiff, d);
      }
      const limit = c.runtime === 'minnow' ? 0 : 1;
      const verdict = maxDiff === 0 ? 'exact' : maxDiff <= limit ? 'within 1 LSB' : `OFF BY UP TO ${maxDiff} LSB`;
      checks.push(`${bm.name}: ${who} vs minnow ${builds[0]}: ${verdict}${differ ? ` (${differ} of ${out.length} values differ)` : ''}`);
      if (maxDiff > limit) bad.add(c);
    }
    const timed = contenders.filter((c) => !bad.has(c) || c.runtime !== 'minnow');
    const label = (c: C) => `${c.runtime}/${c.build}`;
    const t = await measure(timed.map((c) => ({ name: label(c), call: c.call })), { rounds: args.rounds });
    const minnowRows = t.filter((_, i) => timed[i]!.runtime === 'minnow');
    const best = minnowRows.reduce((a, b) => (b.medianMs < a.medianMs ? b : a), minnowRows[0]!);
    const lines: (string | number)[][] = [];
    t.forEach((r, i) => {
      const c = timed[i]!;
      const gmacs = mac / (r.medianMs * 1e6);
      rows.push({ model: bm.name, runtime: c.runtime, build: c.build, medianMs: r.medianMs, gmacs });
      const note = bad.has(c) ? 'output disagrees' : '';
      lines.push([c.runtime, c.build, r.medianMs, gmacs, c.runtime === 'minnow' ? (r === best ? 'best' : r.medianMs / best.medianMs) : r.medianMs / best.medianMs, note]);
      summary.push([bm.name, c.runtime, c.build, r.medianMs, gmacs, r === best ? 'best minnow' : r.medianMs / best.medianMs]);
    });
    console.log(table(lines, ['runtime', 'build', 'median ms', 'GMAC/s', `÷ minnow ${best.name.split('/')[1]}`, '']));
  }

  console.log('\nAgreement (each checked on one input before timing):');
  for (const c of checks) console.log(`  ${c}`);
  if (failures.length) {
    console.log('\nPeers that could not run a model:');
    for (const f of failures) console.log(`  ${f}`);
  }
  console.log('\nAll models (ratio = median ÷ the fastest minnow build of that model; > 1 means minnow is faster):');
  console.log(table(summary, ['model', 'runtime', 'build', 'median ms', 'GMAC/s', 'ratio']));
  if (args.json) {
    writeFileSync(args.json, JSON.stringify({ rows }, null, 2) + '\n');
    console.log(`\nwrote ${args.json}`);
  }
}

const nchwShape = (s: number[]) => (s.length === 4 ? [s[0]!, s[3]!, s[1]!, s[2]!] : s);

await main();
// onnxruntime-node and the wasm runtimes keep handles open; the run is over.
process.exit(0);
