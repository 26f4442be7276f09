// MUL: not implemented yet.
import type { RefOp } from '../types.js';

export function mul(op: RefOp): void {
  throw new Error('MUL reference kernel not implemented');
}
