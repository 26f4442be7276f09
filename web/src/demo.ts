// The demo page: a drawing pad classified by the int8 MNIST model in a Worker,
// and a panel that loads any .mnw file on the main thread and describes it.
//
// URL parameters: ?build=auto|scalar|simd|relaxed (default auto),
// ?model=<url of a .mnw> (default models/mnist.mnw).
import { loadModel, type BuildChoice, type TensorDesc } from './minnow.js';
import type { FromWorker, ModelInfo, ToWorker } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const buildChoice = (params.get('build') ?? 'auto') as BuildChoice;
const modelUrl = params.get('model') ?? 'models/mnist.mnw';

const pad = $<HTMLCanvasElement>('pad');
const preview = $<HTMLCanvasElement>('preview');
const status = $<HTMLParagraphElement>('status');
const ctx = pad.getContext('2d', { willReadFrequently: true })!;
const SIZE = pad.width; // 280

// ---------------------------------------------------------------- the worker

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let info: ModelInfo | undefined;
let nextId = 1;
let busy = false;
let dirty = false;
/** Bumped by Clear, so that a result for the old drawing is not shown. */
let generation = 0;
const waiting = new Map<number, (r: Extract<FromWorker, { type: 'result' }>) => void>();

/** What the page has shown; read by the browser tests. */
const state = {
  ready: false,
  build: '' as string,
  prediction: -1,
  probs: [] as number[],
  raw: [] as number[],
  ms: 0,
  runs: 0,
  error: '',
  /** Classifies a 784-value image (0..1, row-major 28x28) in the worker. */
  classify: (pixels: ArrayLike<number>) => classify(Float32Array.from(pixels)),
  /** The 28x28 image the pad currently holds. */
  image: () => Array.from(toMnist() ?? new Float32Array(784)),
};
(window as unknown as { minnowDemo: typeof state }).minnowDemo = state;

const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

function classify(pixels: Float32Array): Promise<Extract<FromWorker, { type: 'result' }>> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    send({ type: 'run', id, pixels }, [pixels.buffer]);
  });
}

worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const m = ev.data;
  if (m.type === 'loaded') {
    info = m;
    state.ready = true;
    state.build = m.build;
    $('build').textContent = m.build;
    $('memory').textContent = bytes(m.memoryBytes);
    $('arena').textContent = bytes(m.arenaBytes);
    status.textContent = `Model loaded: ${bytes(m.fileBytes)}, input [${m.inputs[0]!.shape}] ${m.inputs[0]!.dtype}. Draw with a mouse or a finger.`;
    document.body.dataset.ready = '1';
  } else if (m.type === 'result') {
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  } else {
    if (m.id !== undefined) waiting.delete(m.id);
    fail(m.message);
  }
};
worker.onerror = (e) => fail(e.message || 'the worker failed to start');

function fail(message: string) {
  state.error = message;
  status.textContent = message;
  status.classList.add('error');
  document.body.dataset.error = '1';
}

send({ type: 'load', url: new URL(modelUrl, location.href).href, build: buildChoice });

// ------------------------------------------------------------ drawing

function clearPad() {
  generation++;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, SIZE, SIZE);
  const p = preview.getContext('2d')!;
  p.fillStyle = '#000';
  p.fillRect(0, 0, 28, 28);
  $('prediction').textContent = '–';
  $('top3').replaceChildren();
  state.prediction = -1;
  state.probs = [];
}
clearPad();

let last: { x: number; y: number } | undefined;
const point = (e: PointerEvent) => {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) / r.width) * SIZE, y: ((e.clientY - r.top) / r.height) * SIZE };
};
function stroke(a: { x: number; y: number }, b: { x: number; y: number }) {
  ctx.strokeStyle = '#fff';
  ctx.fillStyle = '#fff';
  ctx.lineWidth = SIZE / 12;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(b.x, b.y);
  ctx.stroke();
}
pad.addEventListener('pointerdown', (e) => {
  if (!e.isPrimary) return;
  e.preventDefault();
  pad.setPointerCapture(e.pointerId);
  last = point(e);
  stroke(last, last);
  schedule();
});
pad.addEventListener('pointermove', (e) => {
  if (!last || !e.isPrimary) return;
  e.preventDefault();
  const p = point(e);
  stroke(last, p);
  last = p;
  schedule();
});
const end = () => {
  if (!last) return;
  last = undefined;
  schedule();
};
pad.addEventListener('pointerup', end);
pad.addEventListener('pointercancel', end);
$('clear').addEventListener('click', clearPad);

// ------------------------------------------------------- classify as you draw

/** Runs the model on the pad; while a run is in flight, remembers to run again after it. */
function schedule() {
  if (!info) return;
  if (busy) {
    dirty = true;
    return;
  }
  const pixels = toMnist();
  if (!pixels) return;
  busy = true;
  dirty = false;
  const g = generation;
  classify(pixels).then((r) => g === generation && show(r), (e) => fail(String(e))).finally(() => {
    busy = false;
    if (dirty) schedule();
  });
}

function show(r: Extract<FromWorker, { type: 'result' }>) {
  const order = r.probs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  const labels = info!.labels;
  state.prediction = order[0]![1];
  state.probs = r.probs;
  state.raw = r.raw;
  state.ms = r.ms;
  state.runs++;
  $('prediction').textContent = labels[order[0]![1]] ?? String(order[0]![1]);
  $('top3').replaceChildren(
    ...order.slice(0, 3).map(([p, i]) => {
      const li = document.createElement('li');
      const bar = document.createElement('span');
      bar.className = 'bar';
      const fill = document.createElement('i');
      fill.style.width = `${(p * 100).toFixed(1)}%`;
      bar.append(fill);
      const pct = document.createElement('span');
      pct.className = 'p';
      pct.textContent = `${(p * 100).toFixed(1)}%`;
      const label = document.createElement('b');
      label.textContent = labels[i] ?? String(i);
      li.append(label, bar, pct);
      return li;
    }),
  );
  $('latency').textContent = `${r.ms < 1 ? r.ms.toFixed(3) : r.ms.toFixed(2)} ms`;
  document.body.dataset.runs = String(state.runs);
}

const smallCanvas = document.createElement('canvas');
smallCanvas.width = smallCanvas.height = 28;
const small = smallCanvas.getContext('2d', { willReadFrequently: true })!;

/**
 * The pad as an MNIST image: the ink's bounding box scaled to fit 20x20
 * (keeping its aspect), centred by its centre of mass in a 28x28 frame,
 * values 0..1. Undefined when the pad is empty.
 */
function toMnist(): Float32Array | undefined {
  const src = ctx.getImageData(0, 0, SIZE, SIZE).data;
  let x0 = SIZE, y0 = SIZE, x1 = -1, y1 = -1;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++)
      if (src[(y * SIZE + x) * 4]! > 16) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  if (x1 < 0) return undefined;
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const s = 20 / Math.max(w, h);
  const dw = w * s, dh = h * s;
  // Scale into 28x28 centred by the bounding box, then shift by the centre of mass.
  const c = small;
  c.imageSmoothingEnabled = true;
  c.imageSmoothingQuality = 'high';
  c.fillStyle = '#000';
  c.fillRect(0, 0, 28, 28);
  c.drawImage(pad, x0, y0, w, h, (28 - dw) / 2, (28 - dh) / 2, dw, dh);
  let img = c.getImageData(0, 0, 28, 28).data;
  let m = 0, mx = 0, my = 0;
  for (let i = 0; i < 784; i++) {
    const v = img[i * 4]!;
    m += v;
    mx += v * (i % 28);
    my += v * Math.floor(i / 28);
  }
  const sx = Math.round(13.5 - mx / m), sy = Math.round(13.5 - my / m);
  if (sx || sy) {
    c.fillRect(0, 0, 28, 28);
    c.drawImage(pad, x0, y0, w, h, (28 - dw) / 2 + sx, (28 - dh) / 2 + sy, dw, dh);
    img = c.getImageData(0, 0, 28, 28).data;
  }
  preview.getContext('2d')!.putImageData(c.getImageData(0, 0, 28, 28), 0, 0);
  const out = new Float32Array(784);
  for (let i = 0; i < 784; i++) out[i] = img[i * 4]! / 255;
  return out;
}

// ------------------------------------------------------------ the inspector

const drop = $<HTMLLabelElement>('drop');
const fileInput = $<HTMLInputElement>('file');
const inspect = $<HTMLDivElement>('inspect');

drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f) void inspectFile(f.name, f.arrayBuffer());
});
fileInput.addEventListener('change', () => {
  const f = fileInput.files?.[0];
  if (f) void inspectFile(f.name, f.arrayBuffer());
  fileInput.value = '';
});

/** Loads a model on the main thread (the bundle works here too) and describes it. */
async function inspectFile(name: string, source: Promise<ArrayBuffer> | Promise<Response>) {
  inspect.dataset.state = 'loading';
  try {
    const src = await source;
    const m = await loadModel(src, { build: buildChoice });
    const el = (tag: string, text?: string, cls?: string) => {
      const e = document.createElement(tag);
      if (text !== undefined) e.textContent = text;
      if (cls) e.className = cls;
      return e;
    };
    const facts = el('dl', undefined, 'facts');
    const fact = (k: string, v: string) => facts.append(el('dt', k), el('dd', v));
    fact('file', name);
    fact('size', bytes(m.fileBytes));
    fact('arena', bytes(m.arenaBytes));
    fact('memory', bytes(m.memoryBytes));
    fact('MACs', m.macs.toLocaleString('en'));
    fact('build', m.build);
    if (m.metadata.producer) fact('producer', String(m.metadata.producer));
    const table = (head: string[], rows: string[][]) => {
      const wrap = el('div', undefined, 'table-wrap');
      const thead = el('thead');
      const tbody = el('tbody');
      const tr = el('tr');
      head.forEach((h) => tr.append(el('th', h)));
      thead.append(tr);
      for (const r of rows) {
        const row = el('tr');
        r.forEach((c) => row.append(el('td', c)));
        tbody.append(row);
      }
      const t = el('table');
      t.append(thead, tbody);
      wrap.append(t);
      return wrap;
    };
    const io = (ts: TensorDesc[]) => table(['name', 'shape', 'type', 'scale', 'zp'], ts.map((t) => [t.name, `[${t.shape.join(', ')}]`, t.dtype, fmtScale(t.scale), String(t.zeroPoint)]));
    const ops = m.ops;
    inspect.replaceChildren(
      facts,
      el('h3', `Inputs (${m.inputs.length})`),
      io(m.inputs),
      el('h3', `Outputs (${m.outputs.length})`),
      io(m.outputs),
      el('h3', `Ops (${ops.length})`),
      table(['#', 'op', 'name'], ops.map((o, i) => [String(i), o.op, o.name])),
    );
    m.dispose();
    inspect.dataset.state = 'ok';
  } catch (e) {
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = `${name}: ${(e as Error).message}`;
    inspect.replaceChildren(p);
    inspect.dataset.state = 'error';
  }
}

// The demo's own model is described until the user drops another.
void inspectFile(modelUrl.split('/').pop()!, fetch(modelUrl));

function bytes(n: number): string {
  return `${n.toLocaleString('en')} B`;
}
function fmtScale(s: number): string {
  return s === 0 ? '–' : s.toPrecision(4);
}
