// minnow export <float-model> -o out.onnx: a float model as ONNX (quantize/export/onnx.ts).
import { basename, dirname, extname, join } from 'node:path';
import { qfail } from '../../../quantize/errors.js';
import { exportOnnx } from '../../../quantize/export/onnx.js';
import { importModel } from '../../../quantize/import/index.js';
import { writeAtomic } from '../../../quantize/quantize.js';
import type { CommandSpec } from '../options.js';

export const exportCommand: CommandSpec = {
  name: 'export',
  args: ['<float-model>'],
  summary: 'write a float model (minnow, TF.js, float TFLite or ONNX) as ONNX, to check it in other tools',
  options: [
    { name: 'out', short: 'o', kind: 'string', value: '<file.onnx>', description: 'output file (default: model.onnx beside the model)' },
    { name: 'json', kind: 'boolean', description: 'print {"out", "bytes", "nodes"}' },
  ],
  async run(args, opts) {
    const model = args[0]!;
    const m = importModel(model);
    if (m.kind !== 'float') qfail('E_EXPORT', `${model} is an int8 ${m.format} model; export takes float models`);
    const out = (opts.out as string | undefined) ?? join(m.loaded?.dir ?? dirname(model), `${m.format === 'minnow' ? 'model' : basename(model, extname(model))}.onnx`);
    const bytes = exportOnnx(m.graph, { producer: 'minnow export' });
    writeAtomic(out, bytes);
    if (opts.json) console.log(JSON.stringify({ out, bytes: bytes.length, nodes: m.graph.nodes.length }));
    else console.log(`wrote ${out}: ${bytes.length} bytes, ONNX opset 20, input and output in minnow's layout (NHWC images, batch first)`);
    return 0;
  },
};
