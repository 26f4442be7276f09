// minnow run <file.mnw> <input>: the model's outputs for one input (.npy, .png, .wav).
import { readModelFile, runMnw } from '../../../quantize/tools.js';
import type { BuildChoice } from '../../runtime/wasm.js';
import type { CommandSpec } from '../options.js';

export const run: CommandSpec = {
  name: 'run',
  args: ['<file.mnw>', '<input.npy|.png|.wav>'],
  summary: 'run a .mnw model on one input and print its outputs (top-k with labels for classifiers)',
  options: [
    { name: 'top', short: 'k', kind: 'number', value: '<k>', description: 'classes to list for classifiers', default: 5 },
    { name: 'build', kind: 'string', value: '<b>', description: 'runtime build: auto, scalar, simd, relaxed', default: 'auto' },
    { name: 'json', kind: 'boolean', description: 'print {"outputs":[{name,shape,dtype,raw,values}]}' },
  ],
  async run(args, opts) {
    const r = await runMnw(readModelFile(args[0]!), args[1]!, { build: opts.build as BuildChoice, top: opts.top as number });
    if (opts.json) {
      console.log(JSON.stringify({ outputs: r.outputs.map(({ name, shape, dtype, raw, values }) => ({ name, shape, dtype, raw, values })) }));
      return 0;
    }
    for (const o of r.outputs) {
      console.log(`${o.name} ${o.dtype} [${o.shape}] (${r.build})`);
      if (o.top) for (const t of o.top) console.log(`  ${t.label.padEnd(12)} ${t.value.toFixed(4)}`);
      else console.log(`  ${o.values.slice(0, 32).map((v) => v.toFixed(4)).join(' ')}${o.values.length > 32 ? ' …' : ''}`);
    }
    return 0;
  },
};
