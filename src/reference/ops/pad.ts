// PAD: not implemented yet.
import type { RefOp } from '../types.js';

export function pad(op: RefOp): void {
  throw new Error('PAD reference kernel not implemented');
}
