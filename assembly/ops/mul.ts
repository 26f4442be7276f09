// MUL: not implemented yet.
import { E_OP } from '../generated/format';
import { fail } from '../errors';

/** Checks shapes and parameters (mirrors src/format/checks.ts); 0 or an error code. */
export function checkMul(op: usize): i32 {
  return fail(E_OP, -1, 0);
}

export function evalMul(op: usize): void {}
