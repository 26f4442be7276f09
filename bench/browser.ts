// npm run bench:browser — minnow's SIMD and relaxed builds side by side in
// Debian's Chromium (headless, driven by playwright-core): the kernel shapes
// of bench:kernels and the models of bench, through the shipped web bundle.
// Each case is checked for identical outputs in both builds, then timed in
// alternating rounds (medians).
//
// Chromium runs relaxed SIMD by default. Where its fused int8 dot reads u8
// exactly (x86 with VNNI), the relaxed build's convolutions take u8 rows
// (assembly/kernels/lanes.ts); elsewhere the two builds run the same kernels.
// Node 20 cannot show this: its V8 computes that instruction wrongly, so the
// probe keeps the relaxed build on the int16 path there.
//
//   node --import tsx bench/browser.ts [--models a,b] [--rounds 15] [--json out.json]
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
// @ts-expect-error plain ESM build script without types
import { buildWeb } from '../web/build.mjs';
// @ts-expect-error plain ESM server without types
import { serve } from '../web/serve.mjs';
import { readMnw } from '../src/format/reader.js';
import { CASES } from './kernel-cases.js';
import { table } from './harness.js';
import { benchInput, benchMnw, benchModels } from './models/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const BUILDS = ['simd', 'relaxed'] as const;

interface Case {
  name: string;
  /** Multiply-accumulates per run (0: not counted, whole models). */
  macs: number;
  mnw: number[];
  input: number[];
}

interface Result {
  name: string;
  same: boolean;
  /** Median ms per run, by build. */
  ms: Record<string, number>;
}

// Runs in the page (plain JavaScript: the page has no TypeScript helpers).
// Loads each case in both builds, compares outputs, then times them in
// alternating rounds of ~20 ms batches after a warm-up.
const PAGE = `
const { loadModel } = await import(url + 'minnow.js');
const now = () => performance.now();
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const results = [];
for (const c of cases) {
  const models = {};
  for (const b of builds) {
    models[b] = await loadModel(new Uint8Array(c.mnw), { build: b });
    if (models[b].build !== b) throw new Error('the browser does not run the ' + b + ' build');
    models[b].inputView(0).set(c.input);
  }
  const outs = builds.map((b) => { models[b].invoke(); return Array.from(models[b].outputView(0)).join(','); });
  const batch = {};
  for (const b of builds) {
    const m = models[b];
    const until = now() + 150;
    while (now() < until) m.invoke();
    let n = 1;
    for (;;) { const t0 = now(); for (let i = 0; i < n; i++) m.invoke(); const dt = now() - t0; if (dt >= 20 || n >= 1 << 20) break; n = dt < 1 ? n * 8 : Math.ceil(n * 20 / dt); }
    batch[b] = n;
  }
  const samples = Object.fromEntries(builds.map((b) => [b, []]));
  for (let r = 0; r < rounds; r++) for (const b of builds) {
    const m = models[b], n = batch[b], t0 = now();
    for (let i = 0; i < n; i++) m.invoke();
    samples[b].push((now() - t0) / n);
  }
  results.push({ name: c.name, same: outs.every((o) => o === outs[0]), ms: Object.fromEntries(builds.map((b) => [b, median(samples[b])])) });
  for (const b of builds) models[b].dispose();
}
return results;
`;

function parseArgs(argv: string[]) {
  const a = { models: undefined as string[] | undefined, rounds: 15, json: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return x;
    };
    if (argv[i] === '--models') a.models = v().split(',');
    else if (argv[i] === '--rounds') a.rounds = Number(v());
    else if (argv[i] === '--json') a.json = v();
    else throw new Error(`unknown option ${argv[i]}; usage: npm run bench:browser [-- --models a,b] [--rounds 15] [--json file]`);
  }
  return a;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const cases: Case[] = CASES.map((k) => {
    const bytes = k.graph().pack().bytes;
    const file = readMnw(bytes);
    const shape = file.tensors[file.inputs[0]!]!.shape;
    const input = Int8Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 37) % 255) - 127);
    return { name: k.name, macs: k.macs, mnw: Array.from(bytes), input: Array.from(input) };
  });
  for (const bm of benchModels(root).filter((m) => !args.models || args.models.includes(m.name))) {
    cases.push({ name: bm.name, macs: 0, mnw: Array.from(benchMnw(bm)), input: Array.from(benchInput(bm)) });
  }

  const dir = mkdtempSync(join(tmpdir(), 'minnow-bench-web-'));
  const server = await serve({ mounts: { '/': dir } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const version = browser.version();
  let results: Result[];
  try {
    await buildWeb({ outdir: dir, quiet: true });
    const page = await browser.newPage();
    await page.goto(server.url);
    results = await page.evaluate(
      ({ src, cases, url, builds, rounds }) => new Function('cases', 'url', 'builds', 'rounds', `return (async () => {${src}})()`)(cases, url, builds, rounds),
      { src: PAGE, cases, url: server.url as string, builds: [...BUILDS], rounds: args.rounds },
    );
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const rows = results.map((r, i) => {
    const macs = cases[i]!.macs;
    const gmacs = (ms: number) => (macs ? (macs / (ms * 1e6)).toFixed(1) : '');
    return [r.name, r.same ? 'yes' : 'NO', r.ms.simd! * 1000, gmacs(r.ms.simd!), r.ms.relaxed! * 1000, gmacs(r.ms.relaxed!), (r.ms.relaxed! / r.ms.simd!).toFixed(2)];
  });
  console.log(`Chromium ${version}, medians of ${args.rounds} alternating rounds`);
  console.log(table(rows, ['case', 'same outputs', 'simd µs', 'GMAC/s', 'relaxed µs', 'GMAC/s', 'relaxed ÷ simd']));
  if (args.json) {
    writeFileSync(args.json, JSON.stringify({ browser: `chromium ${version}`, rows: results.flatMap((r, i) => BUILDS.map((b) => ({ case: r.name, build: b, medianMs: r.ms[b], gmacs: cases[i]!.macs ? cases[i]!.macs / (r.ms[b]! * 1e6) : null, same: r.same }))) }, null, 2));
  }
  if (results.some((r) => !r.same)) {
    console.error('the builds disagree on some case (see "same outputs")');
    process.exitCode = 1;
  }
}

await main();
