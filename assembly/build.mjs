// Builds every WebAssembly module from assembly/ with asc, optimizes it with
// binaryen's wasm-opt, and prints raw and gzip sizes.
//
//   node assembly/build.mjs            every module but the on-demand ones
//   node assembly/build.mjs simd train only those named
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

// One source, several feature sets. The runtime reads ASC_FEATURE_SIMD and
// ASC_FEATURE_RELAXED_SIMD as compile-time constants, so each build carries only
// the kernels its engine can run.
//
// The int8 runtime is compiled by asc without optimization (names kept) and
// optimized by wasm-opt alone with every op's eval kept as its own function
// (`runtime`): inlined into the dispatch's one giant function, V8 tiers the
// kernels up slowly (first person_detect inference ~20 ms instead of ~7 ms),
// and the module is 2.8 KB larger; steady-state speed is the same.
// --zero-filled-memory: the runtime is always instantiated on a fresh (zeroed)
// WebAssembly.Memory (src/runtime/host.ts creates one per model), so the zero
// bytes of its static data (the kernels' scratch buffers) need not be in the
// module (1.9 KB of the SIMD build). A host that reuses a memory must zero it.
// --converge: wasm-opt repeats its passes while the module still shrinks (about
// 200 B of the SIMD build; the same speed).
// --no-inline=*gemm1x8*: that microkernel stays a function of its own; inlined
// into its one caller (gemmRows), V8 allocates its registers worse (1.07x the
// time on a 1024→256 fully connected layer).
const RUNTIME = { asc: ['-O0', '--debug'], pre: ['--no-inline=*eval*', '--no-inline=*gemm1x8*', '--zero-filled-memory'] };
const MODULES = {
  scalar: { entry: 'assembly/index.ts', features: ['--disable', 'simd'], opt: [], ...RUNTIME },
  simd: { entry: 'assembly/index.ts', features: ['--enable', 'simd'], opt: ['--enable-simd'], ...RUNTIME },
  relaxed: {
    entry: 'assembly/index.ts',
    features: ['--enable', 'relaxed-simd'],
    opt: ['--enable-simd', '--enable-relaxed-simd'],
    ...RUNTIME,
  },
  // Float32 kernels for training (a separate module; not part of the int8 runtime).
  train: { entry: 'assembly/train/index.ts', features: ['--enable', 'simd'], opt: ['--enable-simd'], out: 'train' },
  // The bare GEMMs of `npm run bench:kernels` (its ceiling), built by that bench
  // when it runs: the runtime's microkernels with the runtime's flags, outside
  // the shipped runtime.
  'gemm-bench-simd': { entry: 'assembly/gemm_bench.ts', features: ['--enable', 'simd'], opt: ['--enable-simd'], ...RUNTIME, out: 'gemm_bench.simd', onDemand: true },
  'gemm-bench-relaxed': {
    entry: 'assembly/gemm_bench.ts',
    features: ['--enable', 'relaxed-simd'],
    opt: ['--enable-simd', '--enable-relaxed-simd'],
    ...RUNTIME,
    out: 'gemm_bench.relaxed',
    onDemand: true,
  },
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(MODULES).filter((n) => !MODULES[n].onDemand);
mkdirSync(join(root, 'build'), { recursive: true });

for (const name of names) {
  const m = MODULES[name];
  if (!m) throw new Error(`unknown module "${name}"; known: ${Object.keys(MODULES).join(', ')}`);
  const file = join(root, 'build', m.out ? `${m.out}.wasm` : `minnow.${name}.wasm`);
  const raw = file.replace(/\.wasm$/, '.raw.wasm');
  execFileSync(
    bin('asc'),
    [m.entry, '-o', raw, '--runtime', 'stub', '--importMemory', '--noAssert', ...(m.asc ?? ['-O3']),
      '--use', 'abort=', ...m.features],
    { cwd: root, stdio: 'inherit' },
  );
  execFileSync(bin('wasm-opt'), [raw, ...(m.pre ?? []), '-O3', '--converge', '--strip-debug', '--strip-producers', ...m.opt, '-o', file], {
    cwd: root,
    stdio: 'inherit',
  });
  const bytes = readFileSync(file);
  const gz = gzipSync(bytes, { level: 9 }).length;
  console.log(`${file.slice(root.length + 1).padEnd(28)} ${String(statSync(file).size).padStart(7)} B raw  ${String(gz).padStart(7)} B gzip`);
}
