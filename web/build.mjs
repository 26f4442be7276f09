#!/usr/bin/env node
// Builds the browser bundle and the demo page into web/dist/:
//   minnow.js                         the host API, one minified ESM file
//   minnow.{scalar,simd,relaxed}.wasm the runtime builds (copied from build/)
//   index.html, style.css, demo.js, worker.js, models/mnist.mnw   the demo
// and prints every file's size raw and gzipped. Fails when the bundle or the
// SIMD build is over its gzip budget.
//
//   node web/build.mjs [--outdir DIR] [--model FILE.mnw]
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WEB = join(ROOT, 'web');
const BUILDS = ['scalar', 'simd', 'relaxed'];

/** Gzip budgets in bytes (issue 7): the bundle and the SIMD build. */
export const BUDGET = { js: 15 * 1024, simdWasm: 30 * 1024 };

/**
 * The demo's model: the zoo's int8 MNIST model, models/mnist-cnn/model.mnw
 * (or the folder's only .mnw under another name).
 */
export function demoModel() {
  const dir = join(ROOT, 'models', 'mnist-cnn');
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.mnw')).sort() : [];
  return join(dir, found.includes('model.mnw') || !found.length ? 'model.mnw' : found[0]);
}

/**
 * esbuild plugin: resolves the host's Node-only module (src/runtime/node-files.ts)
 * to its browser stand-in, so no Node built-in enters the bundle.
 */
export const browserHost = {
  name: 'minnow-browser-host',
  setup(build) {
    build.onResolve({ filter: /[\\/]node-files\.js$/ }, (args) => ({ path: join(args.resolveDir, 'node-files.browser.ts') }));
    build.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.path} imported by ${relative(ROOT, args.importer)}: the browser bundle must not use Node built-ins` }],
    }));
  },
};

/** Options shared by every browser bundle (the library, the demo, the test pages). */
export const browserOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020', 'chrome91', 'safari15', 'firefox90'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [browserHost],
};

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

/**
 * Builds everything into `outdir`. `model` overrides the demo model's path.
 * Returns the sizes: { file: { raw, gzip } }.
 */
export async function buildWeb({ outdir = join(WEB, 'dist'), model = demoModel(), quiet = false } = {}) {
  for (const b of BUILDS)
    if (!existsSync(join(ROOT, 'build', `minnow.${b}.wasm`)))
      throw new Error(`build/minnow.${b}.wasm is missing: run \`npm run build:wasm\` first`);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(join(outdir, 'models'), { recursive: true });

  await esbuild.build({ ...browserOptions, entryPoints: [join(WEB, 'src', 'minnow.ts')], outfile: join(outdir, 'minnow.js') });
  // The demo's page script and worker import the bundle at run time instead of
  // embedding it: the page shows the bundle working both on the main thread and
  // in a Worker.
  await esbuild.build({
    ...browserOptions,
    entryPoints: { demo: join(WEB, 'src', 'demo.ts'), worker: join(WEB, 'src', 'worker.ts') },
    outdir,
    external: ['./minnow.js'],
  });
  for (const b of BUILDS) copyFileSync(join(ROOT, 'build', `minnow.${b}.wasm`), join(outdir, `minnow.${b}.wasm`));
  for (const f of ['index.html', 'style.css']) copyFileSync(join(WEB, f), join(outdir, f));
  if (!existsSync(model)) throw new Error(`the demo model ${relative(ROOT, model)} is missing: make it with the quantize command (see README), or pass --model FILE.mnw`);
  copyFileSync(model, join(outdir, 'models', 'mnist.mnw'));

  const files = ['minnow.js', ...BUILDS.map((b) => `minnow.${b}.wasm`), 'demo.js', 'worker.js', 'index.html', 'style.css', 'models/mnist.mnw'];
  const sizes = {};
  for (const f of files) {
    const bytes = readFileSync(join(outdir, f));
    sizes[f] = { raw: bytes.length, gzip: gz(bytes) };
  }
  const js = sizes['minnow.js'].gzip;
  const simd = sizes['minnow.simd.wasm'].gzip;
  if (!quiet) {
    console.log(`web build in ${relative(process.cwd(), outdir) || '.'}:`);
    for (const f of files) console.log(`  ${f.padEnd(20)} ${String(sizes[f].raw).padStart(8)} B raw ${String(sizes[f].gzip).padStart(8)} B gzip`);
    console.log(`  budget: minnow.js ${js} / ${BUDGET.js} B gzip, minnow.simd.wasm ${simd} / ${BUDGET.simdWasm} B gzip`);
  }
  const over = [];
  if (js > BUDGET.js) over.push(`minnow.js is ${js} B gzip, over the ${BUDGET.js} B budget`);
  if (simd > BUDGET.simdWasm) over.push(`minnow.simd.wasm is ${simd} B gzip, over the ${BUDGET.simdWasm} B budget`);
  if (over.length) throw new Error(over.join('; '));
  return sizes;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : undefined;
  };
  try {
    await buildWeb({ outdir: arg('outdir'), model: arg('model') });
  } catch (e) {
    console.error(`build:web: ${e.message}`);
    process.exit(1);
  }
}
