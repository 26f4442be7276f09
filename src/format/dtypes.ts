// Element types stored in the .mnw tensor table. The numbers are part of the
// file format: never renumber, only append.
export const DType = {
  FLOAT32: 0,
  INT8: 1,
  INT16: 2,
  INT32: 3,
  INT64: 4,
  UINT8: 5,
} as const;
export type DType = (typeof DType)[keyof typeof DType];
export type DTypeName = keyof typeof DType;

export const DTYPE_NAMES: Record<DType, DTypeName> = {
  0: 'FLOAT32',
  1: 'INT8',
  2: 'INT16',
  3: 'INT32',
  4: 'INT64',
  5: 'UINT8',
};

export const DTYPE_BYTES: Record<DType, number> = { 0: 4, 1: 1, 2: 2, 3: 4, 4: 8, 5: 1 };

export function isDType(v: number): v is DType {
  return Number.isInteger(v) && v >= 0 && v <= 5;
}

/** The typed array that holds a tensor of this element type. */
export type TypedArrayOf<D extends DType> = D extends 0
  ? Float32Array
  : D extends 1
    ? Int8Array
    : D extends 2
      ? Int16Array
      : D extends 3
        ? Int32Array
        : D extends 4
          ? BigInt64Array
          : Uint8Array;

export type AnyTypedArray = Float32Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array;

export function typedArrayFor(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, length: number): AnyTypedArray {
  switch (dtype) {
    case DType.FLOAT32: return new Float32Array(buffer, byteOffset, length);
    case DType.INT8: return new Int8Array(buffer, byteOffset, length);
    case DType.INT16: return new Int16Array(buffer, byteOffset, length);
    case DType.INT32: return new Int32Array(buffer, byteOffset, length);
    case DType.INT64: return new BigInt64Array(buffer, byteOffset, length);
    case DType.UINT8: return new Uint8Array(buffer, byteOffset, length);
  }
}

export function allocTyped(dtype: DType, length: number): AnyTypedArray {
  return typedArrayFor(dtype, new ArrayBuffer(length * DTYPE_BYTES[dtype]), 0, length);
}
