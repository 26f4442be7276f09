// CONCATENATION: not implemented yet.
import type { RefOp } from '../types.js';

export function concatenation(op: RefOp): void {
  throw new Error('CONCATENATION reference kernel not implemented');
}
