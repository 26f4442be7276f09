// Builds RefOps for the conv-like reference kernels from plain arrays.
import { DType, type AnyTypedArray } from '../../src/format/dtypes.js';
import { Location } from '../../src/format/layout.js';
import type { RefOp, RefTensor } from '../../src/reference/types.js';

export function refTensor(dtype: DType, shape: number[], data: AnyTypedArray): RefTensor {
  return {
    record: { dtype, shape, location: Location.ARENA, offset: 0, bytes: data.byteLength, scale: 1, zeroPoint: 0 },
    data,
  };
}

export const i8 = (shape: number[], v: ArrayLike<number>) => refTensor(DType.INT8, shape, Int8Array.from(v));
export const i16 = (shape: number[], v: ArrayLike<number>) => refTensor(DType.INT16, shape, Int16Array.from(v));
export const i32 = (shape: number[], v: ArrayLike<number>) => refTensor(DType.INT32, shape, Int32Array.from(v));
export const i64 = (shape: number[], v: ArrayLike<number>) => refTensor(DType.INT64, shape, BigInt64Array.from(Array.from(v, BigInt)));

export function refOp(inputs: (RefTensor | undefined)[], output: RefTensor, params: Record<string, number>): RefOp & { accumulators: Int32Array } {
  return { inputs, outputs: [output], params, accumulators: new Int32Array(output.data.length) };
}

/** A deterministic xorshift stream of integers in [lo, hi]. */
export function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (lo: number, hi: number) => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return lo + (s % (hi - lo + 1));
  };
}

export const fill = (n: number, r: (lo: number, hi: number) => number, lo: number, hi: number) =>
  Array.from({ length: n }, () => r(lo, hi));
