import { describe, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { FUNCTIONS, logisticInt8Table, lookup, lookupFunction } from '../../quantize/pack/ops/lookup.js';
import { checkKernel, EDGE_CHANNELS } from './tester.js';

const names = Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[];

describe('LOOKUP kernel', () => {
  it('int8 tables, odd sizes around the vector width', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const shape = [rng.int(1, 3), rng.int(1, 7), rng.pick(EDGE_CHANNELS)];
      const x = g.input('x', DType.INT8, shape, { scale: rng.logUniform(0.01, 0.1), zeroPoint: rng.int(-128, 127) });
      const y = rng.next() < 0.2
        ? lookup(g, x, logisticInt8Table(g.tensor(x)), { scale: 1 / 256, zeroPoint: -128 })
        : lookupFunction(g, x, FUNCTIONS[rng.pick(names)], { scale: rng.logUniform(0.01, 0.1), zeroPoint: rng.int(-128, 127) });
      g.output(y, 'y');
      return g;
    }, { cases: 30 });
  });
  it('int16 interpolated tables', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const shape = [rng.int(1, 3), rng.pick(EDGE_CHANNELS)];
      const x = g.input('x', DType.INT16, shape, { scale: rng.logUniform(1e-4, 1e-3), zeroPoint: 0 });
      g.output(lookupFunction(g, x, FUNCTIONS[rng.pick(['sigmoid', 'tanh', 'gelu', 'swish'] as const)], { scale: 1 / 32768, zeroPoint: 0 }), 'y');
      return g;
    }, { cases: 20, seed: 11 });
  });
  it('in place after a previous LOOKUP', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const x = g.input('x', DType.INT8, [rng.int(1, 50)], { scale: 0.05, zeroPoint: 0 });
      const t = lookupFunction(g, x, FUNCTIONS.tanh, { scale: 1 / 128, zeroPoint: 0 });
      g.output(lookupFunction(g, t, FUNCTIONS.sigmoid, { scale: 1 / 256, zeroPoint: -128 }), 'y');
      return g;
    }, { cases: 8, seed: 2 });
  });
});
