import { describe, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { mul } from '../../quantize/pack/ops/mul.js';
import { checkKernel, EDGE_CHANNELS, type Rng } from './tester.js';

function shapes(rng: Rng): [number[], number[]] {
  const full = [rng.int(1, 2), rng.int(1, 5), rng.int(1, 5), rng.pick(EDGE_CHANNELS)].slice(rng.int(0, 2));
  const kind = rng.int(0, 4);
  if (kind === 0) return [full, [...full]];
  if (kind === 1) return [full, [full[full.length - 1]!]];
  if (kind === 2) return [[1], full];
  if (kind === 3) return [full.map((d) => (rng.next() < 0.5 ? 1 : d)), full];
  return [full, full.map((d) => (rng.next() < 0.5 ? 1 : d))];
}

describe('MUL kernel', () => {
  it('int8, broadcasting, fused activations, every build matches the reference', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const [sa, sb] = shapes(rng);
      const qa = { scale: rng.logUniform(0.005, 0.2), zeroPoint: rng.int(-128, 127) };
      const qb = { scale: rng.logUniform(0.005, 0.2), zeroPoint: rng.int(-128, 127) };
      const a = g.input('a', DType.INT8, sa, qa);
      const b = g.input('b', DType.INT8, sb, qb);
      const out = { scale: qa.scale * qb.scale * rng.logUniform(30, 500), zeroPoint: rng.int(-128, 127) };
      g.output(mul(g, a, b, { ...out, activation: rng.pick(['none', 'relu', 'relu6'] as const) }), 'y');
      return g;
    }, { cases: 40 });
  });
});
