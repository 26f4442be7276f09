// Float TFLite models: imported to the IR, quantized by minnow, run in the
// wasm runtime. hello_world_float.tflite (TFLite Micro's sine model),
// calibrated on x in [0, 2π], approximates sin(x) within 0.1 on every build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { importModel } from '../../quantize/import/index.js';
import { importTfliteFloat } from '../../quantize/import/tflite/float.js';
import { readTflite } from '../../quantize/import/tflite/reader.js';
import { runFloat } from '../../quantize/ir/execute.js';
import { quantizeModel } from '../../quantize/quantize.js';
import { tempDir, writeNpy } from '../quantize/helpers.js';

const DIR = new URL('../../../shared/conformance/tflite/', import.meta.url).pathname;
const FILE = join(DIR, 'hello_world_float.tflite');

describe('hello_world_float.tflite', () => {
  const xs = Float32Array.from({ length: 64 }, (_, i) => (2 * Math.PI * i) / 63);

  it('imports as a float model whose forward pass approximates sine', () => {
    const m = importModel(FILE);
    expect(m.kind).toBe('float');
    if (m.kind !== 'float') return;
    expect(m.graph.nodes.map((n) => n.op)).toEqual(['dense', 'dense', 'dense']);
    const y = runFloat(m.graph, [xs], xs.length).get(m.graph.outputs[0]!)!;
    for (let i = 0; i < xs.length; i++) expect(Math.abs(y[i]! - Math.sin(xs[i]!))).toBeLessThan(0.1);
  });

  it('reports every unsupported op at once', () => {
    const model = readTflite(readFileSync(FILE));
    // Make op 1 and op 2 into ops minnow has no kernel for (CUSTOM and BATCH_MATMUL).
    model.subgraphs[0]!.operators[1]!.builtin = 32;
    model.subgraphs[0]!.operators[1]!.opName = 'CUSTOM';
    const r = importTfliteFloat(model, 'broken', { collect: true });
    expect(r.ops.filter((o) => !o.supported).map((o) => o.op)).toEqual(['CUSTOM']);
    expect(() => importTfliteFloat(model, 'broken')).toThrow(/1 op cannot be imported:\n {2}"sequential\/dense_1[^"]*" \(CUSTOM\): no minnow equivalent/);
  });

  it('quantized by minnow (calibration on [0, 2π]) approximates sine within 0.1 on every build', async () => {
    const dir = tempDir();
    const calib = writeNpy(dir, 'x.npy', Float32Array.from({ length: 1000 }, (_, i) => (2 * Math.PI * i) / 999), [1000, 1]);
    const r = await quantizeModel(FILE, { calib, out: join(dir, 'sine.mnw') });
    for (const build of BUILDS) {
      const m = await loadModel(readFileSync(join(dir, 'sine.mnw')), { build });
      let worst = 0;
      for (const x of xs) worst = Math.max(worst, Math.abs(m.run(Float32Array.of(x))[0]!.values[0]! - Math.sin(x)));
      expect(worst, build).toBeLessThan(0.1);
    }
    expect(r.ops.map((o) => o.op)).toEqual(['FULLY_CONNECTED', 'FULLY_CONNECTED', 'FULLY_CONNECTED']);
  });
});
