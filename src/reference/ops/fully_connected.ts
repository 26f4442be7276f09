// FULLY_CONNECTED: not implemented yet.
import type { RefOp } from '../types.js';

export function fullyConnected(op: RefOp): void {
  throw new Error('FULLY_CONNECTED reference kernel not implemented');
}
