// Digits drawn as strokes on the demo's pad, in pad units (0..1 from the top
// left), and the drawing itself with mouse or touch events.
import type { Page } from 'playwright-core';

export type Stroke = [number, number][];

/** An elliptic arc; angles in degrees clockwise from 12 o'clock. */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number): Stroke {
  const n = Math.max(2, Math.ceil(Math.abs(to - from) / 15));
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = ((from + ((to - from) * i) / n) * Math.PI) / 180;
    return [cx + rx * Math.sin(a), cy - ry * Math.cos(a)];
  });
}

export const DIGITS: Record<number, Stroke[]> = {
  0: [arc(0.5, 0.5, 0.22, 0.32, 0, 360)],
  1: [[[0.46, 0.2], [0.54, 0.16], [0.54, 0.84]]],
  2: [[...arc(0.5, 0.35, 0.2, 0.17, -70, 110), [0.28, 0.82], [0.74, 0.82]]],
  3: [[...arc(0.5, 0.32, 0.18, 0.15, -80, 170), ...arc(0.5, 0.65, 0.2, 0.18, -10, 230)]],
  4: [[[0.55, 0.15], [0.27, 0.6], [0.76, 0.6]], [[0.62, 0.35], [0.62, 0.86]]],
  5: [[[0.7, 0.18], [0.36, 0.18], [0.33, 0.47], ...arc(0.5, 0.63, 0.2, 0.18, -60, 230)]],
  6: [[[0.64, 0.15], [0.45, 0.32], [0.34, 0.55], ...arc(0.5, 0.66, 0.17, 0.17, -90, 270)]],
  7: [[[0.28, 0.2], [0.72, 0.2], [0.5, 0.5], [0.42, 0.84]]],
  8: [arc(0.5, 0.32, 0.15, 0.15, 180, 540), arc(0.5, 0.67, 0.18, 0.18, 0, 360)],
  9: [arc(0.48, 0.33, 0.17, 0.16, 90, 450), [[0.65, 0.33], [0.62, 0.85]]],
};

/** Points along a polyline, at most `step` pad units apart. */
function densify(s: Stroke, step = 0.04): Stroke {
  const out: Stroke = [s[0]!];
  for (let i = 1; i < s.length; i++) {
    const [x0, y0] = s[i - 1]!;
    const [x1, y1] = s[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / step));
    for (let k = 1; k <= n; k++) out.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
  }
  return out;
}

async function padBox(page: Page) {
  const box = await page.locator('#pad').boundingBox();
  if (!box) throw new Error('the drawing pad is not visible');
  return box;
}

/** Draws strokes with mouse events (press, moves, release). */
export async function drawWithMouse(page: Page, strokes: Stroke[]): Promise<void> {
  const box = await padBox(page);
  for (const s of strokes) {
    const pts = densify(s).map(([x, y]) => [box.x + x * box.width, box.y + y * box.height] as const);
    await page.mouse.move(pts[0]![0], pts[0]![1]);
    await page.mouse.down();
    for (const [x, y] of pts.slice(1)) await page.mouse.move(x, y);
    await page.mouse.up();
  }
}

/** Draws strokes with touch events (one finger), through the DevTools protocol. */
export async function drawWithTouch(page: Page, strokes: Stroke[]): Promise<void> {
  const box = await padBox(page);
  const cdp = await page.context().newCDPSession(page);
  for (const s of strokes) {
    const pts = densify(s).map(([x, y]) => ({ x: box.x + x * box.width, y: box.y + y * box.height }));
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [pts[0]!] });
    for (const p of pts.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [p] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }
  await cdp.detach();
}

/** Waits until the worker has answered for the drawing as it is now. */
export async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const d = (window as unknown as { minnowDemo: { runs: number } }).minnowDemo;
    return d.runs > 0;
  });
  // The page runs again after the last stroke; wait until runs stop changing.
  let last = -1;
  for (;;) {
    const runs = await page.evaluate(() => (window as unknown as { minnowDemo: { runs: number } }).minnowDemo.runs);
    if (runs === last) return;
    last = runs;
    await page.waitForTimeout(150);
  }
}
