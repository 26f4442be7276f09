// Reads a packed minnow model (.mnw) back into a Net, so a zoo model can be
// written for the peers. Padding and fused activations are recovered from the
// stored pads and clamps; a float input QUANTIZE and a final DEQUANTIZE are
// left to the caller (the Net starts and ends in int8).
import { DType } from '../../src/format/dtypes.js';
import { OP_BY_ID } from '../../src/format/ops.js';
import { readMnw } from '../../src/format/reader.js';
import { NetBuilder, spatial, type Activation, type Net, type Padding, type Quant, type Weights } from '../export/net.js';

export function netFromMnw(bytes: Uint8Array, name: string): Net {
  const f = readMnw(bytes);
  if (f.inputs.length !== 1 || f.outputs.length !== 1) throw new Error(`${name}: only single-input, single-output models`);
  const quant = (t: number): Quant => ({ scale: f.tensors[t]!.scale, zeroPoint: f.tensors[t]!.zeroPoint });
  const constBytes = (t: number) => {
    const r = f.tensors[t]!;
    return f.constants.slice(r.offset, r.offset + r.bytes);
  };
  let ops = f.ops;
  let input = f.inputs[0]!;
  let output = f.outputs[0]!;
  const first = ops[0];
  if (first && OP_BY_ID.get(first.opcode)?.name === 'QUANTIZE' && f.tensors[input]!.dtype === DType.FLOAT32) {
    input = first.outputs[0]!;
    ops = ops.slice(1);
  }
  const last = ops[ops.length - 1];
  if (last && OP_BY_ID.get(last.opcode)?.name === 'DEQUANTIZE') {
    output = last.inputs[0]!;
    ops = ops.slice(0, -1);
  }
  const b = new NetBuilder(name, f.tensors[input]!.shape, quant(input));
  const ids = new Map<number, number>([[input, b.net.input]]);
  for (const op of ops) {
    const def = OP_BY_ID.get(op.opcode)!;
    const p = Object.fromEntries(def.params.map((k, i) => [k, op.params[i]!])) as Record<string, number>;
    const x = ids.get(op.inputs[0]!);
    if (x === undefined) throw new Error(`${name}: ${def.name} reads a tensor no op produced`);
    const out = op.outputs[0]!;
    const oq = quant(out);
    const opName = f.metadata.opNames?.[f.ops.indexOf(op)] ?? def.name.toLowerCase();
    const activation = (): Activation => {
      const q = (v: number) => oq.zeroPoint + Math.round(v / oq.scale);
      if (p.actMin! <= -128 && p.actMax! >= 127) return 'none';
      if (p.actMin === Math.max(-128, q(0)) && p.actMax! >= 127) return 'relu';
      if (p.actMin === Math.max(-128, q(0)) && p.actMax === Math.min(127, q(6))) return 'relu6';
      throw new Error(`${name}: ${opName} clamps to [${p.actMin}, ${p.actMax}], not none/ReLU/ReLU6`);
    };
    const padding = (k: [number, number]): Padding => {
      const [, h, w] = f.tensors[op.inputs[0]!]!.shape as [number, number, number, number];
      const [, oh, ow] = f.tensors[out]!.shape as [number, number, number, number];
      for (const pad of ['same', 'valid'] as const) {
        const y = spatial(h, k[0], p.strideH!, pad);
        const x2 = spatial(w, k[1], p.strideW!, pad);
        if (y.out === oh && x2.out === ow && y.before === p.padTop && x2.before === p.padLeft) return pad;
      }
      throw new Error(`${name}: ${opName} has padding that is neither 'same' nor 'valid'`);
    };
    const weights = (axis: number): Weights => {
      const wt = f.tensors[op.inputs[1]!]!;
      if (p.filterOffset) throw new Error(`${name}: ${opName} has an asymmetric filter`);
      const data = new Int8Array(constBytes(op.inputs[1]!).buffer);
      const oc = wt.shape[axis]!;
      const scales = wt.perChannel ? Float32Array.from(wt.perChannel.scales) : Float32Array.of(wt.scale);
      const inner = wt.shape.slice(axis + 1).reduce((a, c) => a * c, 1);
      const ch = (i: number) => (scales.length === 1 ? 0 : Math.floor(i / inner) % oc);
      const bias = op.inputs[2] !== undefined && op.inputs[2] !== 0xffff && f.tensors[op.inputs[2]]
        ? new Int32Array(constBytes(op.inputs[2]).buffer)
        : new Int32Array(oc);
      const inScale = f.tensors[op.inputs[0]!]!.scale;
      return {
        shape: wt.shape,
        w: Float32Array.from(data, (v, i) => v * scales[ch(i)]!),
        b: Float32Array.from(bias, (v, o) => v * inScale * scales[scales.length === 1 ? 0 : o]!),
        q: { data, scales, bias },
      };
    };
    let y: number;
    switch (def.name) {
      case 'CONV_2D': {
        const w = weights(0);
        if (p.dilationH !== 1 || p.dilationW !== 1) throw new Error(`${name}: ${opName} is dilated`);
        y = b.conv2d(x, w, { name: opName, stride: [p.strideH!, p.strideW!], padding: padding([w.shape[1]!, w.shape[2]!]), activation: activation(), quant: oq });
        break;
      }
      case 'DEPTHWISE_CONV_2D': {
        const w = weights(3);
        y = b.depthwise(x, w, { name: opName, stride: [p.strideH!, p.strideW!], padding: padding([w.shape[1]!, w.shape[2]!]), activation: activation(), quant: oq });
        break;
      }
      case 'FULLY_CONNECTED': {
        let xin = x;
        const xs = b.shape(x);
        if (xs.length !== 2) xin = b.reshape(x, [xs.reduce((a, c) => a * c, 1) / f.tensors[op.inputs[1]!]!.shape[1]!, f.tensors[op.inputs[1]!]!.shape[1]!], `${opName}/flatten`);
        y = b.dense(xin, weights(0), { name: opName, activation: activation(), quant: oq });
        break;
      }
      case 'MAX_POOL_2D':
      case 'AVERAGE_POOL_2D': {
        const k: [number, number] = [p.filterH!, p.filterW!];
        y = b.pool(def.name === 'MAX_POOL_2D' ? 'maxpool' : 'avgpool', x, { name: opName, filter: k, stride: [p.strideH!, p.strideW!], padding: padding(k), activation: activation() });
        break;
      }
      case 'ADD': {
        const x2 = ids.get(op.inputs[1]!);
        if (x2 === undefined) throw new Error(`${name}: ${opName} adds a constant`);
        y = b.add(x, x2, { name: opName, activation: activation(), quant: oq });
        break;
      }
      case 'RESHAPE':
        y = b.reshape(x, f.tensors[out]!.shape, opName);
        break;
      case 'SOFTMAX':
        y = b.softmax(x, { name: opName });
        break;
      default:
        throw new Error(`${name}: ${def.name} is not supported by the bench exporters`);
    }
    if (b.shape(y).join() !== f.tensors[out]!.shape.join())
      throw new Error(`${name}: ${opName}: shape [${b.shape(y)}] differs from the file's [${f.tensors[out]!.shape}]`);
    b.net.tensors[y]!.quant = oq;
    ids.set(out, y);
  }
  const y = ids.get(output);
  if (y === undefined) throw new Error(`${name}: the output is produced by no op`);
  return b.finish(y);
}
