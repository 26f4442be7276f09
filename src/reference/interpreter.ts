// The reference interpreter: runs a .mnw model op by op with the TypeScript
// reference kernels. It defines what every op computes; every wasm build must
// match it bit for bit.
import { allocTyped, DType, typedArrayFor, type AnyTypedArray } from '../format/dtypes.js';
import { InputError } from '../format/errors.js';
import { Location } from '../format/layout.js';
import type { MnwFile } from '../format/model.js';
import { NONE, OP_BY_ID, type OpName } from '../format/ops.js';
import { quantizeValue } from '../runtime/quant.js';
import { REFERENCE_KERNELS } from './kernels.js';
import type { RefOp, RefTensor } from './types.js';

export interface ReferenceRun {
  /** Output data in output order. */
  outputs: AnyTypedArray[];
  /** Every tensor's data after the run (constants included), by tensor index. */
  tensors: AnyTypedArray[];
}

export interface ReferenceOptions {
  /** Give conv-like kernels an accumulator array per op (see RefOp.accumulators). */
  accumulators?: boolean;
  /** Called after each op with its index and operands (for tracing and per-layer comparisons). */
  afterOp?: (index: number, op: RefOp) => void;
}

/** Inputs are raw integers (or float32 for float inputs); a Float32Array for an integer input is quantized. */
export function runReference(file: MnwFile, inputs: AnyTypedArray[], options: ReferenceOptions = {}): ReferenceRun {
  const data: AnyTypedArray[] = file.tensors.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.location === Location.CONST) {
      const bytes = file.constants.slice(t.offset, t.offset + t.bytes);
      return typedArrayFor(t.dtype, bytes.buffer, 0, n);
    }
    return allocTyped(t.dtype, n);
  });
  if (inputs.length !== file.inputs.length) throw new InputError('E_INPUT', `expected ${file.inputs.length} inputs, got ${inputs.length}`);
  file.inputs.forEach((ti, k) => {
    const t = file.tensors[ti]!;
    const src = inputs[k]!;
    const dst = data[ti]!;
    if (src.length !== dst.length) throw new InputError('E_INPUT_LENGTH', `input ${k} needs ${dst.length} values, got ${src.length}`);
    if (src instanceof Float32Array && t.dtype !== DType.FLOAT32) {
      for (let i = 0; i < src.length; i++) (dst as Int8Array)[i] = quantizeValue(src[i]!, t.scale, t.zeroPoint, t.dtype);
    } else (dst as Int8Array).set(src as Int8Array);
  });
  const tensor = (i: number): RefTensor | undefined => (i === NONE ? undefined : { record: file.tensors[i]!, data: data[i]! });
  file.ops.forEach((o, index) => {
    const def = OP_BY_ID.get(o.opcode)!;
    const op: RefOp = {
      inputs: o.inputs.map(tensor),
      outputs: o.outputs.map((i) => tensor(i)!),
      params: Object.fromEntries(def.params.map((p, k) => [p, o.params[k]!])),
    };
    if (options.accumulators) op.accumulators = new Int32Array(data[o.outputs[0]!]!.length);
    if (def.alias) {
      // RESHAPE: the output is the input's bytes under a new shape.
      data[o.outputs[0]!] = data[o.inputs[0]!]!;
      op.outputs = [tensor(o.outputs[0]!)!];
    } else REFERENCE_KERNELS[def.name as Exclude<OpName, 'RESHAPE'>](op);
    options.afterOp?.(index, op);
  });
  return { outputs: file.outputs.map((i) => data[i]!), tensors: data };
}
