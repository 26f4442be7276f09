// MEAN: not implemented yet.
import type { RefOp } from '../types.js';

export function mean(op: RefOp): void {
  throw new Error('MEAN reference kernel not implemented');
}
