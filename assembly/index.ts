// The minnow runtime's exports. The host (src/runtime/host.ts) creates the one
// WebAssembly.Memory (initial = maximum), copies the .mnw file after the
// runtime's statics, calls `bind`, writes inputs at `tensorAddress`, and calls
// `run`. No export allocates; memory never grows.
import { E_MEMORY, OP_OPCODE } from './generated/format';
import { errorCode, errorOp, errorTensor, errorValue, fail, setErrorOp } from './errors';
import { evalOp } from './dispatch';
import { inputBase, inputCount, loadModel, loaded, opBase, opCount, outputCount } from './loader';
import { opRecordBytes, tensorData, tensorCount } from './model';
import { dotU8Exact } from './probe';

/** First byte after the runtime's static data: the host places the model here (16-byte aligned). */
export function staticsEnd(): usize {
  return (__heap_base + 15) & ~15;
}

export function bind(model: usize, size: u32, arena: usize, arenaSize: u32): i32 {
  return loadModel(model, size, arena, arenaSize);
}

/** Runs every op once. Returns 0, or E_MEMORY when no model is loaded. */
export function run(): i32 {
  return runOps(0, opCount);
}

/**
 * Runs ops first..first+count-1 (clipped to the model), in order: a per-op
 * profile times them one by one. Returns 0, or E_MEMORY when no model is loaded.
 */
export function runOps(first: i32, count: i32): i32 {
  if (!loaded) return fail(E_MEMORY);
  const end = count > opCount - first ? opCount : first + count;
  let p = opBase;
  for (let i = 0; i < end; i++) {
    if (i >= first) evalOp(<i32>load<u16>(p + OP_OPCODE), p);
    p += opRecordBytes(p);
  }
  setErrorOp(-1);
  return 0;
}

/** Address of a tensor's bytes (arena or constants); 0 for an index out of range. */
export function tensorAddress(t: i32): usize {
  return loaded && t >= 0 && t < tensorCount ? tensorData(t) : 0;
}

export function inputTensor(k: i32): i32 {
  return k >= 0 && k < inputCount ? <i32>load<u16>(inputBase + (<usize>k << 1)) : -1;
}

export function outputTensor(k: i32): i32 {
  return k >= 0 && k < outputCount ? <i32>load<u16>(inputBase + (<usize>(inputCount + k) << 1)) : -1;
}

export function lastErrorCode(): i32 {
  return errorCode;
}
export function lastErrorOp(): i32 {
  return errorOp;
}
export function lastErrorTensor(): i32 {
  return errorTensor;
}
export function lastErrorValue(): i32 {
  return errorValue;
}

export { probeRelaxed } from './probe';

/** 1 when the int8 kernels take u8 inputs through the fused relaxed dot here (relaxed builds: see probe.ts), else 0. */
export function fusedDotU8(): i32 {
  return dotU8Exact() ? 1 : 0;
}
