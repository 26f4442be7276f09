// npm run bench:relaxed-dot [-- --chromium] — whether relaxed SIMD's int8 dot
// pays for exact int8 GEMMs. Compiles bench/relaxed-dot/loops.ts (the inner
// loop of a 4-row × 8-channel tile: the runtime's int16 dot, and the relaxed
// dot on 7-bit data, or split so that it is exact for int8, each with the split
// or the fused instructions), checks each against a plain sum, and times them
// side by side (K = 256) in Node or, with --chromium, in Debian's Chromium,
// where relaxed SIMD is on by default.
//
//   node --experimental-wasm-relaxed-simd --import tsx bench/relaxed-dot.ts [--chromium]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './harness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';

function compileLoops(): Uint8Array<ArrayBuffer> {
  const dir = mkdtempSync(join(tmpdir(), 'minnow-relaxed-'));
  try {
    const out = join(dir, 'loops.wasm');
    execFileSync(join(root, 'node_modules', '.bin', 'asc'), [
      join(root, 'bench', 'relaxed-dot', 'loops.ts'), '-o', out, '-O3', '--runtime', 'stub', '--enable', 'relaxed-simd', '--initialMemory', '2',
    ], { stdio: 'inherit' });
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ROWS = 4, CHANNELS = 8, K = 256, REPS = 64;
// Where each layout lives in the loops' memory (the image copied in spans IMAGE..OUT).
const [IMAGE, W16, X16, W8, XL, XH, OUT] = [0x1000, 0x1000, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000];

type Sum = 'x' | 'x+128' | 'x7';

interface Loop {
  name: string;
  what: string;
  args: number[];
  /** Rows the loop computes (its MACs per call: rows·8·K·REPS). */
  rows: number;
  /** Which plain sum it must match: of x (int8), of x + 128 (the split loops) or of (x + 128) & 127 (the 7-bit loops). */
  of: Sum;
}

const LOOPS: Loop[] = [
  { name: 'int16', what: 'i32x4.dot_i16x8_s on int16 pairs (the runtime)', args: [W16, X16, K / 2], rows: 4, of: 'x' },
  { name: 'relaxed7', what: 'relaxed dot, split instructions; 7-bit rows only', args: [W8, XL, K / 4], rows: 4, of: 'x7' },
  { name: 'relaxedSplit', what: 'relaxed dot, split instructions; exact for int8', args: [W8, XL, K / 4], rows: 4, of: 'x+128' },
  { name: 'fused7', what: 'relaxed dot, fused; 7-bit rows only', args: [W8, XL, K / 4], rows: 4, of: 'x7' },
  { name: 'fusedSplit', what: 'relaxed dot, fused; exact for int8 (2-row tile)', args: [W8, XL, K / 4], rows: 2, of: 'x+128' },
];

// What runs in the engine measured (Node itself or a Chromium page): plain
// JavaScript, so that both run the same code. Instantiates the loops, copies the
// data image in, runs each loop once (its accumulators, for the check) and then
// times rounds of all of them in turn; returns outputs and median ms per call.
const ENGINE_SIDE = `async ({ wasm, image, imageAt, out, hOffset, reps, loops }) => {
  const bytes = Uint8Array.from(atob(wasm), (c) => c.charCodeAt(0));
  const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() {} } });
  const e = instance.exports;
  new Uint8Array(e.memory.buffer).set(Uint8Array.from(atob(image), (c) => c.charCodeAt(0)), imageAt);
  const call = (l, n) => e[l.name](...l.args, n, out, hOffset);
  const outs = loops.map((l) => { call(l, 1); return Array.from(new Int32Array(e.memory.buffer, out, 8 * l.rows)); });
  // Warm-up (the engine tiers hot functions up from its baseline compiler), then
  // batches long enough for a coarse page timer (about 1 ms each).
  for (const l of loops) { const until = performance.now() + 300; while (performance.now() < until) call(l, reps); }
  const batch = loops.map((l) => { let n = 1; for (;;) { const t0 = performance.now(); for (let i = 0; i < n; i++) call(l, reps); if (performance.now() - t0 > 20 || n > 1e6) return Math.max(1, Math.round(n / 20)); n *= 2; } });
  const samples = loops.map(() => []);
  for (let round = 0; round < 31; round++) {
    loops.forEach((l, i) => {
      const t0 = performance.now();
      for (let j = 0; j < batch[i]; j++) call(l, reps);
      samples[i].push((performance.now() - t0) / batch[i]);
    });
  }
  const ms = samples.map((s) => s.sort((a, b) => a - b)[s.length >> 1]);
  return { outs, ms };
}`;

let seed = 2024;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const int8 = () => Math.floor(rand() * 256) - 128;

/** The data image (from IMAGE to OUT) in every loop's layout, and the plain sums to match. */
function data() {
  const x = Array.from({ length: ROWS }, () => Array.from({ length: K }, int8));
  const w = Array.from({ length: CHANNELS }, () => Array.from({ length: K }, int8));
  const image = new Uint8Array(OUT - IMAGE);
  const view = new DataView(image.buffer);
  // Channel c's lane: group c >> 2 (16 bytes apart), lane c & 3 (4 bytes apart).
  const lane = (c: number) => 16 * (c >> 2) + 4 * (c & 3);
  for (let k = 0; k < K; k++) {
    const pair = k >> 1, quad = k >> 2;
    for (let c = 0; c < CHANNELS; c++) {
      view.setInt16(W16 - IMAGE + 32 * pair + lane(c) + 2 * (k & 1), w[c]![k]!, true);
      view.setInt8(W8 - IMAGE + 32 * quad + lane(c) + (k & 3), w[c]![k]!);
    }
    for (let r = 0; r < ROWS; r++) {
      view.setInt16(X16 - IMAGE + 16 * pair + 4 * r + 2 * (k & 1), x[r]![k]!, true);
      const u = x[r]![k]! + 128;
      image[XL - IMAGE + 16 * quad + 4 * r + (k & 3)] = u & 127;
      image[XH - IMAGE + 16 * quad + 4 * r + (k & 3)] = u >> 7;
    }
  }
  // Accumulator order: row r, channels 0-3 then 4-7. The split loops sum (x + 128)·w.
  const sum = (r: number, c: number, v: (x: number) => number) => w[c]!.reduce((s, wk, k) => s + v(x[r]![k]!) * wk, 0);
  const value: Record<Sum, (x: number) => number> = { x: (v) => v, 'x+128': (v) => v + 128, x7: (v) => (v + 128) & 127 };
  const expect = (rows: number, of: Sum) =>
    Array.from({ length: rows * CHANNELS }, (_, i) => {
      const r = i >> 3, c = i & 7;
      return sum(r, c, value[of]);
    });
  return { image, expect };
}

async function inChromium(args: unknown): Promise<{ outs: number[][]; ms: number[]; version: string }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const result = await page.evaluate(`(${ENGINE_SIDE})(${JSON.stringify(args)})`) as { outs: number[][]; ms: number[] };
    return { ...result, version: browser.version() };
  } finally {
    await browser.close();
  }
}

async function main() {
  const chromiumRun = process.argv.includes('--chromium');
  const wasm = compileLoops();
  if (!chromiumRun && !WebAssembly.validate(wasm)) {
    console.log('this engine has no relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd): nothing to measure');
    return;
  }
  const { image, expect } = data();
  const args = {
    wasm: Buffer.from(wasm).toString('base64'), image: Buffer.from(image).toString('base64'), imageAt: IMAGE, out: OUT,
    hOffset: XH - XL, reps: REPS, loops: LOOPS.map(({ name, args, rows }) => ({ name, args, rows })),
  };
  const result = chromiumRun
    ? await inChromium(args)
    : { ...await (new Function(`return ${ENGINE_SIDE}`)())(args), version: process.version };
  const engine = `${chromiumRun ? 'Chromium' : 'Node'} ${result.version}`;
  const perMac = (i: number) => LOOPS[i]!.rows * CHANNELS * K * REPS / result.ms[i]! / 1e6;
  console.log(`${engine}: inner loops of an int8 GEMM tile, K = ${K} (no requantization)`);
  console.log(table(LOOPS.map((l, i) => {
    const want = expect(l.rows, l.of);
    const exact = result.outs[i]!.every((v: number, j: number) => v === want[j]);
    return [l.name, l.what, exact ? 'yes' : 'NO', perMac(i), perMac(i) / perMac(0)];
  }), ['loop', 'what', 'matches the plain sum', 'GMAC/s', '÷ int16']));
}

await main();
