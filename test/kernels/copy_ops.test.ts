// CONCATENATION and PAD: copies, int8 and int16.
import { describe, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { concatenation } from '../../quantize/pack/ops/concatenation.js';
import { pad } from '../../quantize/pack/ops/pad.js';
import { checkKernel, EDGE_CHANNELS } from './tester.js';

describe('copy kernels', () => {
  it('CONCATENATION along every axis, 1 to 4 inputs, int8 and int16', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const dtype = rng.pick([DType.INT8, DType.INT16]);
      const rank = rng.int(1, 4);
      const base = [rng.int(1, 3), rng.int(1, 5), rng.int(1, 5), rng.pick(EDGE_CHANNELS)].slice(4 - rank);
      const axis = rng.int(0, rank - 1);
      const q = { scale: 0.1, zeroPoint: dtype === DType.INT8 ? 3 : 0 };
      const xs = Array.from({ length: rng.int(1, 4) }, (_, k) => {
        const s = [...base];
        s[axis] = rng.pick([1, 2, 3, 16, 17]);
        return g.input(`x${k}`, dtype, s, q);
      });
      g.output(concatenation(g, xs, axis), 'y');
      return g;
    }, { cases: 40 });
  });
  it('PAD of ranks 1 to 4, int8 and int16', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const dtype = rng.pick([DType.INT8, DType.INT16]);
      const rank = rng.int(1, 4);
      const shape = [rng.int(1, 3), rng.int(1, 6), rng.int(1, 6), rng.pick(EDGE_CHANNELS)].slice(4 - rank);
      const x = g.input('x', dtype, shape, { scale: 0.1, zeroPoint: dtype === DType.INT8 ? rng.int(-128, 127) : 0 });
      const paddings = shape.map(() => [rng.int(0, 3), rng.int(0, 3)] as [number, number]);
      if (rng.next() < 0.3) paddings[rank - 1] = [0, 0];
      const padValue = rng.next() < 0.5 ? undefined : dtype === DType.INT8 ? rng.int(-128, 127) : rng.int(-32768, 32767);
      g.output(pad(g, x, paddings, { padValue }), 'y');
      return g;
    }, { cases: 40 });
  });
});
