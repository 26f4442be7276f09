// minnow eval <file.mnw> --data <spec>: task metrics of the int8 model in the wasm runtime.
import { evalMnw, readModelFile } from '../../../quantize/tools.js';
import type { BuildChoice } from '../../runtime/wasm.js';
import { UsageError, type CommandSpec } from '../options.js';

export const evaluate: CommandSpec = {
  name: 'eval',
  args: ['<file.mnw>'],
  summary: 'measure a .mnw classifier in the wasm runtime: accuracy, per-class recall, confusion matrix',
  options: [
    { name: 'data', kind: 'string', value: '<data>', description: 'labelled data: e.g. mnist:test, or a folder of .npy files with labels.npy' },
    { name: 'limit', kind: 'number', value: '<n>', description: 'at most n samples' },
    { name: 'build', kind: 'string', value: '<b>', description: 'runtime build: auto, scalar, simd, relaxed', default: 'auto' },
    { name: 'json', kind: 'boolean', description: 'print one JSON object' },
  ],
  async run(args, opts) {
    if (!opts.data) throw new UsageError("eval: --data <spec> is required (e.g. --data mnist:test); see 'minnow eval --help'");
    const r = await evalMnw(readModelFile(args[0]!), opts.data as string, { build: opts.build as BuildChoice, limit: opts.limit as number | undefined });
    if (opts.json) {
      console.log(JSON.stringify(r));
      return 0;
    }
    console.log(`accuracy ${((r.accuracy ?? 0) * 100).toFixed(2)}% on ${r.samples} samples of ${r.data} (wasm ${r.build})`);
    if (r.confusion) {
      const w = Math.max(5, ...r.confusion.flat().map((v) => String(v).length + 1));
      const lab = (i: number) => (r.labels?.[i] ?? String(i)).slice(0, 10);
      console.log(`confusion (rows: true, columns: predicted)\n${''.padStart(11)}${r.confusion.map((_, j) => String(j).padStart(w)).join('')}   recall`);
      r.confusion.forEach((row, i) => console.log(`${lab(i).padStart(10)} ${row.map((v) => String(v).padStart(w)).join('')}   ${(r.recall![i]! * 100).toFixed(1)}%`));
    }
    return 0;
  },
};
