// Writes an int8 Net as a TFLite flatbuffer (schema version 3, identifier
// "TFL3"), as TFLite's converter writes full-integer models: int8 activations
// per tensor, int8 filters per output channel (quantized_dimension 0 for
// CONV_2D, 3 for DEPTHWISE_CONV_2D), int32 biases with scale s_in * s_w and
// zero point 0, fused activations in the op options. Field slots follow
// schema.fbs declaration order (see quantize/import/tflite/reader.ts).
import * as flatbuffers from 'flatbuffers';
import { isQuantized, type Activation, type Layer, type Net } from './net.js';

const TYPE = { INT32: 2, INT8: 9 } as const;
/** BuiltinOperator code and the op version TFLite's converter gives int8 models. */
const OPS = {
  ADD: [0, 2], AVERAGE_POOL_2D: [1, 2], CONV_2D: [3, 3], DEPTHWISE_CONV_2D: [4, 3], FULLY_CONNECTED: [9, 4],
  MAX_POOL_2D: [17, 2], RESHAPE: [22, 1], SOFTMAX: [25, 2],
} as const;
type OpName = keyof typeof OPS;
/** BuiltinOptions union members (1-based declaration order). */
const OPTIONS = { Conv2D: 1, DepthwiseConv2D: 2, Pool2D: 5, FullyConnected: 8, Softmax: 9, Add: 11, Reshape: 17 } as const;
const ACTIVATION: Record<Activation, number> = { none: 0, relu: 1, relu6: 3 };
const PADDING = { same: 0, valid: 1 } as const;

interface TensorSpec {
  name: string;
  shape: number[];
  type: number;
  buffer: number;
  scales: ArrayLike<number>;
  zeroPoints: ArrayLike<number>;
  axis: number;
}

interface OpSpec {
  op: OpName;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  /** Writes the options table; returns its offset. */
  options: (b: flatbuffers.Builder) => number;
}

function table(b: flatbuffers.Builder, fields: number, write: (b: flatbuffers.Builder) => void): number {
  b.startObject(fields);
  write(b);
  return b.endObject();
}

/** The .tflite bytes of a quantized Net. */
export function writeTflite(net: Net, description = `minnow bench export of ${net.name}`): Uint8Array {
  if (!isQuantized(net)) throw new Error(`${net.name}: the network is not quantized`);
  const buffers: Uint8Array[] = [new Uint8Array(0)];
  const tensors: TensorSpec[] = [];
  const ops: OpSpec[] = [];
  const addBuffer = (data: Int8Array | Int32Array) => {
    buffers.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return buffers.length - 1;
  };
  // Activations first, in the Net's order, so tensor k of the Net is tensor k of the file.
  for (const t of net.tensors)
    tensors.push({ name: t.name, shape: t.shape, type: TYPE.INT8, buffer: 0, scales: [t.quant!.scale], zeroPoints: [t.quant!.zeroPoint], axis: 0 });
  const constant = (spec: Omit<TensorSpec, 'buffer'>, data: Int8Array | Int32Array) => {
    tensors.push({ ...spec, buffer: addBuffer(data) });
    return tensors.length - 1;
  };

  for (const l of net.layers) ops.push(opOf(net, l, constant));

  const b = new flatbuffers.Builder(1 << 16);
  const ints = (xs: ArrayLike<number>) => vectorInt32(b, xs);
  const bufferOffsets = buffers.map((d) => {
    let data = 0;
    if (d.length) {
      b.startVector(1, d.length, 16);
      for (let i = d.length - 1; i >= 0; i--) b.addInt8(d[i]!);
      data = b.endVector();
    }
    return table(b, 1, () => data && b.addFieldOffset(0, data, 0));
  });
  const tensorOffsets = tensors.map((t) => {
    let quant = 0;
    if (t.scales.length) {
      const scale = vectorFloat32(b, t.scales);
      const zp = vectorInt64(b, t.zeroPoints);
      quant = table(b, 7, () => {
        b.addFieldOffset(2, scale, 0);
        b.addFieldOffset(3, zp, 0);
        b.addFieldInt32(6, t.axis, 0);
      });
    }
    const name = b.createString(t.name);
    const shape = ints(t.shape);
    return table(b, 6, () => {
      b.addFieldOffset(0, shape, 0);
      b.addFieldInt8(1, t.type, 0);
      b.addFieldInt32(2, t.buffer, 0);
      b.addFieldOffset(3, name, 0);
      if (quant) b.addFieldOffset(4, quant, 0);
    });
  });
  const codes = [...new Set(ops.map((o) => o.op))];
  const codeOffsets = codes.map((c) => {
    const [code, version] = OPS[c];
    return table(b, 4, () => {
      b.addFieldInt8(0, Math.min(code, 127), 0);
      b.addFieldInt32(2, version, 1);
      b.addFieldInt32(3, code, 0);
    });
  });
  const opOffsets = ops.map((o) => {
    const inputs = ints(o.inputs);
    const outputs = ints(o.outputs);
    const options = o.options(b);
    return table(b, 5, () => {
      b.addFieldInt32(0, codes.indexOf(o.op), 0);
      b.addFieldOffset(1, inputs, 0);
      b.addFieldOffset(2, outputs, 0);
      b.addFieldInt8(3, o.optionsType, 0);
      b.addFieldOffset(4, options, 0);
    });
  });
  const sgTensors = vectorOffsets(b, tensorOffsets);
  const sgInputs = ints([net.input]);
  const sgOutputs = ints([net.output]);
  const sgOps = vectorOffsets(b, opOffsets);
  const sgName = b.createString('main');
  const subgraph = table(b, 5, () => {
    b.addFieldOffset(0, sgTensors, 0);
    b.addFieldOffset(1, sgInputs, 0);
    b.addFieldOffset(2, sgOutputs, 0);
    b.addFieldOffset(3, sgOps, 0);
    b.addFieldOffset(4, sgName, 0);
  });
  const codesVec = vectorOffsets(b, codeOffsets);
  const subgraphs = vectorOffsets(b, [subgraph]);
  const desc = b.createString(description);
  const buffersVec = vectorOffsets(b, bufferOffsets);
  const model = table(b, 5, () => {
    b.addFieldInt32(0, 3, 0);
    b.addFieldOffset(1, codesVec, 0);
    b.addFieldOffset(2, subgraphs, 0);
    b.addFieldOffset(3, desc, 0);
    b.addFieldOffset(4, buffersVec, 0);
  });
  b.finish(model, 'TFL3');
  return b.asUint8Array().slice();
}

function opOf(net: Net, l: Layer, constant: (spec: Omit<TensorSpec, 'buffer'>, data: Int8Array | Int32Array) => number): OpSpec {
  const io = { inputs: [...l.inputs], outputs: [l.output] };
  const inScale = net.tensors[l.inputs[0]!]!.quant!.scale;
  const weights = (w: { shape: number[]; q?: { data: Int8Array; scales: Float32Array; bias: Int32Array } }, axis: number) => {
    const q = w.q!;
    const oc = w.shape[axis]!;
    const filter = constant({ name: `${l.name}/filter`, shape: w.shape, type: TYPE.INT8, scales: q.scales, zeroPoints: new Array(q.scales.length).fill(0), axis }, q.data);
    const biasScales = Float32Array.from(q.scales, (s) => Math.fround(Math.fround(inScale) * s));
    const bias = constant({ name: `${l.name}/bias`, shape: [oc], type: TYPE.INT32, scales: biasScales, zeroPoints: new Array(biasScales.length).fill(0), axis: 0 }, q.bias);
    return [l.inputs[0]!, filter, bias];
  };
  switch (l.op) {
    case 'conv2d':
      return {
        op: 'CONV_2D', inputs: weights(l.weights, 0), outputs: io.outputs, optionsType: OPTIONS.Conv2D,
        options: (b) => table(b, 6, () => {
          b.addFieldInt8(0, PADDING[l.padding], 0);
          b.addFieldInt32(1, l.stride[1], 0);
          b.addFieldInt32(2, l.stride[0], 0);
          b.addFieldInt8(3, ACTIVATION[l.activation], 0);
          b.addFieldInt32(4, 1, 1);
          b.addFieldInt32(5, 1, 1);
        }),
      };
    case 'depthwise':
      return {
        op: 'DEPTHWISE_CONV_2D', inputs: weights(l.weights, 3), outputs: io.outputs, optionsType: OPTIONS.DepthwiseConv2D,
        options: (b) => table(b, 7, () => {
          b.addFieldInt8(0, PADDING[l.padding], 0);
          b.addFieldInt32(1, l.stride[1], 0);
          b.addFieldInt32(2, l.stride[0], 0);
          b.addFieldInt32(3, l.depthMultiplier, 0);
          b.addFieldInt8(4, ACTIVATION[l.activation], 0);
          b.addFieldInt32(5, 1, 1);
          b.addFieldInt32(6, 1, 1);
        }),
      };
    case 'dense':
      return {
        op: 'FULLY_CONNECTED', inputs: weights(l.weights, 0), outputs: io.outputs, optionsType: OPTIONS.FullyConnected,
        options: (b) => table(b, 4, () => b.addFieldInt8(0, ACTIVATION[l.activation], 0)),
      };
    case 'avgpool':
    case 'maxpool':
      return {
        op: l.op === 'avgpool' ? 'AVERAGE_POOL_2D' : 'MAX_POOL_2D', ...io, optionsType: OPTIONS.Pool2D,
        options: (b) => table(b, 6, () => {
          b.addFieldInt8(0, PADDING[l.padding], 0);
          b.addFieldInt32(1, l.stride[1], 0);
          b.addFieldInt32(2, l.stride[0], 0);
          b.addFieldInt32(3, l.filter[1], 0);
          b.addFieldInt32(4, l.filter[0], 0);
          b.addFieldInt8(5, ACTIVATION[l.activation], 0);
        }),
      };
    case 'add':
      return { op: 'ADD', ...io, optionsType: OPTIONS.Add, options: (b) => table(b, 2, () => b.addFieldInt8(0, ACTIVATION[l.activation], 0)) };
    case 'reshape': {
      const shape = net.tensors[l.output]!.shape;
      const shapeTensor = constant({ name: `${l.name}/shape`, shape: [shape.length], type: TYPE.INT32, scales: [], zeroPoints: [], axis: 0 }, Int32Array.from(shape));
      return {
        op: 'RESHAPE', inputs: [l.inputs[0]!, shapeTensor], outputs: io.outputs, optionsType: OPTIONS.Reshape,
        options: (b) => {
          const v = vectorInt32(b, shape);
          return table(b, 1, () => b.addFieldOffset(0, v, 0));
        },
      };
    }
    case 'softmax':
      return { op: 'SOFTMAX', ...io, optionsType: OPTIONS.Softmax, options: (b) => table(b, 1, () => b.addFieldFloat32(0, l.beta, 0)) };
  }
}

function vectorInt32(b: flatbuffers.Builder, xs: ArrayLike<number>): number {
  b.startVector(4, xs.length, 4);
  for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]!);
  return b.endVector();
}

function vectorFloat32(b: flatbuffers.Builder, xs: ArrayLike<number>): number {
  b.startVector(4, xs.length, 4);
  for (let i = xs.length - 1; i >= 0; i--) b.addFloat32(xs[i]!);
  return b.endVector();
}

function vectorInt64(b: flatbuffers.Builder, xs: ArrayLike<number>): number {
  b.startVector(8, xs.length, 8);
  for (let i = xs.length - 1; i >= 0; i--) b.addInt64(BigInt(xs[i]!));
  return b.endVector();
}

function vectorOffsets(b: flatbuffers.Builder, xs: number[]): number {
  b.startVector(4, xs.length, 4);
  for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]!);
  return b.endVector();
}

/**
 * A copy of a .tflite file in which every 1-D tensor whose quantization names
 * a quantized_dimension other than 0 says 0 instead. For a 1-D tensor the only
 * axis is 0, so the meaning is unchanged; TFLite Micro accepts the other values
 * (person_detect.tflite has 14 such biases) but full TFLite rejects the model.
 * Returns the bytes and how many tensors were changed.
 */
export function fixOneDimQuantizedDimension(bytes: Uint8Array): { bytes: Uint8Array; changed: number } {
  const out = bytes.slice();
  const bb = new flatbuffers.ByteBuffer(out);
  const field = (t: number, slot: number) => bb.__offset(t, 4 + slot * 2);
  const tables = (t: number, slot: number): number[] => {
    const o = field(t, slot);
    if (!o) return [];
    const start = bb.__vector(t + o);
    return Array.from({ length: bb.__vector_len(t + o) }, (_, i) => bb.__indirect(start + 4 * i));
  };
  let changed = 0;
  for (const sg of tables(bb.readInt32(bb.position()) + bb.position(), 2))
    for (const t of tables(sg, 0)) {
      const shape = field(t, 0);
      const q = field(t, 4);
      if (!q || !shape || bb.__vector_len(t + shape) !== 1) continue;
      const qt = bb.__indirect(t + q);
      const dim = field(qt, 6);
      if (dim && bb.readInt32(qt + dim) !== 0) {
        bb.writeInt32(qt + dim, 0);
        changed++;
      }
    }
  return { bytes: out, changed };
}
