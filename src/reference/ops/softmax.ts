// SOFTMAX: not implemented yet.
import type { RefOp } from '../types.js';

export function softmax(op: RefOp): void {
  throw new Error('SOFTMAX reference kernel not implemented');
}
