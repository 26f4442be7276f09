// SOFTMAX: not implemented yet.
import { E_OP } from '../generated/format';
import { fail } from '../errors';

/** Checks shapes and parameters (mirrors src/format/checks.ts); 0 or an error code. */
export function checkSoftmax(op: usize): i32 {
  return fail(E_OP, -1, 0);
}

export function evalSoftmax(op: usize): void {}
