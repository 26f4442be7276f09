// DEPTHWISE_CONV_2D: not implemented yet.
import type { RefOp } from '../types.js';

export function depthwiseConv2d(op: RefOp): void {
  throw new Error('DEPTHWISE_CONV_2D reference kernel not implemented');
}
