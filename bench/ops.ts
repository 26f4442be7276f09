// npm run bench:ops — where one inference's time goes: each op of the benchmark
// models timed on its own (medians of alternating rounds), with its output
// shape, MACs, GMAC/s and share of the whole. The whole model runs once first,
// so every op reads the activations a real inference gives it.
//
//   node --experimental-wasm-relaxed-simd --import tsx bench/ops.ts [--models person_detect,ds-cnn] [--build simd]
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MnwFile, OpRecord } from '../src/format/model.js';
import { OP_BY_ID } from '../src/format/ops.js';
import { loadModel } from '../src/runtime/host.js';
import type { BuildName } from '../src/runtime/wasm.js';
import { benchInput, benchMnw, benchModels } from './models/index.js';
import { measure, table } from './harness.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Multiply-accumulates of one op (the conv-like ops; 0 for the rest). */
function opMacs(file: MnwFile, op: OpRecord): number {
  const shape = (t: number) => file.tensors[t]!.shape;
  const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const name = OP_BY_ID.get(op.opcode)?.name;
  const y = shape(op.outputs[0]!);
  const w = shape(op.inputs[1] ?? 0);
  if (name === 'CONV_2D') return count(y) * w[1]! * w[2]! * w[3]!;
  if (name === 'DEPTHWISE_CONV_2D') return count(y) * w[1]! * w[2]!;
  if (name === 'FULLY_CONNECTED') return count(y) * w[w.length - 1]!;
  return 0;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const only = arg('--models')?.split(',') ?? ['person_detect'];
  const build = (arg('--build') ?? 'simd') as BuildName;
  for (const bm of benchModels(root).filter((m) => only.includes(m.name))) {
    const model = await loadModel(benchMnw(bm), { build });
    model.run(benchInput(bm));
    const ops = model.file.ops;
    const timings = await measure(
      [
        { name: 'whole', call: () => model.invoke() },
        ...ops.map((_, i) => ({ name: String(i), call: () => model.invokeOps(i, 1) })),
      ],
      { rounds: 11, batchMs: 5, warmupMs: 20 },
    );
    const whole = timings[0]!.medianMs;
    const sum = timings.slice(1).reduce((a, t) => a + t.medianMs, 0);
    const rows = ops.map((op, i) => {
      const ms = timings[i + 1]!.medianMs;
      const macs = opMacs(model.file, op);
      const x = model.file.tensors[op.inputs[0]!]!.shape;
      const y = model.file.tensors[op.outputs[0]!]!.shape;
      const w = op.inputs[1] !== undefined ? model.file.tensors[op.inputs[1]]?.shape : undefined;
      return [
        String(i), OP_BY_ID.get(op.opcode)?.name ?? op.opcode, `${x.join('x')} → ${y.join('x')}`, w && macs ? w.join('x') : '',
        macs ? (macs / 1e6).toFixed(3) : '', (ms * 1000).toFixed(1), macs ? (macs / ms / 1e6).toFixed(1) : '', `${((ms / sum) * 100).toFixed(1)}%`,
      ];
    });
    console.log(`\n== ${bm.name} (${build} build): whole model ${(whole * 1000).toFixed(1)} µs, sum of ops ${(sum * 1000).toFixed(1)} µs`);
    console.log(table(rows, ['op', 'kind', 'shape', 'weights', 'M MACs', 'µs', 'GMAC/s', 'share']));
  }
}

await main();
