// minnow's float training library. See README.md in this folder for the saved model format.
export { Tensor, noGrad, type Shape } from './tensor.js';
export * as ops from './ops.js';
export { TrainError, type TrainErrorCode } from './errors.js';
export { Rng } from './rng.js';
export { kernels, useKernels, jsKernels, loadWasmKernels, type Kernels } from './kernels/index.js';
export { layers, createLayer, Layer, LAYER_TYPES, ACTIVATIONS, type ActivationName } from './layers.js';
export { Model, model, sequential, input, apply, predict, forwardWithActivations, SymbolicTensor, type CompileOptions, type FitOptions, type History } from './model.js';
export * as losses from './losses.js';
export { optimizers, createOptimizer, learningRateAt, Optimizer, type OptimizerConfig, type ScheduleConfig } from './optimizers.js';
export { EarlyStopping, onEpochEnd, type Callback, type Logs } from './callbacks.js';
export * as metrics from './metrics.js';
export { trainValTestSplit, kFold, stratifiedKFold, crossValidate, meanStd } from './crossval.js';
export { loadMnist, loadFashionMnist, fashionMnistAvailable, FASHION_DIR, type ImageDataset } from './data/mnist.js';
export { oneHot, fitStandardizer, shuffle, batches, take, randomShift } from './data/transform.js';
export { readCsv, parseCsv, readJsonTable, parseJsonTable, tableToTensor, encodeLabels, readNpy, parseNpy, writeNpy, encodeNpy } from './data/table.js';
export { saveModel, loadModel, serialize, deserialize, FORMAT, VERSION, type SavedModel } from './io.js';
export { runRecipe, readRecipe, buildModel, type Recipe } from './recipe.js';
