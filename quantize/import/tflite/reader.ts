// Reads a .tflite file (a FlatBuffer with TFLite's schema, identifier "TFL3")
// into plain objects, using the flatbuffers runtime's ByteBuffer. Field slots
// follow TFLite's schema.fbs (each field's vtable slot is its declaration order;
// a union takes two slots: type, then value). Every vector length and offset is
// checked against the file, so a damaged file gets a TfliteError, not a crash.
import * as flatbuffers from 'flatbuffers';
import { MinnowError } from '../../../src/format/errors.js';

export class TfliteError extends MinnowError {}

/** TFLite TensorType values. */
export const TfliteType = {
  FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, STRING: 5, BOOL: 6, INT16: 7,
  COMPLEX64: 8, INT8: 9, FLOAT64: 10, COMPLEX128: 11, UINT64: 12, RESOURCE: 13, VARIANT: 14,
  UINT32: 15, UINT16: 16, INT4: 17,
} as const;
export const TFLITE_TYPE_NAMES = Object.fromEntries(Object.entries(TfliteType).map(([k, v]) => [v, k])) as Record<number, string>;

/** The builtin operators minnow knows by name (TFLite BuiltinOperator values). */
export const BuiltinOp = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6,
  FULLY_CONNECTED: 9, LOGISTIC: 14, MAX_POOL_2D: 17, MUL: 18, RELU: 19, RELU_N1_TO_1: 20, RELU6: 21,
  RESHAPE: 22, SOFTMAX: 25, TANH: 28, CUSTOM: 32, PAD: 34, TRANSPOSE: 39, MEAN: 40, SUB: 41,
  SQUEEZE: 43, STRIDED_SLICE: 45, EXP: 47, PRELU: 54, PADV2: 60, EXPAND_DIMS: 70, LEAKY_RELU: 98,
  ELU: 111, QUANTIZE: 114, HARD_SWISH: 117, BATCH_MATMUL: 126, GELU: 150,
} as const;
export const BUILTIN_NAMES: Record<number, string> = Object.fromEntries(Object.entries(BuiltinOp).map(([k, v]) => [v, k]));

export const Padding = { SAME: 0, VALID: 1 } as const;
/** TFLite ActivationFunctionType. */
export const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

export interface TfliteQuant {
  scale: Float32Array;
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: number;
  buffer: number;
  quant?: TfliteQuant;
  isVariable: boolean;
}

export interface TfliteOperator {
  index: number;
  /** BuiltinOperator value (CUSTOM for custom ops). */
  builtin: number;
  opName: string;
  customCode?: string;
  version: number;
  /** Tensor indices; -1 marks an absent optional input. */
  inputs: number[];
  outputs: number[];
  /** The builtin options table's position in the file, read with `options`. */
  optionsPos: number;
}

export interface TfliteSubgraph {
  name: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
}

export interface TfliteModel {
  version: number;
  description: string;
  subgraphs: TfliteSubgraph[];
  /** Buffer data by index (empty for buffer 0 and activations). */
  buffers: Uint8Array[];
  /** Reads field `slot` of an operator's builtin options as the given scalar kind. */
  option(op: TfliteOperator, slot: number, kind: 'i8' | 'i32' | 'f32' | 'bool', fallback: number): number;
  /** Reads an int vector field of an operator's builtin options. */
  optionInts(op: TfliteOperator, slot: number): number[] | undefined;
}

export function readTflite(bytes: Uint8Array, where = 'model'): TfliteModel {
  // A plain view: Node's Buffer.slice() does not copy, and pooled Buffers share one ArrayBuffer.
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new TfliteError('E_TFLITE_PARSE', `${where}: ${bytes.length} bytes is too short for a TFLite file`);
  const bb = new flatbuffers.ByteBuffer(bytes);
  const ident = String.fromCharCode(...bytes.subarray(4, 8));
  if (ident !== 'TFL3') throw new TfliteError('E_TFLITE_PARSE', `${where} is not a TFLite file (identifier "${ident}", expected "TFL3")`);
  const size = bytes.length;
  const bad = (what: string): never => {
    throw new TfliteError('E_TFLITE_PARSE', `${where} is damaged: ${what}`);
  };
  const checkPos = (p: number, n: number, what: string) => {
    if (!(p >= 0 && p + n <= size)) bad(`${what} at ${p} lies outside the file (${size} bytes)`);
  };
  const table = (p: number, what: string) => {
    checkPos(p, 4, what);
    const vt = p - bb.readInt32(p);
    checkPos(vt, 4, `${what} vtable`);
    const vtSize = bb.readUint16(vt);
    checkPos(vt, vtSize, `${what} vtable`);
    return p;
  };
  const field = (t: number, slot: number) => bb.__offset(t, 4 + slot * 2);
  const scalar = (t: number, slot: number, kind: 'i8' | 'u8' | 'i32' | 'u32' | 'f32' | 'bool', fallback: number): number => {
    const o = field(t, slot);
    if (!o) return fallback;
    checkPos(t + o, kind === 'i32' || kind === 'u32' || kind === 'f32' ? 4 : 1, 'a scalar field');
    switch (kind) {
      case 'i8': return bb.readInt8(t + o);
      case 'u8': return bb.readUint8(t + o);
      case 'bool': return bb.readUint8(t + o) ? 1 : 0;
      case 'i32': return bb.readInt32(t + o);
      case 'u32': return bb.readUint32(t + o);
      case 'f32': return bb.readFloat32(t + o);
    }
  };
  const sub = (t: number, slot: number, what: string): number | undefined => {
    const o = field(t, slot);
    if (!o) return undefined;
    checkPos(t + o, 4, what);
    return table(bb.__indirect(t + o), what);
  };
  /** Start and length of a vector field (elements of `elem` bytes). */
  const vector = (t: number, slot: number, elem: number, what: string): [number, number] | undefined => {
    const o = field(t, slot);
    if (!o) return undefined;
    checkPos(t + o, 4, what);
    const start = bb.__vector(t + o);
    checkPos(start - 4, 4, what);
    const len = bb.__vector_len(t + o);
    checkPos(start, len * elem, `${what} (${len} elements)`);
    return [start, len];
  };
  const ints = (t: number, slot: number, what: string): number[] | undefined => {
    const v = vector(t, slot, 4, what);
    return v && Array.from({ length: v[1] }, (_, i) => bb.readInt32(v[0] + i * 4));
  };
  const string = (t: number, slot: number): string => {
    const o = field(t, slot);
    if (!o) return '';
    checkPos(t + o, 4, 'a string');
    const p = t + o + bb.readUint32(t + o);
    checkPos(p, 4, 'a string');
    const len = bb.readUint32(p);
    checkPos(p + 4, len, 'a string');
    return new TextDecoder().decode(bytes.subarray(p + 4, p + 4 + len));
  };
  const tables = (t: number, slot: number, what: string): number[] => {
    const v = vector(t, slot, 4, what);
    if (!v) return [];
    return Array.from({ length: v[1] }, (_, i) => {
      const p = v[0] + i * 4;
      return table(p + bb.readUint32(p), what);
    });
  };

  try {
    checkPos(0, 4, 'the root');
    const model = table(bb.readUint32(0), 'the model');
    const version = scalar(model, 0, 'u32', 0);
    const codes = tables(model, 1, 'operator codes').map((c) => {
      const deprecated = scalar(c, 0, 'i8', 0);
      const extended = scalar(c, 3, 'i32', 0);
      return { builtin: Math.max(deprecated, extended), custom: string(c, 1), version: scalar(c, 2, 'i32', 1) };
    });
    const buffers = tables(model, 4, 'buffers').map((b, i) => {
      const v = vector(b, 0, 1, `buffer ${i}`);
      if (v) return bytes.subarray(v[0], v[0] + v[1]);
      const offset = scalar(b, 1, 'u32', 0);
      if (offset > 1) bad(`buffer ${i} is stored outside the flatbuffer (models over 2 GB are not supported)`);
      return new Uint8Array(0);
    });
    const subgraphs = tables(model, 2, 'subgraphs').map((sg): TfliteSubgraph => {
      const tensors = tables(sg, 0, 'tensors').map((t, index): TfliteTensor => {
        const q = sub(t, 4, 'quantization');
        let quant: TfliteQuant | undefined;
        if (q) {
          const sv = vector(q, 2, 4, 'scales');
          const zv = vector(q, 3, 8, 'zero points');
          if (sv && sv[1] > 0) {
            quant = {
              scale: Float32Array.from({ length: sv[1] }, (_, i) => bb.readFloat32(sv[0] + i * 4)),
              zeroPoint: Array.from({ length: zv?.[1] ?? 0 }, (_, i) => Number(bb.readInt64(zv![0] + i * 8))),
              quantizedDimension: scalar(q, 6, 'i32', 0),
            };
          }
        }
        return {
          index,
          name: string(t, 3),
          shape: ints(t, 0, 'a tensor shape') ?? [],
          type: scalar(t, 1, 'i8', 0),
          buffer: scalar(t, 2, 'u32', 0),
          quant,
          isVariable: !!scalar(t, 5, 'bool', 0),
        };
      });
      const operators = tables(sg, 3, 'operators').map((o, index): TfliteOperator => {
        const codeIndex = scalar(o, 0, 'u32', 0);
        const code = codes[codeIndex];
        if (!code) bad(`operator ${index} names operator code ${codeIndex}, but there are ${codes.length}`);
        const optionsPos = sub(o, 4, 'builtin options') ?? -1;
        return {
          index,
          builtin: code.builtin,
          opName: code.builtin === BuiltinOp.CUSTOM ? `CUSTOM(${code.custom})` : BUILTIN_NAMES[code.builtin] ?? `BUILTIN_${code.builtin}`,
          customCode: code.builtin === BuiltinOp.CUSTOM ? code.custom : undefined,
          version: code.version,
          inputs: ints(o, 1, 'operator inputs') ?? [],
          outputs: ints(o, 2, 'operator outputs') ?? [],
          optionsPos,
        };
      });
      const check = (ids: number[], what: string, allowMissing: boolean) =>
        ids.forEach((i) => {
          if (!(i < tensors.length && (i >= 0 || (allowMissing && i === -1)))) bad(`${what} names tensor ${i}, but the subgraph has ${tensors.length}`);
        });
      const inputs = ints(sg, 1, 'subgraph inputs') ?? [];
      const outputs = ints(sg, 2, 'subgraph outputs') ?? [];
      check(inputs, 'a subgraph input', false);
      check(outputs, 'a subgraph output', false);
      operators.forEach((o) => {
        check(o.inputs, `operator ${o.index} (${o.opName})`, true);
        check(o.outputs, `operator ${o.index} (${o.opName})`, false);
      });
      tensors.forEach((t) => {
        if (t.buffer >= buffers.length) bad(`tensor ${t.index} "${t.name}" names buffer ${t.buffer}, but there are ${buffers.length}`);
      });
      return { name: string(sg, 4), tensors, inputs, outputs, operators };
    });
    if (!subgraphs.length) bad('it has no subgraphs');
    return {
      version,
      description: string(model, 3),
      subgraphs,
      buffers,
      option: (op, slot, kind, fallback) => (op.optionsPos < 0 ? fallback : scalar(op.optionsPos, slot, kind, fallback)),
      optionInts: (op, slot) => (op.optionsPos < 0 ? undefined : ints(op.optionsPos, slot, 'an option vector')),
    };
  } catch (e) {
    if (e instanceof TfliteError) throw e;
    throw new TfliteError('E_TFLITE_PARSE', `${where} is damaged: ${(e as Error).message}`);
  }
}
