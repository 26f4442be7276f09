import { describe, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { add } from '../../quantize/pack/ops/add.js';
import { checkKernel, EDGE_CHANNELS, type Rng } from './tester.js';

/** A random ≤4-D shape and a second shape that broadcasts against it. */
function shapes(rng: Rng): [number[], number[]] {
  const full = [rng.int(1, 2), rng.int(1, 5), rng.int(1, 5), rng.pick(EDGE_CHANNELS)].slice(rng.int(0, 2));
  const kind = rng.int(0, 4);
  if (kind === 0) return [full, [...full]];
  if (kind === 1) return [full, [full[full.length - 1]!]]; // per-channel
  if (kind === 2) return [full, [1]]; // scalar
  if (kind === 3) return [full.map((d) => (rng.next() < 0.5 ? 1 : d)), full]; // input 1 broadcast
  return [full, full.map((d) => (rng.next() < 0.5 ? 1 : d))];
}

function graph(rng: Rng, dtype: DType, act: 'none' | 'relu' | 'relu6' = 'none'): GraphBuilder {
  const g = new GraphBuilder();
  const [sa, sb] = shapes(rng);
  const wide = dtype === DType.INT16;
  const q = () => ({ scale: rng.logUniform(wide ? 1e-4 : 0.005, wide ? 1e-2 : 0.5), zeroPoint: wide ? 0 : rng.int(-128, 127) });
  const qa = q();
  const qb = q();
  const a = g.input('a', dtype, sa, qa);
  const b = g.input('b', dtype, sb, qb);
  // An output scale near the sum's range, so that few results saturate.
  const out = { scale: (qa.scale + qb.scale) * rng.logUniform(0.3, 2), zeroPoint: q().zeroPoint };
  g.output(add(g, a, b, { ...out, activation: act }), 'y');
  return g;
}

describe('ADD kernel', () => {
  it('int8, broadcasting, every build matches the reference', async () => {
    await checkKernel((rng) => graph(rng, DType.INT8, rng.pick(['none', 'relu', 'relu6'] as const)), { cases: 40 });
  });
  it('int8 with many exact ties: every build matches the reference', async () => {
    // Output scale twice the inputs': the real sums land on half-integers, where
    // only the exact integer path may decide (f32 results there are not certified).
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const shape = [1, rng.int(1, 6), rng.int(1, 6), rng.pick(EDGE_CHANNELS)];
      const scale = rng.logUniform(0.01, 0.2);
      const q = () => ({ scale, zeroPoint: rng.int(-100, 100) });
      const a = g.input('a', DType.INT8, shape, q());
      const b = g.input('b', DType.INT8, shape, q());
      g.output(add(g, a, b, { scale: 2 * scale, zeroPoint: rng.int(-100, 100) }), 'y');
      return g;
    }, { cases: 15, seed: 11 });
  });
  it('int8, every pair of input values: every build matches the reference', async () => {
    // All 65536 (a, b) pairs under random quantizations, half of them tie-prone
    // (equal input scales, output scale twice theirs): the f32 evaluation must
    // agree with the integer arithmetic on every one, or hand the lane over.
    const all = (f: (i: number) => number) => Int8Array.from({ length: 65536 }, (_, i) => f(i));
    await checkKernel((rng, k) => {
      const g = new GraphBuilder();
      const s = rng.logUniform(0.005, 0.5);
      const q = () => ({ scale: k % 2 ? s : rng.logUniform(0.005, 0.5), zeroPoint: rng.int(-128, 127) });
      const qa = q();
      const qb = q();
      const a = g.input('a', DType.INT8, [65536], qa);
      const b = g.input('b', DType.INT8, [65536], qb);
      const scale = k % 2 ? 2 * s : (qa.scale + qb.scale) * rng.logUniform(0.3, 2);
      g.output(add(g, a, b, { scale, zeroPoint: rng.int(-128, 127), activation: rng.pick(['none', 'relu', 'relu6'] as const) }), 'y');
      return g;
    }, { cases: 8, seed: 5, inputs: () => [all((i) => (i >> 8) - 128), all((i) => (i & 255) - 128)] });
  });
  it('int16 (zero points 0)', async () => {
    await checkKernel((rng) => graph(rng, DType.INT16), { cases: 25, seed: 7 });
  });
  it('in place: output shares input 1 with an intermediate ADD', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const shape = [1, rng.int(1, 6), rng.int(1, 6), rng.pick(EDGE_CHANNELS)];
      const q = () => ({ scale: rng.logUniform(0.01, 0.3), zeroPoint: rng.int(-100, 100) });
      const a = g.input('a', DType.INT8, shape, q());
      const b = g.input('b', DType.INT8, shape, q());
      const t = add(g, a, b, q());
      g.output(add(g, t, b, q()), 'y');
      return g;
    }, { cases: 10, seed: 3 });
  });
});
