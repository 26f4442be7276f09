// QUANTIZE: not implemented yet.
import type { RefOp } from '../types.js';

export function quantize(op: RefOp): void {
  throw new Error('QUANTIZE reference kernel not implemented');
}
