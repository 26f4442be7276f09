// Shared by the browser tests: the web build in a temporary folder, a static
// server on 127.0.0.1, and headless Debian Chromium driven by playwright-core.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
// @ts-expect-error plain ESM build script without types
import { buildWeb, demoModel } from '../../web/build.mjs';
// @ts-expect-error plain ESM server without types
import { serve } from '../../web/serve.mjs';

export const ROOT = resolve(import.meta.dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test', 'artifacts');
export const CHROMIUM = '/usr/bin/chromium';

/** The flags of issue 7: headless, no sandbox, no GPU, nothing that talks to the network. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * V8 flag that makes Chromium an engine without wasm SIMD: V8 needs SSE4.1
 * for SIMD128, so without it WebAssembly.validate rejects every SIMD module
 * (checked on Chromium 156; `--no-experimental-wasm-simd` no longer exists).
 */
export const NO_SIMD_FLAGS = ['--js-flags=--no-enable-sse4-1'];

export interface Site {
  url: string;
  dir: string;
  sizes: Record<string, { raw: number; gzip: number }>;
  mount(prefix: string, dir: string): void;
  close(): Promise<void>;
}

/**
 * Builds the web bundle and demo into a fresh temporary folder and serves it.
 * `model`: the demo model's path (default: the zoo's MNIST model).
 */
export async function startSite(model: string = demoModel()): Promise<Site> {
  const dir = mkdtempSync(join(tmpdir(), 'minnow-web-'));
  const sizes = await buildWeb({ outdir: dir, model, quiet: true });
  const mounts: Record<string, string> = { '/': dir };
  const server = await serve({ mounts });
  return {
    url: server.url,
    dir,
    sizes,
    mount: (prefix, d) => void (mounts[prefix] = d),
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Chromium {
  browser: Browser;
  page(options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium (playwright gives it a fresh temporary profile);
 * every page records console errors.
 */
export async function launch(extraArgs: string[] = []): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`node test/system-deps.mjs\` (Debian package chromium)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS, ...extraArgs], headless: true });
  return {
    browser,
    async page(options = {}) {
      const context = await browser.newContext(options);
      // No network: only the test server on 127.0.0.1 answers.
      await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      (page as Page & { errors: string[] }).errors = errors;
      return page;
    },
    close: () => browser.close(),
  };
}

/** Console and page errors seen by a page made with launch().page(). */
export const pageErrors = (page: Page): string[] => (page as Page & { errors?: string[] }).errors ?? [];

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
