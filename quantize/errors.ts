// Typed errors of the quantize tool: each names the model, layer, op or file,
// and says what to do.
import { MinnowError } from '../src/format/errors.js';

/** A model, data set or option the quantize tool cannot use. */
export class QuantizeError extends MinnowError {}

export function qfail(code: string, message: string): never {
  throw new QuantizeError(code, message);
}
