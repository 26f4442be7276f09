// CONV_2D: not implemented yet.
import type { RefOp } from '../types.js';

export function conv2d(op: RefOp): void {
  throw new Error('CONV_2D reference kernel not implemented');
}
