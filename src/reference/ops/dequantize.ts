// DEQUANTIZE: not implemented yet.
import type { RefOp } from '../types.js';

export function dequantize(op: RefOp): void {
  throw new Error('DEQUANTIZE reference kernel not implemented');
}
