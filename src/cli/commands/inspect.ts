// minnow inspect <file.mnw>: ops, tensors, quantization, arena layout, sizes, checksum.
import { formatInspection, inspectMnw, readModelFile } from '../../../quantize/tools.js';
import { formatForeign, inspectForeign, isForeignModel } from '../../../quantize/import/index.js';
import type { CommandSpec } from '../options.js';

export const inspect: CommandSpec = {
  name: 'inspect',
  args: ['<file.mnw|model>'],
  summary: 'show a .mnw file (ops, tensors, quantization, arena, sizes, checksum), or a foreign model\'s ops with supported / unsupported',
  options: [{ name: 'json', kind: 'boolean', description: 'print one JSON object' }],
  async run(args, opts) {
    if (isForeignModel(args[0]!)) {
      // .onnx / .tflite / TF.js or minnow model.json: its ops, supported or not.
      const f = inspectForeign(args[0]!);
      console.log(opts.json ? JSON.stringify({ model: args[0], ...f }) : formatForeign(args[0]!, f));
      return 0;
    }
    const x = inspectMnw(readModelFile(args[0]!));
    console.log(opts.json ? JSON.stringify(x) : formatInspection(x));
    return 0;
  },
};
