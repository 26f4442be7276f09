// ONNX protobuf decoding (onnx-proto's generated protobufjs code): models and
// tensors as typed arrays.
import onnxProto from 'onnx-proto';
import { MinnowError } from '../../../src/format/errors.js';
import { halfToFloat } from '../half.js';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type TensorProto = onnxProto.onnx.ITensorProto;

/** A file that is not a valid ONNX model or tensor. */
export class OnnxError extends MinnowError {}

export const OnnxType = onnx.TensorProto.DataType;

export type OnnxArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | BigInt64Array;

export interface DecodedTensor {
  name: string;
  dims: number[];
  dataType: number;
  data: OnnxArray;
  /** A dequantized symmetric int8 weight: its scales along `axis` (one scale: per tensor). */
  quantized?: { scales: Float32Array; axis: number };
}

const RAW: Record<number, { bytes: number; make: (b: ArrayBuffer, n: number) => OnnxArray }> = {
  [OnnxType.FLOAT]: { bytes: 4, make: (b, n) => new Float32Array(b, 0, n) },
  [OnnxType.DOUBLE]: { bytes: 8, make: (b, n) => new Float64Array(b, 0, n) },
  [OnnxType.INT8]: { bytes: 1, make: (b, n) => new Int8Array(b, 0, n) },
  [OnnxType.UINT8]: { bytes: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  [OnnxType.BOOL]: { bytes: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  [OnnxType.INT16]: { bytes: 2, make: (b, n) => new Int16Array(b, 0, n) },
  [OnnxType.UINT16]: { bytes: 2, make: (b, n) => new Uint16Array(b, 0, n) },
  [OnnxType.INT32]: { bytes: 4, make: (b, n) => new Int32Array(b, 0, n) },
  [OnnxType.INT64]: { bytes: 8, make: (b, n) => new BigInt64Array(b, 0, n) },
  // float16: widened to float32 (exactly) below.
  [OnnxType.FLOAT16]: { bytes: 2, make: (b, n) => new Uint16Array(b, 0, n) },
};

export function onnxTypeName(t: number): string {
  return (onnx.TensorProto.DataType as unknown as Record<number, string>)[t] ?? `type ${t}`;
}

/** A TensorProto's values as a typed array (raw_data or the typed fields). */
export function decodeTensor(t: TensorProto): DecodedTensor {
  const d = decodeRaw(t);
  if (d.dataType !== OnnxType.FLOAT16) return d;
  return { ...d, dataType: OnnxType.FLOAT, data: Float32Array.from(d.data as Uint16Array, halfToFloat) };
}

function decodeRaw(t: TensorProto): DecodedTensor {
  const name = t.name ?? '';
  const dims = (t.dims ?? []).map(Number);
  const dataType = t.dataType ?? 0;
  const n = dims.reduce((a, b) => a * b, 1);
  const kind = RAW[dataType];
  if (!kind) throw new OnnxError('E_ONNX_TYPE', `tensor "${name}": ONNX type ${onnxTypeName(dataType)} is not supported`);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
    throw new OnnxError('E_ONNX_EXTERNAL', `tensor "${name}" keeps its data in an external file; save the model with the weights inside`);
  if (t.rawData && t.rawData.length) {
    if (t.rawData.length !== n * kind.bytes)
      throw new OnnxError('E_ONNX_TENSOR', `tensor "${name}": raw data has ${t.rawData.length} bytes, shape [${dims}] needs ${n * kind.bytes}`);
    const copy = new Uint8Array(t.rawData).buffer; // aligned copy, little-endian as ONNX stores it
    return { name, dims, dataType, data: kind.make(copy, n) };
  }
  const out = kind.make(new ArrayBuffer(n * kind.bytes), n);
  const src: ArrayLike<number | { toNumber(): number } | bigint> =
    dataType === OnnxType.FLOAT ? t.floatData ?? [] :
    dataType === OnnxType.DOUBLE ? t.doubleData ?? [] :
    dataType === OnnxType.INT64 ? t.int64Data ?? [] :
    t.int32Data ?? [];
  if (src.length !== n) throw new OnnxError('E_ONNX_TENSOR', `tensor "${name}" has ${src.length} values, shape [${dims}] needs ${n}`);
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    const num = typeof v === 'object' ? v.toNumber() : Number(v);
    if (out instanceof BigInt64Array) out[i] = BigInt(num);
    else out[i] = num;
  }
  return { name, dims, dataType, data: out };
}

export function decodeModel(bytes: Uint8Array, where = 'model'): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxError('E_ONNX_PARSE', `${where} is not a valid ONNX model: ${(e as Error).message}`);
  }
}

export function decodeTensorFile(bytes: Uint8Array, where = 'tensor'): DecodedTensor {
  try {
    return decodeTensor(onnx.TensorProto.decode(bytes));
  } catch (e) {
    if (e instanceof OnnxError) throw e;
    throw new OnnxError('E_ONNX_PARSE', `${where} is not a valid ONNX TensorProto: ${(e as Error).message}`);
  }
}
