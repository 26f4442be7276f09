// The host side of the runtime: one model in one fixed WebAssembly.Memory.
//
// Memory layout (all 16-byte aligned):
//   [0, staticsEnd)            the runtime's static data
//   [modelAt, modelAt + file)  the .mnw file, copied once
//   [arenaAt, arenaAt + arena) activations, planned at pack time
// The memory is created with initial = maximum pages, sized from the header;
// nothing grows and the runtime allocates nothing after load.
import { DTYPE_NAMES, DType, type DTypeName, typedArrayFor, type AnyTypedArray } from '../format/dtypes.js';
import { InputError, LOAD_CODE_NAMES, ModelFormatError, RuntimeError } from '../format/errors.js';
import type { Metadata, MnwFile } from '../format/model.js';
import { OP_BY_ID } from '../format/ops.js';
import { readMnw } from '../format/reader.js';
import { isNode, readFileBytes } from './node-files.js';
import { dequantizeValue, quantizeValue } from './quant.js';
import { chooseBuild, type BuildChoice, type BuildName, type RuntimeExports, type WasmSources } from './wasm.js';

const PAGE = 65536;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

export interface TensorDesc {
  name: string;
  /** Index in the file's tensor table. */
  index: number;
  shape: number[];
  dtype: Lowercase<DTypeName>;
  scale: number;
  zeroPoint: number;
  /** Element count. */
  size: number;
}

export interface OutputValue {
  name: string;
  shape: number[];
  dtype: Lowercase<DTypeName>;
  /** The stored values (int8/int16 integers, or float32 for float outputs). */
  raw: AnyTypedArray;
  /** The values as real numbers: (raw - zeroPoint) * scale. */
  values: Float32Array;
}

export type InputData = Float32Array | Int8Array | Int16Array | Uint8Array;

export interface RunOptions {
  /**
   * false: `raw` is a view into the model's memory, valid until the next run
   * (no copy, nothing allocated for it); true (default): `raw` is a copy.
   */
  copy?: boolean;
}

export interface LoadOptions {
  /** Which wasm build: auto (default; best the engine validates), scalar, simd or relaxed. */
  build?: BuildChoice;
  /** Where the wasm builds are (browsers); Node reads them from the package's build/ folder. */
  wasm?: WasmSources;
}

export type ModelSource = Uint8Array | ArrayBuffer | Response | URL | string;

async function readModelSource(src: ModelSource): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (typeof Response !== 'undefined' && src instanceof Response) {
    if (!src.ok) throw new InputError('E_FETCH', `model response is HTTP ${src.status} ${src.statusText}`);
    return new Uint8Array(await src.arrayBuffer());
  }
  const url = src instanceof URL ? src : undefined;
  if (isNode && (typeof src === 'string' || url?.protocol === 'file:')) {
    try {
      return await readFileBytes(src as string | URL);
    } catch (e) {
      throw new InputError('E_NOT_FOUND', `cannot read model file ${String(src)}: ${(e as Error).message}`);
    }
  }
  const res = await fetch(src as string | URL);
  if (!res.ok) throw new InputError('E_FETCH', `cannot fetch model ${String(src)}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Loads a .mnw model into its own fixed block of wasm memory. */
export async function loadModel(source: ModelSource, options: LoadOptions = {}): Promise<Model> {
  const bytes = await readModelSource(source);
  const file = readMnw(bytes);
  const build = await chooseBuild(options.build ?? 'auto', options.wasm);
  const modelAt = align16(build.staticsEnd);
  const arenaAt = align16(modelAt + file.fileBytes);
  const total = arenaAt + file.arenaBytes;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  if (pages > 65536) throw new RuntimeError('E_MEMORY', `the model needs ${total} bytes, more than wasm32 can address`);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const instance = await WebAssembly.instantiate(build.module, { env: { memory } });
  const exports = instance.exports as unknown as RuntimeExports;
  new Uint8Array(memory.buffer, modelAt, file.fileBytes).set(bytes.subarray(0, file.fileBytes));
  const code = exports.bind(modelAt, file.fileBytes, arenaAt, pages * PAGE - arenaAt);
  if (code !== 0) throw wasmError(exports, file.metadata, 'load');
  return new Model(file, memory, exports, build.build, modelAt, arenaAt);
}

function wasmError(x: RuntimeExports, meta: Metadata, phase: string): ModelFormatError {
  const code = LOAD_CODE_NAMES[x.lastErrorCode()] ?? `E_UNKNOWN_${x.lastErrorCode()}`;
  const op = x.lastErrorOp();
  const t = x.lastErrorTensor();
  const where = [
    op >= 0 ? `op ${op}${meta.opNames?.[op] ? ` "${meta.opNames[op]}"` : ''}` : '',
    t >= 0 ? `tensor ${t}${meta.tensorNames?.[t] ? ` "${meta.tensorNames[t]}"` : ''}` : '',
  ].filter(Boolean);
  return new ModelFormatError(code, `the runtime's ${phase} check failed: ${code}${where.length ? ` at ${where.join(', ')}` : ''} (value ${x.lastErrorValue()})`);
}

export class Model {
  readonly inputs: TensorDesc[];
  readonly outputs: TensorDesc[];
  /** Bytes of the WebAssembly.Memory this model owns (fixed for its life). */
  readonly memoryBytes: number;
  readonly arenaBytes: number;
  readonly fileBytes: number;
  readonly macs: number;
  readonly build: BuildName;
  readonly metadata: Metadata;
  private memory: WebAssembly.Memory | undefined;
  private x: RuntimeExports | undefined;

  constructor(
    readonly file: MnwFile,
    memory: WebAssembly.Memory,
    exports: RuntimeExports,
    build: BuildName,
    readonly modelAt: number,
    readonly arenaAt: number,
  ) {
    this.memory = memory;
    this.x = exports;
    this.build = build;
    this.metadata = file.metadata;
    this.memoryBytes = memory.buffer.byteLength;
    this.arenaBytes = file.arenaBytes;
    this.fileBytes = file.fileBytes;
    this.macs = file.macs;
    const desc = (index: number, name: string): TensorDesc => {
      const t = file.tensors[index]!;
      return {
        name,
        index,
        shape: [...t.shape],
        dtype: DTYPE_NAMES[t.dtype].toLowerCase() as Lowercase<DTypeName>,
        scale: t.scale,
        zeroPoint: t.zeroPoint,
        size: t.shape.reduce((a, b) => a * b, 1),
      };
    };
    this.inputs = file.inputs.map((t, k) => desc(t, file.metadata.inputs[k]!));
    this.outputs = file.outputs.map((t, k) => desc(t, file.metadata.outputs[k]!));
  }

  private live(): { memory: WebAssembly.Memory; x: RuntimeExports } {
    if (!this.memory || !this.x) throw new RuntimeError('E_DISPOSED', 'this model was disposed; load it again');
    return { memory: this.memory, x: this.x };
  }

  /** A view of tensor `index`'s bytes in the model's memory. */
  private view(index: number): AnyTypedArray {
    const { memory, x } = this.live();
    const t = this.file.tensors[index]!;
    return typedArrayFor(t.dtype, memory.buffer, x.tensorAddress(index), t.shape.reduce((a, b) => a * b, 1));
  }

  /** A writable view of input k in the model's memory: fill it, then call invoke(). */
  inputView(k = 0): AnyTypedArray {
    const d = this.inputs[k];
    if (!d) throw new InputError('E_INPUT', `the model has ${this.inputs.length} inputs; there is no input ${k}`);
    return this.view(d.index);
  }

  /** A view of output k in the model's memory, valid until the next run. */
  outputView(k = 0): AnyTypedArray {
    const d = this.outputs[k];
    if (!d) throw new InputError('E_OUTPUT', `the model has ${this.outputs.length} outputs; there is no output ${k}`);
    return this.view(d.index);
  }

  /** Writes one input: raw integers as they are, floats quantized with the input's scale. */
  setInput(k: number, data: InputData): void {
    const d = this.inputs[k];
    if (!d) throw new InputError('E_INPUT', `the model has ${this.inputs.length} inputs; there is no input ${k}`);
    if (!data || typeof (data as ArrayLike<number>).length !== 'number' || !ArrayBuffer.isView(data))
      throw new InputError('E_INPUT_TYPE', `input "${d.name}": expected a Float32Array or ${d.dtype === 'int16' ? 'Int16Array' : 'Int8Array'}, got ${data === null ? 'null' : typeof data}`);
    if (data.length !== d.size)
      throw new InputError('E_INPUT_LENGTH', `input "${d.name}" has shape [${d.shape}] (${d.size} values); got ${data.length} values`);
    const dst = this.view(d.index);
    const dtype = this.file.tensors[d.index]!.dtype;
    if (data instanceof Float32Array) {
      if (dtype === DType.FLOAT32) {
        (dst as Float32Array).set(data);
        return;
      }
      if (!(d.scale > 0)) throw new InputError('E_INPUT_TYPE', `input "${d.name}" is ${d.dtype} without a scale; pass raw integers`);
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        if (Number.isNaN(v)) throw new InputError('E_INPUT_NAN', `input "${d.name}" holds NaN at index ${i}`);
        dst[i] = quantizeValue(v, d.scale, d.zeroPoint, dtype);
      }
      return;
    }
    const ok =
      (data instanceof Int8Array && dtype === DType.INT8) ||
      (data instanceof Int16Array && dtype === DType.INT16) ||
      (data instanceof Uint8Array && dtype === DType.UINT8);
    if (!ok)
      throw new InputError('E_INPUT_TYPE', `input "${d.name}" is ${d.dtype}; got a ${data.constructor.name} (pass a Float32Array to quantize, or raw ${d.dtype} values)`);
    (dst as Int8Array).set(data as Int8Array);
  }

  /** Runs the model on the inputs already in memory. Allocates nothing. */
  invoke(): void {
    const { x } = this.live();
    if (x.run() !== 0) throw wasmError(x, this.metadata, 'run');
  }

  /**
   * Runs ops first..first+count-1 only, on whatever their inputs hold (for
   * per-op profiles; run the whole model once first so that they hold values).
   */
  invokeOps(first: number, count = 1): void {
    const { x } = this.live();
    if (x.runOps(first, count) !== 0) throw wasmError(x, this.metadata, 'run');
  }

  /**
   * Runs the model. `input` is one array (single-input models), an array of
   * arrays in input order, or an object keyed by input name.
   */
  run(input: InputData | InputData[] | Record<string, InputData>, options: RunOptions = {}): OutputValue[] {
    if (ArrayBuffer.isView(input)) {
      if (this.inputs.length !== 1)
        throw new InputError('E_INPUT', `the model has ${this.inputs.length} inputs (${this.inputs.map((i) => i.name).join(', ')}); pass an array or an object by name`);
      this.setInput(0, input as InputData);
    } else if (Array.isArray(input)) {
      if (input.length !== this.inputs.length) throw new InputError('E_INPUT', `the model has ${this.inputs.length} inputs; got ${input.length}`);
      input.forEach((a, k) => this.setInput(k, a));
    } else if (input && typeof input === 'object') {
      this.inputs.forEach((d, k) => {
        const a = (input as Record<string, InputData>)[d.name];
        if (!a) throw new InputError('E_INPUT', `missing input "${d.name}"`);
        this.setInput(k, a);
      });
    } else throw new InputError('E_INPUT_TYPE', `expected input arrays, got ${input === null ? 'null' : typeof input}`);
    this.invoke();
    return this.outputs.map((d, k) => {
      const view = this.outputView(k);
      const raw = options.copy === false ? view : view.slice();
      let values: Float32Array | undefined;
      return {
        name: d.name,
        shape: [...d.shape],
        dtype: d.dtype,
        raw,
        get values(): Float32Array {
          return (values ??= dequantizeArray(raw, d.scale, d.zeroPoint));
        },
      };
    });
  }

  /** Frees the model's memory (drops every reference to it). */
  dispose(): void {
    this.memory = undefined;
    this.x = undefined;
  }

  /** The op names and kinds, in execution order. */
  get ops(): { name: string; op: string }[] {
    return this.file.ops.map((o, i) => ({ name: this.metadata.opNames?.[i] ?? `op${i}`, op: OP_BY_ID.get(o.opcode)?.name ?? String(o.opcode) }));
  }
}

function dequantizeArray(raw: AnyTypedArray, scale: number, zeroPoint: number): Float32Array {
  if (raw instanceof Float32Array) return raw.slice();
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = dequantizeValue(Number(raw[i]), scale, zeroPoint);
  return out;
}
