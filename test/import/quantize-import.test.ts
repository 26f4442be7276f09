// `minnow quantize` on foreign models, end to end through the CLI: float ONNX
// (NCHW, as PyTorch exports it), QDQ ONNX (its scales kept), float TFLite,
// TF.js layers, and int8 TFLite (packed unchanged), with .npy calibration
// files written here. `minnow inspect` on foreign files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readMnw } from '../../src/format/reader.js';
import { Location } from '../../src/format/layout.js';
import { DType } from '../../src/format/dtypes.js';
import { loadModel } from '../../src/runtime/host.js';
import { importTfliteInt8 } from '../../quantize/import/tflite/int8.js';
import { readTflite } from '../../quantize/import/tflite/reader.js';
import { importModel } from '../../quantize/import/index.js';
import { onnx } from '../../quantize/import/onnx/proto.js';
import { nchwToNhwc } from '../../quantize/import/onnx/float.js';
import { runFloat } from '../../quantize/ir/execute.js';
import { quantizeModel } from '../../quantize/quantize.js';
import { randomData, saveSmall, tempDir, writeNpy } from '../quantize/helpers.js';
import { writeTfjs } from './helpers.js';

const TFLITE = new URL('../../../shared/conformance/tflite/', import.meta.url).pathname;
const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    return { code: await main(argv), out: out.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** A small ONNX model built node by node. */
function onnxModel(nodes: onnxProto.onnx.INodeProto[], inits: [string, number[], Float32Array | Int8Array | Uint8Array | BigInt64Array][], input: [string, number[]], output: string, opset = 13): Uint8Array {
  const type = (d: Float32Array | Int8Array | Uint8Array | BigInt64Array) => (d instanceof Float32Array ? T.FLOAT : d instanceof Int8Array ? T.INT8 : d instanceof Uint8Array ? T.UINT8 : T.INT64);
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'g', node: nodes,
      initializer: inits.map(([name, dims, d]) => ({ name, dims, dataType: type(d), rawData: new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice() })),
      input: [{ name: input[0], type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'N' }, ...input[1].map((v) => ({ dimValue: v }))] } } } }],
      output: [{ name: output, type: { tensorType: { elemType: T.FLOAT } } }],
    },
  })).finish();
}
const ints = (name: string, v: number[]) => ({ name, type: A.INTS, ints: v });

/** Conv(3→6, 3x3, pad 1) → Relu → MaxPool 2 → Conv(6→4, 1x1) → Flatten → Gemm(→5) → Softmax, NCHW [N, 3, 8, 8]. */
function pytorchLikeCnn(): Uint8Array {
  const w = (n: number, seed: number) => randomData(n, seed, -0.5, 0.5);
  return onnxModel([
    { opType: 'Conv', input: ['x', 'w1', 'b1'], output: ['c1'], name: 'conv1', attribute: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])] },
    { opType: 'Relu', input: ['c1'], output: ['r1'], name: 'relu1' },
    { opType: 'MaxPool', input: ['r1'], output: ['p1'], name: 'pool1', attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] },
    { opType: 'Conv', input: ['p1', 'w2', 'b2'], output: ['c2'], name: 'conv2', attribute: [ints('kernel_shape', [1, 1])] },
    { opType: 'Flatten', input: ['c2'], output: ['f'], name: 'flatten' },
    { opType: 'Gemm', input: ['f', 'w3', 'b3'], output: ['g'], name: 'fc', attribute: [{ name: 'transB', type: A.INT, i: 1 }] },
    { opType: 'Softmax', input: ['g'], output: ['y'], name: 'softmax', attribute: [{ name: 'axis', type: A.INT, i: 1 }] },
  ], [
    ['w1', [6, 3, 3, 3], w(162, 1)], ['b1', [6], w(6, 2)], ['w2', [4, 6, 1, 1], w(24, 3)], ['b2', [4], w(4, 4)],
    ['w3', [5, 64], w(320, 5)], ['b3', [5], w(5, 6)],
  ], ['x', [3, 8, 8]], 'y');
}

describe('minnow quantize on foreign models', () => {
  const dir = tempDir();

  it('float ONNX (NCHW): imports without a transpose left, quantizes, int8 agrees with float', async () => {
    const file = join(dir, 'cnn.onnx');
    writeFileSync(file, pytorchLikeCnn());
    const m = importModel(file);
    if (m.kind !== 'float') throw new Error('float expected');
    expect(m.graph.nodes.map((n) => n.op)).not.toContain('transpose');
    expect(m.onnx!.inputs[0]!.nchw).toBe(true);
    // The minnow model takes NHWC: calibration data are [N, 8, 8, 3].
    const n = 64;
    const xNchw = randomData(n * 192, 9, 0, 1);
    const x = nchwToNhwc(xNchw, [n, 3, 8, 8]);
    const calib = writeNpy(dir, 'cnn-calib.npy', x, [n, 8, 8, 3]);
    const r = await cli('quantize', file, '--calib', calib, '-o', join(dir, 'cnn.mnw'), '--json', '-q');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.ops.map((o: { op: string }) => o.op)).toEqual(['CONV_2D', 'MAX_POOL_2D', 'CONV_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
    expect(s.int8.agreement).toBeGreaterThan(0.9);
    const model = await loadModel(readFileSync(join(dir, 'cnn.mnw')));
    const want = runFloat(m.graph, [x.subarray(0, 192)], 1).get(m.graph.outputs[0]!)!;
    const got = model.run(x.slice(0, 192))[0]!.values;
    for (let i = 0; i < 5; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(0.05);
  });

  it('QDQ ONNX: the ranges its QuantizeLinear nodes carry win over calibration, the int8 weights and their scales are kept', async () => {
    // |w| well below 127: choosing a new scale from the weights' range would change every value.
    const wq = Int8Array.from({ length: 12 }, (_, i) => ((i * 37) % 101) - 50);
    const file = join(dir, 'qdq.onnx');
    writeFileSync(file, onnxModel([
      { opType: 'QuantizeLinear', input: ['x', 'sx', 'zx'], output: ['xq'], name: 'q_in' },
      { opType: 'DequantizeLinear', input: ['xq', 'sx', 'zx'], output: ['xd'], name: 'dq_in' },
      { opType: 'DequantizeLinear', input: ['wq', 'sw'], output: ['w'], name: 'dq_w' },
      { opType: 'MatMul', input: ['xd', 'w'], output: ['mm'], name: 'matmul' },
      { opType: 'Add', input: ['mm', 'b'], output: ['y0'], name: 'bias' },
      { opType: 'QuantizeLinear', input: ['y0', 'sy', 'zy'], output: ['yq'], name: 'q_out' },
      { opType: 'DequantizeLinear', input: ['yq', 'sy', 'zy'], output: ['y'], name: 'dq_out' },
    ], [
      ['sx', [], Float32Array.of(0.02)], ['zx', [], Uint8Array.of(100)], ['wq', [4, 3], wq], ['sw', [], Float32Array.of(0.01)],
      ['b', [3], Float32Array.of(0.1, -0.2, 0.3)], ['sy', [], Float32Array.of(0.05)], ['zy', [], Uint8Array.of(128)],
    ], ['x', [4]], 'y'));
    const calib = writeNpy(dir, 'qdq-calib.npy', randomData(32 * 4, 3, -1, 1), [32, 4]);
    const r = await quantizeModel(file, { calib });
    const q = r.details.lowered.quant;
    expect(q.get('x')).toMatchObject({ zeroPoint: 100 - 128 });
    expect(q.get('x')!.scale).toBeCloseTo(0.02, 7);
    const out = [...q.entries()].find(([t]) => r.details.graph.outputs.includes(t))![1];
    expect(out.zeroPoint).toBe(0);
    expect(out.scale).toBeCloseTo(0.05, 7);
    expect(r.passes.qdqRanges.size).toBeGreaterThan(0);
    const file8 = readMnw(r.bytes);
    const filter = file8.tensors.find((t) => t.location === Location.CONST && t.dtype === DType.INT8 && t.shape.join() === '3,4')!;
    expect(filter.perChannel ? Array.from(filter.perChannel.scales) : [filter.scale]).toEqual(expect.arrayContaining([Math.fround(0.01)]));
    expect(new Set(filter.perChannel?.scales ?? [filter.scale]).size).toBe(1);
    const stored = new Int8Array(file8.constants.buffer, file8.constants.byteOffset + filter.offset, 12);
    // ONNX B is [K=4, N=3]; the runtime's filter is [N, K].
    for (let n = 0; n < 3; n++) for (let k = 0; k < 4; k++) expect(stored[n * 4 + k]).toBe(wq[k * 3 + n]);
  });

  it('float TFLite through the CLI', async () => {
    const calib = writeNpy(dir, 'sine.npy', Float32Array.from({ length: 200 }, (_, i) => (2 * Math.PI * i) / 199), [200, 1]);
    const out = join(dir, 'sine.mnw');
    const r = await cli('quantize', join(TFLITE, 'hello_world_float.tflite'), '--calib', calib, '-o', out, '-q');
    expect(r.code).toBe(0);
    const m = await loadModel(readFileSync(out));
    expect(Math.abs(m.run(Float32Array.of(1))[0]!.values[0]! - Math.sin(1))).toBeLessThan(0.1);
  });

  it('TF.js layers model.json through the CLI', async () => {
    const { dir: floatDir, inputShape } = saveSmall('conv', dir);
    const json = writeTfjs(floatDir, join(dir, 'conv-tfjs'));
    const calib = writeNpy(dir, 'conv.npy', randomData(32 * 432, 8), [32, ...inputShape]);
    const r = await cli('quantize', json, '--calib', calib, '--json', '-q');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.out).toBe(join(dir, 'conv-tfjs', 'conv-tfjs.mnw'));
    expect(s.int8.agreement).toBeGreaterThan(0.8);
  });

  it('int8 TFLite: packed unchanged, byte for byte what the importer packs', async () => {
    const out = join(dir, 'hello.mnw');
    const r = await cli('quantize', join(TFLITE, 'hello_world_int8.tflite'), '-o', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/packed unchanged/);
    const want = importTfliteInt8(readTflite(readFileSync(join(TFLITE, 'hello_world_int8.tflite'))), 'hello_world_int8');
    const m = await loadModel(readFileSync(out));
    expect([-96, -63, -34, 0].map((v) => m.run(Int8Array.of(v))[0]!.raw[0])).toEqual([89, 125, 93, 4]);
    expect(m.outputs[0]!.zeroPoint).toBe(want.tensor(want.outputs[0]!).zeroPoint);
  });

  it('inspect lists a foreign model\'s ops, supported or not', async () => {
    const file = join(dir, 'mixed.onnx');
    writeFileSync(file, onnxModel([
      { opType: 'Relu', input: ['x'], output: ['r'], name: 'relu' },
      { opType: 'LayerNormalization', input: ['r', 's'], output: ['l'], name: 'norm' },
      { opType: 'Erf', input: ['l'], output: ['y'], name: 'erf' },
    ], [['s', [4], Float32Array.of(1, 1, 1, 1)]], ['x', [4]], 'y', 17));
    const r = await cli('inspect', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/onnx float model, 3 ops, 1 supported, 2 unsupported/);
    expect(r.out).toMatch(/relu\s+Relu\s+supported/);
    expect(r.out).toMatch(/norm\s+LayerNormalization\s+UNSUPPORTED: no minnow equivalent for LayerNormalization — minnow has no layer normalization kernel/);
    expect(r.out).toMatch(/erf\s+Erf\s+UNSUPPORTED/);
    const q = await cli('quantize', file, '--calib', 'nothing.npy');
    expect(q.code).not.toBe(0);
    const j = await cli('inspect', join(TFLITE, 'person_detect.tflite'), '--json');
    expect(JSON.parse(j.out)).toMatchObject({ format: 'tflite', kind: 'int8' });
  });
});
