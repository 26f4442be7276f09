// ONNX backend node tests (../shared/conformance/onnx-node, 254 cases): every
// case is imported; float cases run through the float IR's executor (the float
// reference) and must match ONNX's outputs; integer cases (QLinear*,
// QuantizeLinear, DequantizeLinear) are packed and must match exactly on the
// reference interpreter and every wasm build. Cases whose op, type or attribute
// minnow does not support are counted as unsupported, with the importer's
// reason. Prints a table by op.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { MinnowError } from '../../src/format/errors.js';
import { integerGraph } from '../../quantize/import/onnx/integer.js';
import { importOnnxFloat, nchwToNhwc, nhwcToNchw, weightInputs } from '../../quantize/import/onnx/float.js';
import { decodeModel, decodeTensorFile, OnnxType, type DecodedTensor } from '../../quantize/import/onnx/proto.js';
import { runFloat } from '../../quantize/ir/execute.js';

const ROOT = new URL('../../../shared/conformance/onnx-node/', import.meta.url).pathname;
const INTEGER_OPS = new Set(['QLinearConv', 'QLinearMatMul', 'QuantizeLinear', 'DequantizeLinear', 'ConvInteger', 'MatMulInteger']);

function loadCase(name: string) {
  const dir = join(ROOT, name);
  const model = decodeModel(readFileSync(join(dir, 'model.onnx')), name);
  const data = join(dir, 'test_data_set_0');
  const files = readdirSync(data);
  const byIndex = (p: string) => files.filter((f) => f.startsWith(p)).sort((a, b) => parseInt(a.slice(p.length)) - parseInt(b.slice(p.length)));
  const inputs = byIndex('input_').map((f) => decodeTensorFile(readFileSync(join(data, f))));
  const outputs = byIndex('output_').map((f) => decodeTensorFile(readFileSync(join(data, f))));
  const graphInputs = (model.graph?.input ?? []).map((i) => i.name!);
  inputs.forEach((t, k) => (t.name = graphInputs[k]!));
  return { model, inputs, outputs };
}

type Result = { status: 'passed' | 'failed' | 'unsupported'; why?: string };

const nums = (t: DecodedTensor) => Array.from(t.data as ArrayLike<number | bigint>, Number);

/** |got - want| <= atol + rtol * |want| (ONNX's backend-test tolerances), NaN equal to NaN. */
function close(got: ArrayLike<number>, want: number[], rtol = 1e-3, atol = 1e-6): string | undefined {
  if (got.length !== want.length) return `${got.length} values, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) return `value ${i}: ${g}, expected ${w}`;
  }
  return undefined;
}

async function runInteger(name: string): Promise<Result> {
  const { model, inputs, outputs } = loadCase(name);
  const runtimeNames = new Set((model.graph?.node ?? []).map((n) => n.input?.[0]));
  const constants = new Map<string, DecodedTensor>();
  const runtime: DecodedTensor[] = [];
  for (const t of inputs) (runtimeNames.has(t.name) ? runtime : (constants.set(t.name, t), [])).push?.(t);
  let conv;
  try {
    if ((model.graph?.node ?? []).some((n) => n.opType === 'ConvInteger' || n.opType === 'MatMulInteger'))
      return { status: 'unsupported', why: 'int32 outputs (ConvInteger/MatMulInteger): minnow\'s conv and matmul requantize to int8' };
    conv = integerGraph(model, constants, runtime);
  } catch (e) {
    if (e instanceof MinnowError) return { status: 'unsupported', why: e.message };
    throw e;
  }
  const feeds = runtime.map((t, k) => {
    const info = conv.inputs[k]!;
    const data = info.nchw ? Array.from(nchwToNhwc(nums(t), t.dims)) : nums(t);
    return info.float ? Float32Array.from(data) : Int8Array.from(data, (v) => (info.uint8 ? v - 128 : v));
  });
  const bytes = conv.graph.pack().bytes;
  const engines: [string, (x: (Float32Array | Int8Array)[]) => ArrayLike<number>[]][] = [['reference', (x) => runReference(readMnw(bytes), x).outputs as ArrayLike<number>[]]];
  for (const build of BUILDS) {
    const m = await loadModel(bytes, { build });
    engines.push([build, (x) => m.run(x).map((o) => o.raw as ArrayLike<number>)]);
  }
  for (const [engine, run] of engines) {
    const got = run(feeds);
    for (const [k, want] of outputs.entries()) {
      const info = conv.outputs[k]!;
      let values = Array.from(got[k]!, (v) => (info.float ? v : info.uint8 ? v + 128 : v));
      if (info.nchw) values = Array.from(nhwcToNchw(values, want.dims));
      const expected = want.dataType === OnnxType.FLOAT ? nums(want).map(Math.fround) : nums(want);
      const bad = values.findIndex((v, i) => v !== expected[i]);
      if (values.length !== expected.length || bad >= 0) return { status: 'failed', why: `${engine}: output ${k} value ${bad}: ${values[bad]}, expected ${expected[bad]}` };
    }
  }
  return { status: 'passed' };
}

function runFloatCase(name: string): Result {
  const { model, inputs, outputs } = loadCase(name);
  const weights = weightInputs(model);
  const constants = new Map(inputs.filter((t) => weights.has(t.name)).map((t) => [t.name, t]));
  let imp;
  try {
    imp = importOnnxFloat(model, { name, constants, collect: true });
  } catch (e) {
    if (e instanceof MinnowError) return { status: 'unsupported', why: e.message };
    throw e;
  }
  const bad = imp.ops.filter((o) => !o.supported);
  if (bad.length) return { status: 'unsupported', why: bad.map((o) => `${o.op}: ${o.why}`).join('; ') };
  const feeds = imp.inputs.map((io) => {
    const t = inputs.find((x) => x.name === io.name)!;
    return io.nchw ? nchwToNhwc(nums(t), t.dims) : Float32Array.from(nums(t));
  });
  const batch = imp.batchAxis ? inputs.find((x) => x.name === imp.inputs[0]!.name)!.dims[0] ?? 1 : 1;
  const values = runFloat(imp.graph, feeds, batch);
  for (const [k, io] of imp.outputs.entries()) {
    let got: ArrayLike<number> = values.get(imp.graph.outputs[k]!)!;
    const want = outputs[k]!;
    if (io.nchw) got = nhwcToNchw(got, want.dims);
    const why = close(got, nums(want));
    if (why) return { status: 'failed', why: `output ${k}: ${why}` };
  }
  return { status: 'passed' };
}

const cases = readdirSync(ROOT).filter((d) => d.startsWith('test_')).sort();
const results = new Map<string, { op: string; result: Result }>();

describe('ONNX backend node tests', () => {
  it(`all ${cases.length} cases: supported ops pass`, async () => {
    for (const name of cases) {
      const model = decodeModel(readFileSync(join(ROOT, name, 'model.onnx')), name);
      const op = [...new Set((model.graph?.node ?? []).map((n) => n.opType!))].join('+');
      const integer = (model.graph?.node ?? []).some((n) => INTEGER_OPS.has(n.opType!));
      let result: Result;
      try {
        result = integer ? await runInteger(name) : runFloatCase(name);
      } catch (e) {
        // Test data of a type minnow does not read (uint32, float16, ...).
        if (!(e instanceof MinnowError)) throw e;
        result = { status: 'unsupported', why: e.message };
      }
      results.set(name, { op, result });
    }
    const failed = [...results].filter(([, r]) => r.result.status === 'failed');
    expect(failed.map(([n, r]) => `${n}: ${r.result.why}`)).toEqual([]);
    expect(results.size).toBe(254);
  }, 120_000);

  afterAll(() => {
    const byOp = new Map<string, { passed: number; failed: number; unsupported: number }>();
    for (const { op, result } of results.values()) {
      const row = byOp.get(op) ?? { passed: 0, failed: 0, unsupported: 0 };
      row[result.status]++;
      byOp.set(op, row);
    }
    const lines = ['| op | passed | failed | unsupported |', '|---|---:|---:|---:|'];
    const total = { passed: 0, failed: 0, unsupported: 0 };
    for (const [op, r] of [...byOp].sort((a, b) => a[0].localeCompare(b[0]))) {
      lines.push(`| ${op} | ${r.passed} | ${r.failed} | ${r.unsupported} |`);
      total.passed += r.passed;
      total.failed += r.failed;
      total.unsupported += r.unsupported;
    }
    lines.push(`| **total** | ${total.passed} | ${total.failed} | ${total.unsupported} |`);
    if (process.env.ONNX_NODE_DETAILS) for (const [n, { result }] of results) if (result.status !== 'passed') lines.push(`${n}: ${result.status}: ${result.why}`);
    console.log(lines.join('\n'));
  });
});
