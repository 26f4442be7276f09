// Picks the kernels: WebAssembly SIMD when build/train.wasm loads, else plain
// TypeScript. MINNOW_TRAIN_KERNELS=js forces the fallback.
import { fail } from '../errors.js';
import { jsKernels } from './js.js';
import type { Kernels } from './types.js';
import { loadWasmKernels } from './wasm.js';

export type { Kernels, Window } from './types.js';
export { jsKernels } from './js.js';
export { loadWasmKernels } from './wasm.js';

let active: Kernels | null = null;

export function kernels(): Kernels {
  if (!active) active = (process.env.MINNOW_TRAIN_KERNELS !== 'js' && loadWasmKernels()) || jsKernels;
  return active;
}

/** Chooses the backend explicitly ('wasm-simd' throws if the module cannot load). */
export function useKernels(which: 'wasm-simd' | 'js'): Kernels {
  if (which === 'js') return (active = jsKernels);
  const k = loadWasmKernels();
  if (!k) fail('E_FILE', 'build/train.wasm is missing or this engine lacks WebAssembly SIMD; run "npm run build:wasm"');
  return (active = k);
}
