// ADD: not implemented yet.
import type { RefOp } from '../types.js';

export function add(op: RefOp): void {
  throw new Error('ADD reference kernel not implemented');
}
