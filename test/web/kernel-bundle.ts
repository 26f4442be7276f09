// Bundles the kernel tester's cases (every test/kernels/*.test.ts, unchanged)
// for the browser: 'vitest' becomes test/web/vitest-shim.ts, and the host
// (src/runtime/host.ts, wasm.ts) becomes the shipped bundle web/dist/minnow.js,
// so the cases exercise exactly what the web build ships. The reference
// interpreter and the packer are bundled from source.
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
// @ts-expect-error plain ESM build script without types
import { browserOptions } from '../../web/build.mjs';
import { ROOT } from './browser.js';

export const KERNEL_TESTS = join(ROOT, 'test', 'kernels');

/** The kernel test files, by name. */
export function kernelTestFiles(): string[] {
  return readdirSync(KERNEL_TESTS).filter((f) => f.endsWith('.test.ts')).sort();
}

/**
 * Writes kernels.js and index.html into `outdir`, to be served one level
 * below the web build (it imports ../minnow.js). The page defines
 * `window.kernelTests`: a promise of { files, run(files?) }.
 */
export async function bundleKernelTests(outdir: string, files = kernelTestFiles()): Promise<void> {
  const shim = join(ROOT, 'test', 'web', 'vitest-shim.ts');
  const entry = [
    `import { setFile, runTests } from ${JSON.stringify(shim)};`,
    'window.kernelTests = (async () => {',
    ...files.map((f) => `  setFile(${JSON.stringify(f)}); await import(${JSON.stringify(join(KERNEL_TESTS, f))});`),
    `  return { files: ${JSON.stringify(files)}, run: runTests };`,
    '})();',
  ].join('\n');
  const shipped = new Set(['src/runtime/host.js', 'src/runtime/wasm.js'].map((p) => join(ROOT, p)));
  await esbuild.build({
    ...browserOptions,
    minify: false,
    stdin: { contents: entry, resolveDir: KERNEL_TESTS, sourcefile: 'kernels-entry.js' },
    outfile: join(outdir, 'kernels.js'),
    alias: { vitest: shim },
    plugins: [
      {
        name: 'shipped-host',
        setup(build) {
          build.onResolve({ filter: /\/(host|wasm)\.js$/ }, (args) =>
            shipped.has(resolve(args.resolveDir, args.path)) ? { path: '../minnow.js', external: true } : undefined,
          );
        },
      },
      ...browserOptions.plugins,
    ],
  });
  writeFileSync(
    join(outdir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>minnow kernel cases</title><script type="module" src="kernels.js"></script>\n',
  );
}
