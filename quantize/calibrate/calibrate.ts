// Calibration: stream the data through the float graph, observe every
// activation tensor, and pick clipping ranges by method. `auto` chooses a
// method per tensor by the task metric of the simulated int8 model on a
// validation split of the calibration data.
import { checkFinite, type Dataset } from '../data/index.js';
import { runFloat } from '../ir/execute.js';
import { size, tensorOf, type IrGraph } from '../ir/graph.js';
import { assignQuant, type LowerOptions, type Ranges, type TensorQuant } from '../lower/lower.js';
import { quantizeWeights } from '../lower/weights.js';
import { METHODS, RangeObserver, type Method } from './observers.js';

export interface Calibration {
  observers: Map<string, RangeObserver>;
  samples: number;
}

/** Tensors whose ranges are calibrated (graph inputs and node outputs). */
export function activationTensors(g: IrGraph): string[] {
  return [...g.inputs, ...g.nodes.map((n) => n.outputs[0]!)];
}

export function collectStats(g: IrGraph, data: Dataset, o: { histograms: boolean; batchSize?: number; limit?: number }): Calibration {
  const names = activationTensors(g);
  const observers = new Map(names.map((n) => [n, new RangeObserver()]));
  const per = size(data.sampleShape);
  const bs = o.batchSize ?? 64;
  const limit = o.limit ?? Infinity;
  let samples = 0;
  for (const pass of o.histograms ? [0, 1] : [0]) {
    samples = 0;
    for (const b of data.batches(bs)) {
      if (samples >= limit) break;
      const n = Math.min(b.n, limit - samples);
      const x = b.x.subarray(0, n * per);
      if (pass === 0) checkFinite({ ...b, x, n }, data.spec, per);
      const values = runFloat(g, [x], n);
      for (const name of names) {
        const v = values.get(name)!;
        if (pass === 0) observers.get(name)!.observeRange(v);
        else observers.get(name)!.observeHistogram(v);
      }
      samples += n;
    }
  }
  return { observers, samples };
}

export function rangesFor(cal: Calibration, method: Method): Ranges {
  const r: Ranges = new Map();
  for (const [name, obs] of cal.observers) r.set(name, obs.range(method));
  return r;
}

/** Quantize-dequantize in place. */
function fakeQuant(v: Float32Array, q: TensorQuant): void {
  const [lo, hi] = q.dtype === 'int16' ? [-32768, 32767] : [-128, 127];
  const s = q.scale, z = q.zeroPoint;
  for (let i = 0; i < v.length; i++) {
    const r = Math.round(v[i]! / s) + z;
    v[i] = ((r < lo ? lo : r > hi ? hi : r) - z) * s;
  }
}

/** The int8 model simulated in float: weights quantized, every activation rounded to its grid. */
export function simulate(g: IrGraph, quant: Map<string, TensorQuant>, weights: Map<string, Float32Array>, x: Float32Array, n: number): Float32Array {
  const values = runFloat(g, [x], n, {
    constants: weights,
    onTensor: (name, v) => {
      const q = quant.get(name);
      if (q) fakeQuant(v, q);
    },
  });
  return values.get(g.outputs[0]!)!;
}

/** Weights as int8 sees them (per-channel or per-tensor), for simulation. */
export function simulatedWeights(g: IrGraph, perTensor: boolean): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (const n of g.nodes) {
    if (n.op !== 'conv2d' && n.op !== 'depthwise' && n.op !== 'dense') continue;
    const k = tensorOf(g, n.inputs[1]!);
    m.set(k.name, quantizeWeights(k.data!, k.shape[k.shape.length - 1]!, perTensor).dequantized);
  }
  return m;
}

export interface Score {
  /** Higher is better: accuracy (with labels) or minus the output MSE against float. */
  metric: number;
  /** Output mean squared error against the float model (tie-break). */
  mse: number;
}

export function scoreOutputs(out: Float32Array, ref: Float32Array, labels: Int32Array | undefined, classes: number): Score {
  let mse = 0;
  for (let i = 0; i < out.length; i++) mse += (out[i]! - ref[i]!) ** 2;
  mse /= out.length;
  if (!labels || classes < 2) return { metric: -mse, mse };
  let correct = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (out[r * classes + c]! > out[r * classes + best]!) best = c;
    if (best === labels[r]) correct++;
  }
  return { metric: correct / labels.length, mse };
}

export interface AutoChoice {
  ranges: Ranges;
  /** Method chosen per tensor. */
  methods: Map<string, Method>;
}

/**
 * `auto`: starting from min/max, each tensor in graph order tries every
 * method's range and keeps the one with the best task metric (then the lowest
 * output error) of the simulated int8 model on the validation samples.
 */
export function chooseAuto(g: IrGraph, cal: Calibration, val: { x: Float32Array; y?: Int32Array; n: number }, o: LowerOptions): AutoChoice {
  const per = METHODS.map((m) => [m, rangesFor(cal, m)] as const);
  const ranges: Ranges = new Map(per[0]![1]);
  const methods = new Map<string, Method>([...ranges.keys()].map((k) => [k, 'minmax']));
  const weights = simulatedWeights(g, !!o.perTensor);
  const ref = runFloat(g, [val.x], val.n).get(g.outputs[0]!)!;
  const classes = tensorOf(g, g.outputs[0]!).shape.at(-1) ?? 1;
  const score = () => scoreOutputs(simulate(g, assignQuant(g, ranges, o), weights, val.x, val.n), ref, val.y, classes);
  let best = score();
  for (const t of activationTensors(g)) {
    let keep = ranges.get(t)!;
    for (const [m, r] of per.slice(1)) {
      const cand = r.get(t)!;
      if (cand[0] === keep[0] && cand[1] === keep[1]) continue;
      ranges.set(t, cand);
      const s = score();
      if (s.metric > best.metric || (s.metric === best.metric && s.mse < best.mse)) {
        best = s;
        keep = cand;
        methods.set(t, m);
      }
      ranges.set(t, keep);
    }
  }
  return { ranges, methods };
}
