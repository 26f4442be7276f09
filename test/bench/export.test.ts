// Smoke test of the benchmark's exporters (the peers themselves are not run
// here: they are not dependencies of the package). A tiny network with every
// layer kind is quantized, written as int8 TFLite and QDQ ONNX, and read back by
// minnow's own readers; minnow runs the TFLite file through its importer.
import { describe, expect, it } from 'vitest';
import { netFromTflite } from '../../bench/export/from-tflite.js';
import { NetBuilder, type Net } from '../../bench/export/net.js';
import { toNchw, writeOnnxQdq } from '../../bench/export/onnx.js';
import { fixOneDimQuantizedDimension, writeTflite } from '../../bench/export/tflite.js';
import { forward } from '../../bench/models/float.js';
import { netFromMnw } from '../../bench/models/from-mnw.js';
import { dequantize, quantizeInput, quantizeNet, randomWeights, Rng } from '../../bench/models/quantize.js';
import { decodeModel, decodeTensor, onnx } from '../../quantize/import/onnx/proto.js';
import { importTfliteInt8 } from '../../quantize/import/tflite/int8.js';
import { readTflite } from '../../quantize/import/tflite/reader.js';
import { loadModel } from '../../src/runtime/host.js';

function tinyNet(): { net: Net; input: Float32Array } {
  const rng = new Rng(7);
  const b = new NetBuilder('tiny', [1, 9, 8, 3]);
  let x = b.conv2d(b.net.input, randomWeights(rng, [8, 3, 3, 3], 0, 27), { stride: [2, 2], padding: 'same', activation: 'relu' });
  const y = b.depthwise(x, randomWeights(rng, [1, 3, 3, 8], 3, 9), { padding: 'same', activation: 'relu6' });
  const z = b.conv2d(y, randomWeights(rng, [8, 1, 1, 8], 0, 8), { activation: 'none' });
  x = b.add(x, z, { activation: 'relu' });
  x = b.pool('maxpool', x, { filter: [2, 2], padding: 'valid' });
  x = b.reshape(x, [1, 2 * 2 * 8]);
  x = b.dense(x, randomWeights(rng, [5, 32], 0, 32, 1));
  const net = b.finish(b.softmax(x));
  // Calibrated on the test input itself, so that no activation saturates.
  const input = rng.floats(9 * 8 * 3);
  quantizeNet(net, [input, rng.floats(9 * 8 * 3)], [-1, 1]);
  return { net, input };
}

describe('bench exporters', () => {
  it('writes int8 TFLite that reads back to the same network', () => {
    const { net } = tinyNet();
    const bytes = writeTflite(net);
    const m = readTflite(bytes);
    expect(m.subgraphs[0]!.operators.map((o) => o.opName)).toEqual([
      'CONV_2D', 'DEPTHWISE_CONV_2D', 'CONV_2D', 'ADD', 'MAX_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX',
    ]);
    const back = netFromTflite(bytes, 'tiny');
    expect(back.layers.map((l) => l.op)).toEqual(net.layers.map((l) => l.op));
    back.tensors.forEach((t, i) => {
      expect(t.shape).toEqual(net.tensors[i]!.shape);
      expect(t.quant!.scale).toBe(Math.fround(net.tensors[i]!.quant!.scale));
      expect(t.quant!.zeroPoint).toBe(net.tensors[i]!.quant!.zeroPoint);
    });
    back.layers.forEach((l, i) => {
      const o = net.layers[i]!;
      if ('weights' in l && 'weights' in o) {
        expect(l.weights.q!.data).toEqual(o.weights.q!.data);
        expect(l.weights.q!.scales).toEqual(o.weights.q!.scales);
        expect(l.weights.q!.bias).toEqual(o.weights.q!.bias);
      }
      if ('activation' in l && 'activation' in o) expect(l.activation).toBe(o.activation);
    });
    // Nothing to fix in a file written this way.
    expect(fixOneDimQuantizedDimension(bytes).changed).toBe(0);
  });

  it('minnow runs the exported TFLite file close to the float network', async () => {
    const { net, input } = tinyNet();
    const inQ = net.tensors[net.input]!.quant!;
    const qin = quantizeInput(input, inQ);
    const g = importTfliteInt8(readTflite(writeTflite(net)), 'tiny');
    const model = await loadModel(g.pack().bytes, { build: 'scalar' });
    const out = model.run(qin)[0]!;
    const want = forward(net, dequantize(qin, inQ))[net.output]!;
    const got = dequantize(out.raw as Int8Array, net.tensors[net.output]!.quant!);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(0.02);
  });

  it('reads a packed .mnw back into the same network', () => {
    const { net } = tinyNet();
    const back = netFromMnw(importTfliteInt8(readTflite(writeTflite(net)), 'tiny').pack().bytes, 'tiny');
    expect(back.layers.map((l) => l.op)).toEqual(net.layers.map((l) => l.op));
    back.layers.forEach((l, i) => {
      const o = net.layers[i]!;
      if ('weights' in l && 'weights' in o) expect(l.weights.q!.data).toEqual(o.weights.q!.data);
      // Fused activations come back as clamps; one that clips nothing inside the output's range reads as 'none'.
    });
  });

  it('writes QDQ ONNX with int8 input and output and NCHW filters', () => {
    const { net } = tinyNet();
    const m = decodeModel(writeOnnxQdq(net));
    const g = m.graph!;
    expect(Number(m.opsetImport![0]!.version)).toBe(13);
    expect(g.input![0]!.type!.tensorType!.elemType).toBe(onnx.TensorProto.DataType.INT8);
    expect(g.input![0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, 3, 9, 8]);
    expect(g.output![0]!.type!.tensorType!.elemType).toBe(onnx.TensorProto.DataType.INT8);
    const ops = g.node!.map((n) => n.opType);
    for (const op of ['Conv', 'Relu', 'Clip', 'Add', 'MaxPool', 'Transpose', 'Reshape', 'Gemm', 'Softmax', 'QuantizeLinear', 'DequantizeLinear'])
      expect(ops).toContain(op);
    // The first conv's filter: ONNX [OC, IC, KH, KW] from OHWI.
    const conv = net.layers[0]!;
    if (conv.op !== 'conv2d') throw new Error('layer 0 is a conv');
    const f = decodeTensor(g.initializer!.find((t) => t.name === `${conv.name}/filter`)!);
    expect(f.dims).toEqual([8, 3, 3, 3]);
    const [o, y, x, c] = [5, 1, 2, 2];
    expect(f.data[((o * 3 + c) * 3 + y) * 3 + x]).toBe(conv.weights.q!.data[((o * 3 + y) * 3 + x) * 3 + c]);
    // Every node input is a graph input, an initializer or another node's output.
    const known = new Set([...g.input!.map((i) => i.name), ...g.initializer!.map((i) => i.name), ...g.node!.flatMap((n) => n.output)]);
    for (const n of g.node!) for (const i of n.input!) expect(known.has(i)).toBe(true);
  });

  it('writes uint8 activations as the int8 values moved by 128', () => {
    const { net } = tinyNet();
    const g = decodeModel(writeOnnxQdq(net, { activations: 'uint8' })).graph!;
    expect(g.input![0]!.type!.tensorType!.elemType).toBe(onnx.TensorProto.DataType.UINT8);
    const zp = decodeTensor(g.initializer!.find((t) => t.name === `${net.tensors[net.input]!.name}/zero_point`)!);
    expect(zp.dataType).toBe(onnx.TensorProto.DataType.UINT8);
    expect(zp.data[0]).toBe(net.tensors[net.input]!.quant!.zeroPoint + 128);
  });

  it('transposes NHWC input values to NCHW', () => {
    const x = Int8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const y = toNchw(x, [1, 2, 3, 4]);
    expect(y[(1 * 2 + 1) * 3 + 2]).toBe(x[(1 * 3 + 2) * 4 + 1]);
  });
});
