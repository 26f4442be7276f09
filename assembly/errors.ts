// Where the loader and interpreter leave the details of a failure for the host
// to turn into a typed error: the code, the op and tensor it concerns, and the
// offending value. Nothing here ever traps.

export let errorCode: i32 = 0;
export let errorOp: i32 = -1;
export let errorTensor: i32 = -1;
export let errorValue: i32 = 0;

export function clearError(): void {
  errorCode = 0;
  errorOp = -1;
  errorTensor = -1;
  errorValue = 0;
}

/** Records a failure and returns its code, so checks can `return fail(...)`. */
export function fail(code: i32, tensor: i32 = -1, value: i32 = 0): i32 {
  errorCode = code;
  errorTensor = tensor;
  errorValue = value;
  return code;
}

export function setErrorOp(op: i32): void {
  errorOp = op;
}
