// Finding, compiling and choosing the runtime's wasm builds.
//
// Three builds from one source: `scalar` (any engine), `simd` (SIMD128) and
// `relaxed` (relaxed SIMD). `auto` takes the best build the engine validates;
// relaxed only when its known-answer probe passes, since relaxed instructions
// may differ between engines.
import { RuntimeError } from '../format/errors.js';
import { buildFilePath, isNode, readFileBytes } from './node-files.js';

export type BuildName = 'scalar' | 'simd' | 'relaxed';
export type BuildChoice = 'auto' | BuildName;
export const BUILDS: readonly BuildName[] = ['scalar', 'simd', 'relaxed'];

/** The runtime module's exports (assembly/index.ts). */
export interface RuntimeExports {
  staticsEnd(): number;
  bind(model: number, size: number, arena: number, arenaSize: number): number;
  run(): number;
  runOps(first: number, count: number): number;
  tensorAddress(t: number): number;
  inputTensor(k: number): number;
  outputTensor(k: number): number;
  lastErrorCode(): number;
  lastErrorOp(): number;
  lastErrorTensor(): number;
  lastErrorValue(): number;
  probeRelaxed(): number;
}

/** Where the wasm bytes come from: per build, bytes, a compiled module, or a URL. */
export type WasmSources = Partial<Record<BuildName, BufferSource | WebAssembly.Module | URL | string>>;

export interface CompiledBuild {
  build: BuildName;
  module: WebAssembly.Module;
  /** Bytes the runtime's statics occupy: the model goes after them. */
  staticsEnd: number;
}

const compiled = new Map<string, Promise<CompiledBuild | undefined>>();

async function readSource(build: BuildName, source: WasmSources[BuildName]): Promise<BufferSource | WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source && typeof source !== 'string' && !(source instanceof URL)) return source;
  if (source === undefined && isNode) {
    const file = await buildFilePath(`minnow.${build}.wasm`);
    try {
      return await readFileBytes(file);
    } catch {
      throw new RuntimeError('E_WASM_MISSING', `the ${build} runtime build is missing (${file}); run \`npm run build\``);
    }
  }
  const url = source ?? new URL(`./minnow.${build}.wasm`, import.meta.url);
  const res = await fetch(url);
  if (!res.ok) throw new RuntimeError('E_WASM_MISSING', `cannot fetch the ${build} runtime build from ${String(url)}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

/** Compiles a build once per source; undefined when the engine cannot run it. */
export function compileBuild(build: BuildName, sources: WasmSources = {}): Promise<CompiledBuild | undefined> {
  const src = sources[build];
  const key = `${build}:${src === undefined ? 'default' : src instanceof WebAssembly.Module || typeof src === 'string' || src instanceof URL ? String(src) : 'bytes'}`;
  let p = compiled.get(key);
  if (p && (src === undefined || typeof src === 'string' || src instanceof URL)) return p;
  p = (async () => {
    const bytes = await readSource(build, src);
    let module: WebAssembly.Module;
    if (bytes instanceof WebAssembly.Module) module = bytes;
    else {
      if (!WebAssembly.validate(bytes)) return undefined;
      module = await WebAssembly.compile(bytes);
    }
    // Instantiate once against a one-page memory to learn where statics end and,
    // for the relaxed build, to run the known-answer probe.
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    let exports: RuntimeExports;
    try {
      exports = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as RuntimeExports;
    } catch {
      return undefined;
    }
    if (build === 'relaxed' && exports.probeRelaxed() !== 1) return undefined;
    return { build, module, staticsEnd: exports.staticsEnd() };
  })();
  compiled.set(key, p);
  return p;
}

/** The build to use: the one asked for (an error if the engine cannot run it), or the best available. */
export async function chooseBuild(choice: BuildChoice, sources: WasmSources = {}): Promise<CompiledBuild> {
  if (choice !== 'auto') {
    if (!BUILDS.includes(choice)) throw new RuntimeError('E_BUILD', `unknown build "${choice}"; use auto, scalar, simd or relaxed`);
    const b = await compileBuild(choice, sources);
    if (!b)
      throw new RuntimeError(
        'E_BUILD',
        `this engine cannot run the ${choice} build${choice === 'relaxed' ? ' (relaxed SIMD is missing or failed its known-answer probe; Node 20 needs --experimental-wasm-relaxed-simd)' : ''}; use build "auto"`,
      );
    return b;
  }
  for (const build of ['relaxed', 'simd', 'scalar'] as const) {
    try {
      const b = await compileBuild(build, sources);
      if (b) return b;
    } catch (e) {
      if (build === 'scalar') throw e;
    }
  }
  throw new RuntimeError('E_BUILD', 'this engine cannot run any minnow build');
}
