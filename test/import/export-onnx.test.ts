// `minnow export`: minnow-trained float models written as ONNX, run in
// onnxruntime-node (CPU) and compared with minnow's own float forward pass
// (max abs difference ≤ 1e-4); the exported file also imports back.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadModel as loadFloat } from '../../src/train/io.js';
import { Tensor } from '../../src/train/tensor.js';
import { importModel } from '../../quantize/import/index.js';
import { nchwToNhwc } from '../../quantize/import/onnx/float.js';
import { runFloat } from '../../quantize/ir/execute.js';
import { randomData, saveSmall, tempDir } from '../quantize/helpers.js';

async function cli(argv: string[]): Promise<number> {
  const log = console.log;
  console.log = () => {};
  try {
    return await main(argv);
  } finally {
    console.log = log;
  }
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

describe('minnow export → onnxruntime-node', () => {
  const root = tempDir();
  for (const kind of ['dense', 'conv', 'separable', 'residual', 'tables']) {
    it(`${kind}: onnxruntime's outputs within 1e-4 of minnow's float forward`, async () => {
      const { dir, inputShape } = saveSmall(kind, root);
      const out = join(root, `${kind}.onnx`);
      expect(await cli(['export', dir, '-o', out])).toBe(0);
      const n = 4;
      const x = randomData(n * inputShape.reduce((a, b) => a * b, 1), 11, -1, 1);
      const want = loadFloat(dir).predict(new Tensor(x, [n, ...inputShape])).data;

      const session = await ort.InferenceSession.create(out, { executionProviders: ['cpu'] });
      const r = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x, [n, ...inputShape]) });
      const got = r[session.outputNames[0]!]!.data as Float32Array;
      expect(maxDiff(got, want)).toBeLessThanOrEqual(1e-4);

      // And back: the exported ONNX imports to the same float function.
      const back = importModel(out);
      if (back.kind !== 'float') throw new Error('expected a float model');
      // ONNX inputs are fed in ONNX's layout; a 4-D one the importer holds as NHWC is transposed.
      const io = back.onnx!.inputs[0]!;
      const feed = io.nchw ? nchwToNhwc(x, [n, ...io.dims.slice(1)]) : x;
      const again = runFloat(back.graph, [feed], n).get(back.graph.outputs[0]!)!;
      expect(maxDiff(again, want)).toBeLessThanOrEqual(1e-4);
    });
  }
});
