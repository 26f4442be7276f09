// The browser bundle's public API (web/dist/minnow.js): the host without any
// Node path. Works from <script type="module"> and from a module Worker. By
// default the wasm builds are fetched from beside this file
// (minnow.{scalar,simd,relaxed}.wasm); pass `wasm` to loadModel to give them
// as bytes, compiled modules or URLs instead.
export { loadModel, Model } from '../../src/runtime/host.js';
export type { InputData, LoadOptions, ModelSource, OutputValue, RunOptions, TensorDesc } from '../../src/runtime/host.js';
export { BUILDS, chooseBuild } from '../../src/runtime/wasm.js';
export type { BuildChoice, BuildName, WasmSources } from '../../src/runtime/wasm.js';
export { MinnowError, ModelFormatError, InputError, RuntimeError } from '../../src/format/errors.js';
export { readMnw } from '../../src/format/reader.js';
export type { MnwFile, Metadata } from '../../src/format/model.js';
