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
}

export type RefKernel = (op: RefOp) => void;
