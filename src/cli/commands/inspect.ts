// minnow inspect <file.mnw>: ops, tensors, quantization, arena layout, sizes, checksum.
import { formatInspection, inspectMnw, readModelFile } from '../../../quantize/tools.js';
import type { CommandSpec } from '../options.js';

export const inspect: CommandSpec = {
  name: 'inspect',
  args: ['<file.mnw>'],
  summary: 'show a .mnw file: ops, tensors, quantization parameters, arena layout, sizes, checksum',
  options: [{ name: 'json', kind: 'boolean', description: 'print one JSON object' }],
  async run(args, opts) {
    const x = inspectMnw(readModelFile(args[0]!));
    console.log(opts.json ? JSON.stringify(x) : formatInspection(x));
    return 0;
  },
};
