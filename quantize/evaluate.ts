// Measuring a quantized model: task metrics of the float graph and of the .mnw
// in the wasm runtime on held-out data, per-layer agreement (SQNR, cosine)
// through the reference interpreter, and latency in the runtime.
import type { AnyTypedArray } from '../src/format/dtypes.js';
import type { MnwFile } from '../src/format/model.js';
import { readMnw } from '../src/format/reader.js';
import { runReference } from '../src/reference/interpreter.js';
import { loadModel, type Model } from '../src/runtime/host.js';
import { dequantizeValue } from '../src/runtime/quant.js';
import type { BuildChoice } from '../src/runtime/wasm.js';
import type { Dataset } from './data/index.js';
import { runFloat } from './ir/execute.js';
import { size, tensorOf, type IrGraph } from './ir/graph.js';
import type { LoweredLayer } from './lower/lower.js';

export interface TaskMetric {
  /** accuracy (labels), or agreement/mse against the float model (no labels). */
  name: 'accuracy' | 'top1-agreement' | 'mse';
  value: number;
  samples: number;
  /** Classifiers with labels: rows = true class, columns = predicted. */
  confusion?: number[][];
}

function argmax(a: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[off + i]! > a[off + best]!) best = i;
  return best;
}

/** Collects predictions and scores them. */
class Scorer {
  correct = 0;
  agree = 0;
  sq = 0;
  count = 0;
  values = 0;
  confusion: number[][] | undefined;
  constructor(readonly classes: number, readonly labels: boolean) {
    if (labels && classes > 1) this.confusion = Array.from({ length: classes }, () => new Array(classes).fill(0));
  }
  add(out: ArrayLike<number>, ref: ArrayLike<number> | undefined, label: number | undefined): void {
    const p = argmax(out, 0, this.classes);
    if (label !== undefined && this.confusion) {
      if (p === label) this.correct++;
      if (label >= 0 && label < this.classes) this.confusion[label]![p]!++;
    }
    if (ref) {
      if (p === argmax(ref, 0, this.classes)) this.agree++;
      for (let i = 0; i < out.length; i++) this.sq += (out[i]! - ref[i]!) ** 2;
      this.values += out.length;
    }
    this.count++;
  }
  metric(): TaskMetric {
    if (this.confusion) return { name: 'accuracy', value: this.correct / this.count, samples: this.count, confusion: this.confusion };
    if (this.classes > 1) return { name: 'top1-agreement', value: this.agree / this.count, samples: this.count };
    return { name: 'mse', value: this.sq / Math.max(1, this.values), samples: this.count };
  }
}

export interface Engine {
  /** 'wasm-scalar' | 'wasm-simd' | 'wasm-relaxed' | 'reference' */
  name: string;
  model?: Model;
  file: MnwFile;
  run(x: Float32Array): Float32Array;
}

/** The runtime (or, if a build cannot load the model, the reference interpreter). */
export async function openEngine(bytes: Uint8Array, build: BuildChoice = 'auto'): Promise<{ engine: Engine; fallback?: string }> {
  const file = readMnw(bytes);
  const out = file.tensors[file.outputs[0]!]!;
  const deq = (raw: AnyTypedArray) => Float32Array.from(raw as ArrayLike<number>, (v) => dequantizeValue(Number(v), out.scale, out.zeroPoint));
  try {
    const model = await loadModel(bytes, { build });
    return {
      engine: {
        name: `wasm-${model.build}`,
        model,
        file,
        run(x) {
          model.setInput(0, x);
          model.invoke();
          const v = model.outputView(0);
          return out.dtype === 0 ? (v as Float32Array).slice() : deq(v);
        },
      },
    };
  } catch (e) {
    const err = e as Error & { code?: string };
    return {
      engine: { name: 'reference', file, run: (x) => deq(runReference(file, [x]).outputs[0]!) },
      fallback: `the wasm runtime could not load the model (${err.code ?? ''} ${err.message}); measured with the reference interpreter`,
    };
  }
}

export interface Evaluation {
  float: TaskMetric;
  int8: TaskMetric;
  /** Fraction of samples where int8 and float pick the same class. */
  agreement?: number;
  engine: string;
  note?: string;
}

/** Float and int8 task metrics on the same samples. */
export function evaluate(g: IrGraph, engine: Engine, data: Dataset, o: { limit?: number; batchSize?: number } = {}): Evaluation {
  const outShape = tensorOf(g, g.outputs[0]!).shape;
  const classes = outShape[outShape.length - 1] ?? 1;
  const per = size(tensorOf(g, g.inputs[0]!).shape);
  const outPer = size(outShape);
  const fs = new Scorer(classes, data.hasLabels);
  const qs = new Scorer(classes, data.hasLabels);
  let agree = 0;
  let seen = 0;
  const limit = o.limit ?? Infinity;
  for (const b of data.batches(o.batchSize ?? 128)) {
    if (seen >= limit) break;
    const n = Math.min(b.n, limit - seen);
    const f = runFloat(g, [b.x.subarray(0, n * per)], n).get(g.outputs[0]!)!;
    for (let i = 0; i < n; i++) {
      const fo = f.subarray(i * outPer, (i + 1) * outPer);
      const qo = engine.run(b.x.slice(i * per, (i + 1) * per));
      fs.add(fo, fo, b.y?.[i]);
      qs.add(qo, fo, b.y?.[i]);
      if (argmax(qo, 0, classes) === argmax(fo, 0, classes)) agree++;
    }
    seen += n;
  }
  return { float: fs.metric(), int8: qs.metric(), agreement: classes > 1 ? agree / seen : undefined, engine: engine.name };
}

export interface LayerStats {
  name: string;
  op: string;
  source: string[];
  sqnrDb: number;
  cosine: number;
  dtype: string;
  scale: number;
  zeroPoint: number;
  /** The float range seen on the comparison samples. */
  floatMin: number;
  floatMax: number;
}

/** Per-layer SQNR and cosine of the int8 reference run against the float graph. */
export function compareLayers(g: IrGraph, file: MnwFile, layers: LoweredLayer[], tensorIds: Map<string, number>, data: Dataset, samples: number): LayerStats[] {
  const acc = layers.map(() => ({ s: 0, n: 0, dot: 0, ff: 0, qq: 0, lo: Infinity, hi: -Infinity }));
  const per = size(tensorOf(g, g.inputs[0]!).shape);
  let seen = 0;
  for (const b of data.batches(32)) {
    if (seen >= samples) break;
    const n = Math.min(b.n, samples - seen);
    const fl = runFloat(g, [b.x.subarray(0, n * per)], n);
    for (let i = 0; i < n; i++) {
      const ref = runReference(file, [b.x.slice(i * per, (i + 1) * per)]);
      layers.forEach((l, k) => {
        const id = tensorIds.get(l.output)!;
        const t = file.tensors[id]!;
        const q = ref.tensors[id]!;
        const m = q.length;
        const f = fl.get(l.output)!.subarray(i * m, (i + 1) * m);
        const a = acc[k]!;
        for (let j = 0; j < m; j++) {
          const fv = f[j]!;
          const qv = t.dtype === 0 ? Number(q[j]) : (Number(q[j]) - t.zeroPoint) * t.scale;
          a.s += fv * fv;
          a.n += (fv - qv) ** 2;
          a.dot += fv * qv;
          a.ff += fv * fv;
          a.qq += qv * qv;
          if (fv < a.lo) a.lo = fv;
          if (fv > a.hi) a.hi = fv;
        }
      });
    }
    seen += n;
  }
  return layers.map((l, k) => {
    const a = acc[k]!;
    const t = file.tensors[tensorIds.get(l.output)!]!;
    return {
      name: l.name, op: l.op, source: l.source,
      sqnrDb: a.n === 0 ? 99 : Math.min(99, 10 * Math.log10(a.s / a.n)),
      cosine: a.ff && a.qq ? a.dot / Math.sqrt(a.ff * a.qq) : a.ff === a.qq ? 1 : 0,
      dtype: t.dtype === 2 ? 'int16' : t.dtype === 0 ? 'float32' : 'int8',
      scale: t.scale, zeroPoint: t.zeroPoint, floatMin: a.lo, floatMax: a.hi,
    };
  });
}

/** Median milliseconds per inference in the runtime (batches of runs long enough to time well). */
export function measureLatency(engine: Engine, x: Float32Array, batches = 15): number {
  const m = engine.model;
  if (!m) return NaN;
  m.setInput(0, x);
  let k = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < k; i++) m.invoke();
    if (performance.now() - t0 >= 5 || k >= 1 << 16) break;
    k *= 2;
  }
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < k; i++) m.invoke();
    times.push((performance.now() - t0) / k);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
