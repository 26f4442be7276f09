// Saving and loading float models: model.json (architecture, weight table) and
// weights.bin (little-endian float32). The format is documented in README.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, TrainError } from './errors.js';
import { createLayer, InputLayer } from './layers.js';
import { apply, input, Model, type SymbolicTensor } from './model.js';
import type { Shape } from './tensor.js';

export const FORMAT = 'minnow-float';
export const VERSION = 1;

export interface SavedLayer {
  name: string;
  type: string;
  config: Record<string, unknown>;
  /** Names of the layers feeding this one, in order (absent for Input layers). */
  inputs?: string[];
}

export interface SavedWeight {
  /** "layer/weight", e.g. "conv2d_1/kernel" */
  name: string;
  layer: string;
  shape: number[];
  /** Byte offset in weights.bin (a multiple of 4). */
  offset: number;
  bytes: number;
  dtype: 'float32';
  trainable: boolean;
}

export interface SavedModel {
  format: typeof FORMAT;
  version: number;
  /** Shape of the first input without the batch axis. */
  inputShape: number[];
  inputs: { name: string; shape: number[] }[];
  output: string;
  outputShape: number[];
  layout: 'NHWC';
  layers: SavedLayer[];
  weights: SavedWeight[];
  weightsFile: string;
  weightsBytes: number;
  seed: number;
  /** Free-form: compile settings, training notes. */
  training?: Record<string, unknown>;
}

/** The JSON and weight bytes of a model, without touching the disk. */
export function serialize(m: Model, training?: Record<string, unknown>): { json: SavedModel; bin: Uint8Array } {
  const layers: SavedLayer[] = m.nodes.map((n) => {
    const l: SavedLayer = { name: n.layer.name, type: n.layer.type, config: n.layer.config() };
    if (!(n.layer instanceof InputLayer)) l.inputs = n.inputs.map((i) => i.layer.name);
    return l;
  });
  const weights: SavedWeight[] = [];
  let offset = 0;
  for (const w of m.namedWeights()) {
    const bytes = w.weight.tensor.size * 4;
    weights.push({ name: w.name, layer: w.layer.name, shape: [...w.weight.tensor.shape], offset, bytes, dtype: 'float32', trainable: w.weight.trainable });
    offset += bytes;
  }
  const bin = new Uint8Array(offset);
  const view = new DataView(bin.buffer);
  for (const [i, w] of m.namedWeights().entries()) {
    const d = w.weight.tensor.data;
    const at = weights[i]!.offset;
    for (let k = 0; k < d.length; k++) view.setFloat32(at + 4 * k, d[k]!, true);
  }
  const json: SavedModel = {
    format: FORMAT,
    version: VERSION,
    inputShape: [...m.inputs[0]!.shape],
    inputs: m.inputs.map((n) => ({ name: n.layer.name, shape: [...n.shape] })),
    output: m.output.layer.name,
    outputShape: [...m.output.shape],
    layout: 'NHWC',
    layers,
    weights,
    weightsFile: 'weights.bin',
    weightsBytes: offset,
    seed: m.seed,
    ...(training || m.compileConfig ? { training: { ...(m.compileConfig ?? {}), ...(training ?? {}) } } : {}),
  };
  return { json, bin };
}

/** Writes dir/model.json and dir/weights.bin. */
export function saveModel(m: Model, dir: string, training?: Record<string, unknown>): void {
  const { json, bin } = serialize(m, training);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), toJsonText(json));
  writeFileSync(join(dir, json.weightsFile), bin);
}

/** Indented JSON with arrays of numbers (shapes, strides) kept on one line. */
export function toJsonText(value: unknown): string {
  let text = JSON.stringify(value, null, 2);
  // Innermost number arrays first, so [[1, 0], [2, 1]] collapses too.
  for (let prev = ''; prev !== text; ) {
    prev = text;
    text = text.replace(/\[\s*((?:-?[\d.eE+-]+|\[[^\[\]\n]*\])(?:,\s*(?:-?[\d.eE+-]+|\[[^\[\]\n]*\]))*)\s*\]/g, (m, body: string) => {
      const line = `[${body.split(/,\s*(?![^\[]*\])/).map((s) => s.trim()).join(', ')}]`;
      // Long arrays of arrays (a confusion matrix) keep one row per line.
      return line.length > 100 && line.startsWith('[[') ? m : line;
    });
  }
  return text + '\n';
}

/** Rebuilds a model from its JSON and weight bytes. */
export function deserialize(json: unknown, bin: Uint8Array): Model {
  const j = json as SavedModel;
  if (!j || typeof j !== 'object' || j.format !== FORMAT)
    fail('E_FORMAT', `not a minnow float model: "format" must be "${FORMAT}", got ${JSON.stringify((j as { format?: unknown })?.format)}`);
  if (j.version !== VERSION) fail('E_FORMAT', `model format version ${j.version} is not supported (this minnow reads version ${VERSION})`);
  if (!Array.isArray(j.layers) || !Array.isArray(j.weights)) fail('E_FORMAT', 'model.json needs "layers" and "weights" arrays');
  const made = new Map<string, SymbolicTensor>();
  const inputs: SymbolicTensor[] = [];
  for (const l of j.layers) {
    if (typeof l?.name !== 'string' || typeof l?.type !== 'string') fail('E_FORMAT', `every layer needs a "name" and a "type"; got ${JSON.stringify(l)}`);
    if (made.has(l.name)) fail('E_FORMAT', `layer name "${l.name}" appears twice in model.json`);
    if (l.type === 'Input') {
      const t = input((l.config?.shape as Shape) ?? [], l.name);
      inputs.push(t);
      made.set(l.name, t);
      continue;
    }
    const layer = createLayer(l.type, l.config, l.name);
    const from = (l.inputs ?? []).map((name) => {
      const t = made.get(name);
      if (!t) fail('E_FORMAT', `layer "${l.name}" reads "${name}", which is not defined before it in model.json`);
      return t;
    });
    made.set(l.name, apply(layer, from.length === 1 ? from[0]! : from));
  }
  const order = (j.inputs ?? []).map((i) => i.name);
  if (order.length) inputs.sort((a, b) => order.indexOf(a.node.layer.name) - order.indexOf(b.node.layer.name));
  const out = made.get(j.output ?? j.layers[j.layers.length - 1]!.name);
  if (!out) fail('E_FORMAT', `the output layer "${j.output}" is not among the layers`);
  const m = new Model(inputs, out, j.seed ?? 1);
  const named = m.namedWeights();
  const byName = new Map(j.weights.map((w) => [w.name, w]));
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  for (const w of named) {
    const s = byName.get(w.name);
    if (!s) fail('E_FORMAT', `weights table has no entry for "${w.name}"`);
    const t = w.weight.tensor;
    if (s.shape.length !== t.shape.length || s.shape.some((d, i) => d !== t.shape[i]))
      fail('E_FORMAT', `weight "${w.name}" is stored as [${s.shape.join(', ')}] but the layer needs [${t.shape.join(', ')}]`);
    if (s.bytes !== t.size * 4 || s.offset % 4 !== 0 || s.offset + s.bytes > bin.byteLength)
      fail('E_FORMAT', `weight "${w.name}" (offset ${s.offset}, ${s.bytes} bytes) does not fit weights.bin (${bin.byteLength} bytes)`);
    for (let k = 0; k < t.size; k++) t.data[k] = view.getFloat32(s.offset + 4 * k, true);
  }
  if (named.length !== j.weights.length)
    fail('E_FORMAT', `model.json lists ${j.weights.length} weights but the layers have ${named.length}`);
  if (j.training) m.compileConfig = j.training;
  return m;
}

/** Loads dir/model.json and its weights file. */
export function loadModel(dir: string): Model {
  const jf = join(dir, 'model.json');
  if (!existsSync(jf)) fail('E_FILE', `no model.json in ${dir}; pass the folder a model was saved to (it holds model.json and weights.bin)`);
  let json: SavedModel;
  try {
    json = JSON.parse(readFileSync(jf, 'utf8'));
  } catch (e) {
    throw new TrainError('E_FORMAT', `${jf} is not valid JSON: ${(e as Error).message}`);
  }
  const wf = join(dir, json.weightsFile ?? 'weights.bin');
  if (!existsSync(wf)) fail('E_FILE', `${wf} is missing; model.json and its weights file must be kept together`);
  return deserialize(json, new Uint8Array(readFileSync(wf)));
}
