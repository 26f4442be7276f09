// minnow/quantize: the toolchain's functions, one per command.
export { quantizeModel, summary } from './quantize.js';
export type { QuantizeOptions, QuantizeResult, MethodChoice } from './quantize.js';
export { inspectMnw, formatInspection, runMnw, evalMnw } from './tools.js';
export { importModel, loadModelAny, inspectForeign, packPrequantized } from './import/index.js';
export { exportOnnx } from './export/onnx.js';
export { GraphBuilder, PackError } from './pack/graph.js';
export { planArena } from './plan/arena.js';
export { runReference } from '../src/reference/interpreter.js';
