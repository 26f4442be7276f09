import { describe, it } from 'vitest';
import { DType } from '../../src/format/dtypes.js';
import { GraphBuilder } from '../../quantize/pack/graph.js';
import { dequantize } from '../../quantize/pack/ops/dequantize.js';
import { quantize } from '../../quantize/pack/ops/quantize.js';
import { checkKernel, type Rng } from './tester.js';

const sizes = [1, 3, 4, 7, 8, 9, 15, 16, 17, 33, 100];

function q(rng: Rng, dtype: DType) {
  return dtype === DType.INT16
    ? { scale: rng.logUniform(1e-4, 1e-2), zeroPoint: 0 }
    : { scale: rng.logUniform(0.005, 0.2), zeroPoint: rng.int(-128, 127) };
}

describe('QUANTIZE and DEQUANTIZE kernels', () => {
  it('float32 → int8/int16, including halves, NaN and infinities', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const x = g.input('x', DType.FLOAT32, [rng.pick(sizes)]);
      const dt = rng.pick([DType.INT8, DType.INT16]);
      g.output(quantize(g, x, dt, q(rng, dt)), 'y');
      return g;
    }, {
      cases: 30,
      inputs: (file, rng) => {
        const t = file.tensors[file.inputs[0]!]!;
        const s = file.tensors[file.outputs[0]!]!.scale;
        const a = new Float32Array(t.shape[0]!);
        for (let i = 0; i < a.length; i++) {
          const k = rng.int(0, 9);
          a[i] = k === 0 ? (rng.int(-300, 300) + 0.5) * s : k === 1 ? rng.pick([NaN, Infinity, -Infinity, 1e30, -1e30, 0, -0]) : (rng.next() * 2 - 1) * 200 * s;
        }
        return [a];
      },
    });
  });
  it('requantize int8/int16 → int8/int16', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const di = rng.pick([DType.INT8, DType.INT16]);
      const dout = rng.pick([DType.INT8, DType.INT16]);
      const x = g.input('x', di, [rng.int(1, 3), rng.pick(sizes)], q(rng, di));
      g.output(quantize(g, x, dout, q(rng, dout)), 'y');
      return g;
    }, { cases: 30 });
  });
  it('dequantize int8/int16 → float32', async () => {
    await checkKernel((rng) => {
      const g = new GraphBuilder();
      const di = rng.pick([DType.INT8, DType.INT16]);
      const x = g.input('x', di, [rng.pick(sizes)], q(rng, di));
      g.output(dequantize(g, x), 'y');
      return g;
    }, { cases: 20 });
  });
});
