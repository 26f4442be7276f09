// npm run bench:kernels — multiply-accumulates per second for each kernel and
// build on representative shapes, beside the runtime's bare int8 GEMMs (the 4x2
// microkernel and the output-channels-in-lanes one; the faster is the ceiling a
// kernel can hope for in this engine) and the int16 dot alone on operands in
// registers (what the multiplier does here, with no loads or addressing at
// all; no kernel reaches it). Medians of alternating rounds; each
// kernel's share of the ceiling comes from rounds that alternate it with the
// bare GEMMs, so that both figures see the machine in the same state.
//
//   node --experimental-wasm-relaxed-simd --import tsx bench/kernels.ts [--json out.json]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type Model } from '../src/runtime/host.js';
import { BUILDS, compileBuild, type BuildName } from '../src/runtime/wasm.js';
import { CASES, int8s } from './kernel-cases.js';
import { measure, table } from './harness.js';

/** The bare int8 GEMMs the SIMD kernels are measured against (assembly/gemm_bench.ts); the faster is the ceiling. */
interface GemmExports {
  benchGemm: (a: number, b: number, c: number, m: number, n: number, k: number) => void;
  benchGemmLanes: (a: number, b: number, c: number, m: number, n: number, k: number, mul: number, sft: number, scratch: number) => void;
  benchDotPeak: (p: number, iters: number) => number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the bare GEMMs' modules (not part of the runtime, so not built by `npm run build`). */
function buildGemmBench(builds: BuildName[]): void {
  execFileSync(process.execPath, [join(root, 'assembly', 'build.mjs'), ...builds.map((b) => `gemm-bench-${b}`)], { stdio: 'pipe' });
}

/** The bare GEMMs of a build ("4x2", "lanes"), and the int16 dot alone on operands in registers ("dot"): what the multiplier does here. */
async function gemmReferences(build: BuildName): Promise<{ name: string; macs: number; call: () => void }[]> {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 64 });
  const bytes = readFileSync(join(root, 'build', `gemm_bench.${build}.wasm`));
  const x = (await WebAssembly.instantiate(bytes, { env: { memory } })).instance.exports as unknown as GemmExports;
  const [M, N, K] = [64, 64, 256];
  const base = 1 << 16;
  const [a, w, c, mul, sft, scratch] = [base, base + M * K, base + M * K + K * N, base + 40960, base + 41216, base + 65536];
  new Int8Array(memory.buffer, base, M * K + K * N).set(int8s(M * K + K * N));
  // ×2^-9 in every channel, as the 4x2 bench kernel has built in.
  new Int32Array(memory.buffer, mul, N).fill(1 << 30);
  new Int32Array(memory.buffer, sft, N).fill(-8);
  const out: { name: string; macs: number; call: () => void }[] = [];
  out.push({ name: `4x2 ${build}`, macs: M * N * K, call: () => x.benchGemm(a, w, c, M, N, K) });
  out.push({ name: `lanes ${build}`, macs: M * N * K, call: () => x.benchGemmLanes(a, w, c, M, N, K, mul, sft, scratch) });
  // 8 dots of 8 multiply-adds per iteration; operands from the (random) weights.
  const iters = 1 << 14;
  out.push({ name: `dot ${build}`, macs: iters * 64, call: () => x.benchDotPeak(w, iters) });
  return out;
}

async function main() {
  const jsonAt = process.argv.indexOf('--json');
  const builds = BUILDS.filter(() => true);
  const available: BuildName[] = [];
  for (const b of builds) if (await compileBuild(b)) available.push(b);
  if (available.length < builds.length)
    console.warn(`note: builds not runnable here: ${builds.filter((b) => !available.includes(b)).join(', ')} (Node 20 needs --experimental-wasm-relaxed-simd)`);

  const rows: (string | number)[][] = [];
  const json: { kernel: string; build: string; medianMs: number; gmacs: number; ofCeiling?: number }[] = [];
  const ceilings = new Map<BuildName, number>();
  const references: { name: string; build: BuildName; macs: number; call: () => void }[] = [];
  // The bare GEMMs are SIMD kernels: the scalar build has no ceiling row.
  const simdBuilds = available.filter((b) => b !== 'scalar');
  buildGemmBench(simdBuilds);
  for (const b of simdBuilds) for (const c of await gemmReferences(b)) references.push({ ...c, build: b });
  const ceilingContenders = references.filter((c) => !c.name.startsWith('dot'));
  if (ceilingContenders.length) {
    const t = await measure(references);
    t.forEach((r, i) => {
      const { build, macs, name } = references[i]!;
      const gmacs = macs / (r.medianMs * 1e6);
      if (name.startsWith('dot')) {
        rows.push(['int16 dot alone, operands in registers', build, r.medianMs * 1000, gmacs, '', '']);
        json.push({ kernel: 'dot-peak', build, medianMs: r.medianMs, gmacs });
        return;
      }
      ceilings.set(build, Math.max(ceilings.get(build) ?? 0, gmacs));
      const kernel = name.startsWith('lanes') ? 'bare int8 GEMM 64x64x256, channels in lanes' : 'bare int8 GEMM 64x64x256, 4x2';
      rows.push([kernel, build, r.medianMs * 1000, gmacs, '', '']);
      json.push({ kernel: name.startsWith('lanes') ? 'gemm-lanes' : 'gemm-4x2', build, medianMs: r.medianMs, gmacs });
    });
    for (const [build, gmacs] of ceilings) json.push({ kernel: 'gemm-ceiling', build, medianMs: 0, gmacs });
  } else console.warn('note: no SIMD build runs here; no ceiling row');

  for (const k of CASES) {
    const bytes = k.graph().pack().bytes;
    const models = new Map<BuildName, Model>();
    for (const b of available) models.set(b, await loadModel(bytes, { build: b }));
    // The bare GEMMs again, in the same alternating rounds as the kernel: its
    // ratio to the ceiling compares two figures taken side by side.
    const all = await measure([
      ...available.map((b) => ({ name: b, call: () => models.get(b)!.invoke() })),
      ...ceilingContenders.map((c, i) => ({ name: `ceiling ${i}`, call: c.call })),
    ]);
    const timings = all.slice(0, available.length);
    const sideBySide = new Map<BuildName, number>();
    all.slice(available.length).forEach((r, i) => {
      const { build, macs } = ceilingContenders[i]!;
      sideBySide.set(build, Math.max(sideBySide.get(build) ?? 0, macs / (r.medianMs * 1e6)));
    });
    const scalar = timings.find((t) => t.name === 'scalar')!.medianMs;
    for (const t of timings) {
      const gmacs = k.macs / (t.medianMs * 1e6);
      const ceiling = sideBySide.get(t.name as BuildName);
      rows.push([k.name, t.name, t.medianMs * 1000, gmacs, t.name === 'scalar' ? '' : scalar / t.medianMs, ceiling ? gmacs / ceiling : '']);
      json.push({ kernel: k.name, build: t.name, medianMs: t.medianMs, gmacs, ofCeiling: ceiling ? gmacs / ceiling : undefined });
    }
  }
  console.log(table(rows, ['kernel', 'build', 'median µs', 'GMAC/s', 'x scalar', 'of ceiling']));
  if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1]!, JSON.stringify({ rows: json }, null, 2));
}

await main();
