// What a reference kernel receives: its operands as typed arrays with their
// records, and its parameters by name (from the op table).
import type { AnyTypedArray } from '../format/dtypes.js';
import type { TensorRecord } from '../format/model.js';

export interface RefTensor {
  record: TensorRecord;
  data: AnyTypedArray;
}

export interface RefOp {
  /** Absent optional inputs are undefined. */
  inputs: (RefTensor | undefined)[];
  outputs: RefTensor[];
  /** Parameters by their op-table names. */
  params: Record<string, number>;
  /**
   * When present, the conv-like kernels (CONV_2D, DEPTHWISE_CONV_2D,
   * FULLY_CONNECTED) write each output element's accumulator here (after bias,
   * before requantization; int64 accumulators of 16x8 FULLY_CONNECTED are
   * stored as their low 32 bits), so a failing test can print it.
   */
  accumulators?: Int32Array;
}

export type RefKernel = (op: RefOp) => void;
