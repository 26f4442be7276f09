// Typed errors. Every error minnow throws on bad input carries a stable `code`
// and a message that names the offending field, value, op or tensor.

export class MinnowError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A damaged, truncated or hostile .mnw file. */
export class ModelFormatError extends MinnowError {}

/** A call with the wrong input (length, type, NaN, ...). */
export class InputError extends MinnowError {}

/** The engine or the runtime cannot run this model (missing wasm feature, memory). */
export class RuntimeError extends MinnowError {}

/**
 * Numeric codes returned by the wasm loader and interpreter. The TypeScript
 * reader throws the same codes as strings. Generated into
 * assembly/generated/format.ts; never renumber.
 */
export const LoadCode = {
  OK: 0,
  E_TRUNCATED: 1, // the file is shorter than a field or section it declares
  E_MAGIC: 2, // not a .mnw file
  E_VERSION: 3, // a major version this runtime does not read
  E_CHECKSUM: 4, // CRC-32 mismatch
  E_HEADER: 5, // a header field out of range
  E_SECTION: 6, // a section outside the file, misaligned or overlapping
  E_TENSOR: 7, // a tensor record out of range
  E_OP: 8, // an op record out of range (opcode, counts, tensor indices)
  E_DTYPE: 9, // an op operand of a type the op does not take
  E_SHAPE: 10, // operand shapes that do not agree
  E_PARAM: 11, // an op parameter out of range
  E_ARENA: 12, // a region outside the arena or the constant section
  E_METADATA: 13, // metadata that is not the JSON the format defines
  E_MEMORY: 14, // the memory given to the runtime is too small
} as const;
export type LoadCodeName = keyof typeof LoadCode;

export const LOAD_CODE_NAMES: Record<number, LoadCodeName> = Object.fromEntries(
  Object.entries(LoadCode).map(([k, v]) => [v, k as LoadCodeName]),
) as Record<number, LoadCodeName>;
