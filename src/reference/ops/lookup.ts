// LOOKUP: not implemented yet.
import type { RefOp } from '../types.js';

export function lookup(op: RefOp): void {
  throw new Error('LOOKUP reference kernel not implemented');
}
