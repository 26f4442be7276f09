// AVERAGE_POOL_2D: not implemented yet.
import type { RefOp } from '../types.js';

export function averagePool2d(op: RefOp): void {
  throw new Error('AVERAGE_POOL_2D reference kernel not implemented');
}
