// ONNX backend node tests with integer semantics: exact outputs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { integerGraph } from '../../quantize/import/onnx/integer.js';
import { decodeModel, decodeTensorFile, OnnxType, type DecodedTensor } from '../../quantize/import/onnx/proto.js';

const ROOT = new URL('../../../shared/conformance/onnx-node/', import.meta.url).pathname;

function loadCase(name: string) {
  const dir = join(ROOT, name);
  const model = decodeModel(readFileSync(join(dir, 'model.onnx')));
  const data = join(dir, 'test_data_set_0');
  const files = readdirSync(data);
  const inputs = files.filter((f) => f.startsWith('input_')).sort().map((f) => decodeTensorFile(readFileSync(join(data, f))));
  const outputs = files.filter((f) => f.startsWith('output_')).sort().map((f) => decodeTensorFile(readFileSync(join(data, f))));
  // Graph inputs are named by the model; the test data names match them in order.
  const graphInputs = (model.graph?.input ?? []).map((i) => i.name!);
  inputs.forEach((t, k) => (t.name ||= graphInputs[k]!));
  return { model, inputs, outputs };
}


function toNhwc(x: number[], [n, c, h, w]: number[]): number[] {
  const y = new Array<number>(x.length);
  for (let b = 0; b < n!; b++)
    for (let ci = 0; ci < c!; ci++) for (let i = 0; i < h! * w!; i++) y[(b * h! * w! + i) * c! + ci] = x[(b * c! + ci) * h! * w! + i]!;
  return y;
}

function toNchw(y: number[], [n, c, h, w]: number[]): number[] {
  const x = new Array<number>(y.length);
  for (let b = 0; b < n!; b++)
    for (let ci = 0; ci < c!; ci++) for (let i = 0; i < h! * w!; i++) x[(b * c! + ci) * h! * w! + i] = y[(b * h! * w! + i) * c! + ci]!;
  return x;
}

const CASES = ['test_qlinearconv', 'test_qlinearmatmul_2D_int8_float32', 'test_qlinearmatmul_3D_int8_float32', 'test_quantizelinear', 'test_dequantizelinear'];

describe('ONNX integer node tests, exact', () => {
  for (const name of CASES) {
    it.each(BUILDS)(`${name} (%s)`, async (build) => {
      const { model, inputs, outputs } = loadCase(name);
      const runtimeNames = new Set((model.graph?.node ?? []).map((n) => n.input?.[0]));
      const constants = new Map<string, DecodedTensor>();
      const runtime: DecodedTensor[] = [];
      for (const t of inputs) {
        if (runtimeNames.has(t.name)) runtime.push(t);
        else constants.set(t.name, t);
      }
      const conv = integerGraph(model, constants, runtime);
      const feeds = runtime.map((t, k) => {
        const info = conv.inputs[k]!;
        const data = info.nchw ? toNhwc(Array.from(t.data as ArrayLike<number>, Number), t.dims) : Array.from(t.data as ArrayLike<number>, Number);
        if (info.float) return Float32Array.from(data);
        return Int8Array.from(data, (v) => (info.uint8 ? v - 128 : v));
      });
      const m = await loadModel(conv.graph.pack().bytes, { build });
      const got = m.run(feeds);
      outputs.forEach((want, k) => {
        const info = conv.outputs[k]!;
        let values = info.float ? Array.from(got[k]!.raw as Float32Array) : Array.from(got[k]!.raw as Int8Array, (v) => (info.uint8 ? v + 128 : v));
        if (info.nchw) values = toNchw(values, want.dims);
        const expected = Array.from(want.data as ArrayLike<number>, Number);
        expect(values.length).toBe(expected.length);
        expect(values).toEqual(want.dataType === OnnxType.FLOAT ? expected.map(Math.fround) : expected);
      });
    });
  }
});
