// MAX_POOL_2D: not implemented yet.
import type { RefOp } from '../types.js';

export function maxPool2d(op: RefOp): void {
  throw new Error('MAX_POOL_2D reference kernel not implemented');
}
