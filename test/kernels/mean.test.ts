import { describe, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { mean } from '../../quantize/pack/ops/mean.js';
import { checkKernel, EDGE_CHANNELS } from './tester.js';

describe('MEAN kernel', () => {
  it('over H and W, channels around 16, every build matches the reference', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const shape = [rng.int(1, 3), rng.int(1, 13), rng.int(1, 13), rng.pick(EDGE_CHANNELS)];
      const s = rng.logUniform(0.01, 0.2);
      const x = g.input('x', DType.INT8, shape, { scale: s, zeroPoint: rng.int(-128, 127) });
      g.output(mean(g, x, { scale: s * rng.logUniform(0.2, 3), zeroPoint: rng.int(-128, 127), keepDims: rng.next() < 0.5 }), 'y');
      return g;
    }, { cases: 40 });
  });
});
