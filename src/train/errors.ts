// Typed errors: a stable `code` for programs, a message naming the problem and the fix for people.

export type TrainErrorCode =
  | 'E_SHAPE' // a tensor or array has the wrong shape
  | 'E_DATA' // data contains NaN / Infinity, or labels out of range
  | 'E_FILE' // a file is missing or unreadable
  | 'E_FORMAT' // a saved model, .npy or IDX file is malformed
  | 'E_UNKNOWN_LAYER' // a layer type not in the registry
  | 'E_CONFIG' // a bad option value
  | 'E_MISSING_PACKAGE' // an optional package or data set is not installed
  | 'E_STATE'; // a method called at the wrong time (e.g. fit before compile)

export class TrainError extends Error {
  readonly code: TrainErrorCode;
  constructor(code: TrainErrorCode, message: string) {
    super(message);
    this.name = 'TrainError';
    this.code = code;
  }
}

export function fail(code: TrainErrorCode, message: string): never {
  throw new TrainError(code, message);
}
