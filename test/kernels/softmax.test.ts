import { describe, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { softmax } from '../../quantize/pack/ops/softmax.js';
import { checkKernel, EDGE_CHANNELS } from './tester.js';

describe('SOFTMAX kernel', () => {
  it('rows of many depths, scales and betas, every build matches the reference', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const depth = rng.pick([...EDGE_CHANNELS, 2, 10, 100, 1000]);
      const shape = rng.next() < 0.5 ? [rng.int(1, 4), depth] : [1, rng.int(1, 3), rng.int(1, 3), depth];
      const x = g.input('x', DType.INT8, shape, { scale: rng.logUniform(0.01, 0.5), zeroPoint: rng.int(-128, 127) });
      g.output(softmax(g, x, { beta: rng.pick([1, 1, 0.5, 2]) }), 'y');
      return g;
    }, { cases: 40 });
  });
});
