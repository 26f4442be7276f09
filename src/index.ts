// minnow: neural networks for small devices.
export { loadModel, Model } from './runtime/host.js';
export type { InputData, LoadOptions, ModelSource, OutputValue, RunOptions, TensorDesc } from './runtime/host.js';
export type { BuildChoice, BuildName, WasmSources } from './runtime/wasm.js';
export { MinnowError, ModelFormatError, InputError, RuntimeError, LoadCode } from './format/errors.js';
export { readMnw } from './format/reader.js';
export { writeMnw } from './format/writer.js';
export { OPS, OP_BY_ID, OP_BY_NAME } from './format/ops.js';
export { DType } from './format/dtypes.js';
export type { MnwFile, Metadata, TensorRecord, OpRecord } from './format/model.js';
export { readWav, WavFormatError } from './audio/wav.js';
export type { Wav, WavReadOptions, WavErrorCode } from './audio/wav.js';
export {
  microFrontend,
  microSpeechFeatures,
  MicroFrontend,
  frameCount,
  featureToInt8,
  MICRO_SPEECH_FRAMES,
  MICRO_SPEECH_CHANNELS,
} from './audio/frontend.js';
export type { FrontendOptions, FrontendFeatures } from './audio/frontend.js';
