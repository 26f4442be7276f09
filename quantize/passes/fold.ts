// Graph passes before quantization, each a pure rewrite of the IR:
// - identities (dropout, linear activations) disappear;
// - batch normalization folds into the conv/depthwise/dense before it (or,
//   alone, becomes a 1x1 depthwise conv / diagonal dense);
// - ReLU and ReLU6 fuse into the op before them as an output clamp.
// Other elementwise functions stay as 'activation' nodes: the lowering turns
// them into LOOKUP tables.
import { checkGraph, consumers, isConstant, size, tensorOf, type IrGraph, type IrNode } from '../ir/graph.js';

export interface PassLog {
  folded: string[];
  fused: string[];
  removed: string[];
  /** QDQ models: activation ranges recorded by quantize nodes (they override calibration). */
  qdqRanges: Map<string, [number, number]>;
}

/** Runs every pass; returns what was done (for the report). */
export function optimize(g: IrGraph): PassLog {
  const log: PassLog = { folded: [], fused: [], removed: [], qdqRanges: new Map() };
  absorbQdq(g, log);
  removeIdentities(g, log);
  matmulToDense(g);
  foldBatchNorm(g, log);
  fuseActivations(g, log);
  checkGraph(g);
  return log;
}

function rename(g: IrGraph, from: string, to: string): void {
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
  g.outputs = g.outputs.map((o) => (o === from ? to : o));
}

/**
 * QDQ models (from importers): a quantize node records the int8 grid of the
 * tensor it reads. Its range becomes that tensor's range, and the
 * quantize/dequantize nodes become identities (removed next).
 */
function absorbQdq(g: IrGraph, log: PassLog): void {
  for (const n of g.nodes) {
    if (n.op !== 'quantize' && n.op !== 'dequantize') continue;
    if (n.op === 'quantize' && n.attrs.scale) {
      const s = n.attrs.scale, z = n.attrs.zeroPoint ?? 0;
      const r: [number, number] = [(-128 - z) * s, (127 - z) * s];
      log.qdqRanges.set(n.inputs[0]!, r);
      log.qdqRanges.set(n.outputs[0]!, r);
    }
    n.op = 'identity';
  }
}

function removeIdentities(g: IrGraph, log: PassLog): void {
  for (const n of [...g.nodes]) {
    const linear = n.op === 'identity' || (n.op === 'activation' && n.attrs.fn === 'linear');
    if (!linear) continue;
    const x = n.inputs[0]!;
    const y = n.outputs[0]!;
    g.nodes.splice(g.nodes.indexOf(n), 1);
    const r = log.qdqRanges.get(y);
    if (r && !log.qdqRanges.has(x)) log.qdqRanges.set(x, r);
    if (g.outputs.includes(y) && !g.inputs.includes(x)) {
      if (log.qdqRanges.has(x)) log.qdqRanges.set(y, log.qdqRanges.get(x)!);
      // Keep the output's name: the producer of x writes y instead.
      const p = g.nodes.find((m) => m.outputs.includes(x))!;
      p.outputs = p.outputs.map((o) => (o === x ? y : o));
      for (const m of g.nodes) m.inputs = m.inputs.map((i) => (i === x ? y : i));
      g.tensors.delete(x);
    } else {
      rename(g, y, x);
      g.tensors.delete(y);
    }
    log.removed.push(n.name);
  }
}

function matmulToDense(g: IrGraph): void {
  for (const n of g.nodes) if (n.op === 'matmul' && isConstant(g, n.inputs[1]!)) n.op = 'dense';
}

/** Multiplies the last axis of a constant by s and returns a new constant name. */
function scaleLastAxis(g: IrGraph, name: string, s: Float64Array, suffix: string): string {
  const t = tensorOf(g, name);
  const c = s.length;
  const data = new Float32Array(t.data!.length);
  for (let i = 0; i < data.length; i++) data[i] = t.data![i]! * s[i % c]!;
  const out = `${name}${suffix}`;
  g.tensors.set(out, { name: out, shape: [...t.shape], data });
  return out;
}

function bnAffine(g: IrGraph, bn: IrNode): { scale: Float64Array; shift: Float64Array } {
  const [, gamma, beta, mean, variance] = bn.inputs;
  const m = tensorOf(g, mean!).data!;
  const v = tensorOf(g, variance!).data!;
  const ga = gamma ? tensorOf(g, gamma).data : undefined;
  const be = beta ? tensorOf(g, beta).data : undefined;
  const eps = bn.attrs.epsilon ?? 1e-3;
  const scale = new Float64Array(m.length);
  const shift = new Float64Array(m.length);
  for (let c = 0; c < m.length; c++) {
    scale[c] = (ga ? ga[c]! : 1) / Math.sqrt(v[c]! + eps);
    shift[c] = (be ? be[c]! : 0) - m[c]! * scale[c]!;
  }
  return { scale, shift };
}

function foldBatchNorm(g: IrGraph, log: PassLog): void {
  for (const bn of [...g.nodes]) {
    if (bn.op !== 'batchnorm') continue;
    const uses = consumers(g);
    const x = bn.inputs[0]!;
    const p = g.nodes.find((m) => m.outputs.includes(x));
    const { scale, shift } = bnAffine(g, bn);
    const foldable =
      p && (p.op === 'conv2d' || p.op === 'depthwise' || p.op === 'dense') && (p.attrs.activation ?? 'none') === 'none' &&
      uses.get(x)?.length === 1 && !g.outputs.includes(x);
    if (foldable) {
      // y = (W x + b) * s + t  →  W' = W * s (per output channel), b' = b * s + t.
      p.inputs[1] = scaleLastAxis(g, p.inputs[1]!, scale, `/bn`);
      const oc = scale.length;
      const bias = new Float32Array(oc);
      const old = p.inputs[2] ? tensorOf(g, p.inputs[2]).data! : undefined;
      for (let c = 0; c < oc; c++) bias[c] = (old ? old[c]! : 0) * scale[c]! + shift[c]!;
      const bname = `${p.name}/bias_bn`;
      g.tensors.set(bname, { name: bname, shape: [oc], data: bias });
      p.inputs[2] = bname;
      p.outputs = [bn.outputs[0]!];
      p.source = [...(p.source ?? []), ...(bn.source ?? [bn.name])];
      g.tensors.delete(x);
      g.nodes.splice(g.nodes.indexOf(bn), 1);
      log.folded.push(`${bn.name} → ${p.name}`);
      continue;
    }
    // Alone: an affine per channel, as a 1x1 depthwise conv (images) or a diagonal dense (vectors).
    const xs = tensorOf(g, x).shape;
    const c = scale.length;
    const bname = `${bn.name}/shift`;
    g.tensors.set(bname, { name: bname, shape: [c], data: Float32Array.from(shift) });
    let kname = `${bn.name}/scale`;
    if (xs.length === 3) {
      g.tensors.set(kname, { name: kname, shape: [1, 1, c], data: Float32Array.from(scale) });
      Object.assign(bn, { op: 'depthwise', inputs: [x, kname, bname], attrs: { strides: [1, 1], padding: 'valid', multiplier: 1, activation: 'none' } });
    } else {
      const k = new Float32Array(c * c);
      for (let i = 0; i < c; i++) k[i * c + i] = scale[i]!;
      kname = `${bn.name}/diag`;
      g.tensors.set(kname, { name: kname, shape: [c, c], data: k });
      Object.assign(bn, { op: 'dense', inputs: [x, kname, bname], attrs: { activation: 'none' } });
    }
    void size;
    log.folded.push(`${bn.name} → per-channel affine`);
  }
}

function fuseActivations(g: IrGraph, log: PassLog): void {
  for (const a of [...g.nodes]) {
    if (a.op !== 'activation' || (a.attrs.fn !== 'relu' && a.attrs.fn !== 'relu6')) continue;
    const uses = consumers(g);
    const x = a.inputs[0]!;
    const p = g.nodes.find((m) => m.outputs.includes(x));
    if (!p || !['conv2d', 'depthwise', 'dense', 'add', 'sub', 'mul'].includes(p.op)) continue;
    if ((p.attrs.activation ?? 'none') !== 'none' || uses.get(x)?.length !== 1 || g.outputs.includes(x)) continue;
    p.attrs.activation = a.attrs.fn;
    if (p.name === `${a.name}/linear`) p.name = a.name;
    p.outputs = [a.outputs[0]!];
    p.source = [...(p.source ?? []), ...(a.source ?? [a.name])];
    g.tensors.delete(x);
    g.nodes.splice(g.nodes.indexOf(a), 1);
    log.fused.push(`${a.name} → ${p.name}`);
  }
}
