// Every packed zoo model: the wasm runtime (each build) and the reference
// interpreter agree bit for bit, and the int8 accuracy is what metrics.json says.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { openData } from '../../quantize/data/index.js';

const ZOO = new URL('../../models/', import.meta.url).pathname;
const models = readdirSync(ZOO).filter((d) => existsSync(join(ZOO, d, 'model.mnw')));

describe.each(models)('zoo model %s', (name) => {
  const bytes = new Uint8Array(readFileSync(join(ZOO, name, 'model.mnw')));
  const file = readMnw(bytes);
  const metrics = JSON.parse(readFileSync(join(ZOO, name, 'metrics.json'), 'utf8')) as { dataset: string; int8: { accuracy: number; samples: number } };
  const data = openData(`${metrics.dataset === 'fashion-mnist' ? 'fashion' : metrics.dataset}:test:200`, file.tensors[file.inputs[0]!]!.shape.slice(1));
  const batch = data.batches(200).next().value!;
  const per = batch.x.length / batch.n;

  it('every build equals the reference interpreter on 200 test images', async () => {
    const want = Array.from({ length: batch.n }, (_, i) => Array.from(runReference(file, [batch.x.subarray(i * per, (i + 1) * per)]).outputs[0]! as Int8Array));
    for (const build of BUILDS) {
      const m = await loadModel(bytes, { build });
      for (let i = 0; i < batch.n; i++) expect(Array.from(m.run(batch.x.subarray(i * per, (i + 1) * per))[0]!.raw), `${build} image ${i}`).toEqual(want[i]);
    }
  });

  it('metrics.json records its int8 accuracy on the full test set', () => {
    expect(metrics.int8.samples).toBe(10000);
    expect(metrics.int8.accuracy).toBeGreaterThan(0.9);
  });
});
