// Reads an int8 TFLite model (through quantize/import/tflite/reader.ts) into a
// Net: int8 weights and quantization as stored, float weights by dequantizing
// them, so the same network can be written for the other runtimes.
import { Activation as TfliteActivation, BuiltinOp, Padding as TflitePadding, readTflite, TfliteType, type TfliteModel } from '../../quantize/import/tflite/reader.js';
import { NetBuilder, type Activation, type Net, type Quant, type Weights } from './net.js';

const ACTIVATIONS: Record<number, Activation> = { [TfliteActivation.NONE]: 'none', [TfliteActivation.RELU]: 'relu', [TfliteActivation.RELU6]: 'relu6' };

export function netFromTflite(bytes: Uint8Array, name: string): Net {
  const model: TfliteModel = readTflite(bytes, name);
  const sg = model.subgraphs[0]!;
  if (sg.inputs.length !== 1 || sg.outputs.length !== 1) throw new Error(`${name}: only single-input, single-output models`);
  const quantOf = (i: number): Quant => {
    const q = sg.tensors[i]!.quant;
    if (!q || sg.tensors[i]!.type !== TfliteType.INT8) throw new Error(`${name}: tensor ${i} "${sg.tensors[i]!.name}" is not int8`);
    return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
  };
  const input = sg.inputs[0]!;
  const b = new NetBuilder(name, sg.tensors[input]!.shape, quantOf(input));
  const ids = new Map<number, number>([[input, b.net.input]]);
  const weights = (filter: number, bias: number, inScale: number): Weights => {
    const f = sg.tensors[filter]!;
    const raw = model.buffers[f.buffer]!;
    const data = new Int8Array(raw.slice().buffer);
    const scales = Float32Array.from(f.quant!.scale);
    const axis = f.quant!.quantizedDimension;
    const oc = f.shape[axis]!;
    const inner = f.shape.slice(axis + 1).reduce((a, c) => a * c, 1);
    const ch = (i: number) => (scales.length === 1 ? 0 : Math.floor(i / inner) % oc);
    const w = Float32Array.from(data, (v, i) => v * scales[ch(i)]!);
    const qb = bias >= 0 ? new Int32Array(model.buffers[sg.tensors[bias]!.buffer]!.slice().buffer) : new Int32Array(oc);
    const bf = Float32Array.from(qb, (v, o) => v * Math.fround(inScale) * scales[scales.length === 1 ? 0 : o]!);
    return { shape: f.shape, w, b: bf, q: { data, scales, bias: qb } };
  };
  for (const op of sg.operators) {
    const x = ids.get(op.inputs[0]!);
    if (x === undefined) throw new Error(`${name}: op ${op.index} ${op.opName} reads a tensor no op produced`);
    const out = op.outputs[0]!;
    const o = { name: sg.tensors[out]!.name || `op${op.index}`, quant: quantOf(out) };
    const act = (slot: number): Activation => {
      const a = ACTIVATIONS[model.option(op, slot, 'i8', 0)];
      if (!a) throw new Error(`${name}: op ${op.index} ${op.opName} has an unsupported fused activation`);
      return a;
    };
    const padding = () => (model.option(op, 0, 'i8', 0) === TflitePadding.SAME ? 'same' : 'valid') as 'same' | 'valid';
    const stride = (): [number, number] => [model.option(op, 2, 'i32', 1), model.option(op, 1, 'i32', 1)];
    const inScale = quantOf(op.inputs[0]!).scale;
    let y: number;
    switch (op.builtin) {
      case BuiltinOp.CONV_2D:
        y = b.conv2d(x, weights(op.inputs[1]!, op.inputs[2] ?? -1, inScale), { ...o, stride: stride(), padding: padding(), activation: act(3) });
        break;
      case BuiltinOp.DEPTHWISE_CONV_2D:
        y = b.depthwise(x, weights(op.inputs[1]!, op.inputs[2] ?? -1, inScale), { ...o, stride: stride(), padding: padding(), activation: act(4) });
        break;
      case BuiltinOp.FULLY_CONNECTED:
        y = b.dense(x, weights(op.inputs[1]!, op.inputs[2] ?? -1, inScale), { ...o, activation: act(0) });
        break;
      case BuiltinOp.AVERAGE_POOL_2D:
      case BuiltinOp.MAX_POOL_2D:
        y = b.pool(op.builtin === BuiltinOp.AVERAGE_POOL_2D ? 'avgpool' : 'maxpool', x, {
          name: o.name, stride: stride(), padding: padding(), activation: act(5),
          filter: [model.option(op, 4, 'i32', 1), model.option(op, 3, 'i32', 1)],
        });
        break;
      case BuiltinOp.ADD: {
        const x2 = ids.get(op.inputs[1]!);
        if (x2 === undefined) throw new Error(`${name}: op ${op.index} ADD of a constant`);
        y = b.add(x, x2, { ...o, activation: act(0) });
        break;
      }
      case BuiltinOp.RESHAPE:
      case BuiltinOp.SQUEEZE:
        y = b.reshape(x, sg.tensors[out]!.shape, o.name);
        break;
      case BuiltinOp.SOFTMAX:
        y = b.softmax(x, { name: o.name, beta: model.option(op, 0, 'f32', 1) });
        break;
      default:
        throw new Error(`${name}: op ${op.index} ${op.opName} is not supported by the bench exporters`);
    }
    if (b.shape(y).join() !== sg.tensors[out]!.shape.join())
      throw new Error(`${name}: op ${op.index} ${op.opName}: shape [${b.shape(y)}] differs from the file's [${sg.tensors[out]!.shape}]`);
    b.net.tensors[y]!.quant = quantOf(out);
    ids.set(out, y);
  }
  return b.finish(ids.get(sg.outputs[0]!)!);
}
