import { describe, expect, it } from 'vitest';
import { checkKernel } from './tester.js';
import { convGraph, nearTieRequant, smallWeights } from './conv_cases.js';

describe('CONV_2D kernels match the reference on every build', () => {
  it('random shapes, strides, dilations, padding, offsets', async () => {
    const r = await checkKernel((rng, i) => convGraph(rng, 'CONV_2D', i % 4 === 3 ? { scratch: { bandRows: rng.int(1, 3) } } : {}), { cases: 120, seed: 1 });
    expect(r.compared).toBeGreaterThan(0);
  });
  it('pointwise on the 4x2 GEMM (the least scratch, as older files have, or none), rows and channels at tile edges', async () => {
    await checkKernel((rng, i) => convGraph(rng, 'CONV_2D', { kh: 1, kw: 1, stride: 1, dilation: 1, pad: 0, scratch: i % 2 ? 'gemm' : false }), { cases: 60, seed: 2 });
  });
  it('pointwise with output channels in lanes: K below, at and past steps of 8, fewer than 8 channels, filter offsets, weights packed once or per block of rows', async () => {
    await checkKernel(
      (rng) => convGraph(rng, 'CONV_2D', {
        kh: 1, kw: 1, stride: 1, dilation: 1, pad: 0, ic: rng.pick([1, 3, 7, 8, 9, 16, 24, 32, 33, 64, 100]),
        oc: rng.pick([1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 40]),
        scratch: rng.pick([true, true, { rows: 4, all: false }, { rows: 8, all: false }, { rows: 4, all: true }, { rows: 12, all: true }]),
      }),
      { cases: 80, seed: 5 },
    );
  });
  it('results on and near rounding ties, pointwise and 3x3 (the f32 fast path must hand these to the exact one)', async () => {
    await checkKernel(
      (rng, i) => convGraph(rng, 'CONV_2D', {
        ...(i % 2 ? { kh: 1, kw: 1, stride: 1, dilation: 1, pad: 0, ic: rng.pick([8, 16, 24]) } : { kh: 3, kw: 3, pad: 1, stride: 1, dilation: 1 }),
        filterOffset: 0, h: rng.int(2, 10), w: rng.int(2, 10), weights: smallWeights, requant: nearTieRequant,
      }),
      { cases: 60, seed: 6 },
    );
  });
  it('one input channel, 3x3 (padded input rows, odd runs; without scratch, a depthwise convolution with multiplier OC), up to and past 256 channels', async () => {
    await checkKernel(
      (rng, i) => convGraph(rng, 'CONV_2D', {
        ic: 1, kh: 3, kw: 3, oc: rng.pick([1, 7, 8, 9, 16, 17, 33, 256, 257]), filterOffset: i % 5 === 0 ? rng.int(-255, 255) : 0,
        h: rng.int(3, 12), w: rng.int(3, 12), scratch: i % 2 === 0,
      }),
      { cases: 40, seed: 7 },
    );
  });
  it('one input channel, 3x3, without scratch, extreme values (-128 and ±127 weights and inputs) on the depthwise path', async () => {
    const extremes = [-128, -127, 127];
    await checkKernel(
      (rng, i) => convGraph(rng, 'CONV_2D', {
        ic: 1, kh: 3, kw: 3, oc: rng.pick([8, 16, 24]), filterOffset: 0, pad: rng.int(0, 1), stride: rng.pick([1, 2]), dilation: 1, h: rng.int(3, 10), w: rng.int(3, 10), scratch: false,
        weights: (r, n) => Int8Array.from({ length: n }, () => r.pick(i % 2 ? extremes : extremes.slice(1))),
      }),
      {
        cases: 20, seed: 8,
        inputs: (file) => [Int8Array.from({ length: file.tensors[file.inputs[0]!]!.shape.reduce((a, b) => a * b, 1) }, (_, j) => (j % 3 ? -128 : 127))],
      },
    );
  });
  it('pointwise with input offset 128 and filter offset 0, with and without scratch (relaxed builds with an exact u8 dot take the rows as u8)', async () => {
    await checkKernel(
      (rng, i) => convGraph(rng, 'CONV_2D', {
        kh: 1, kw: 1, stride: 1, pad: 0, dilation: 1, inputZeroPoint: -128, filterOffset: 0, scratch: i % 2 === 0,
        ic: rng.pick([8, 15, 16, 17, 32, 33, 64]), h: rng.int(1, 6), w: rng.int(1, 6),
      }),
      { cases: 40, seed: 9 },
    );
  });
  it('wide inputs, many tiles per output row', async () => {
    await checkKernel((rng) => convGraph(rng, 'CONV_2D', { h: rng.int(6, 14), w: rng.int(8, 20), dilation: 1, scratch: true, filterOffset: 0, n: 1 }), { cases: 40, seed: 4 });
  });
  it('3x3 same padding with every scratch (padded input rows in one or several bands; packed rows with the weights packed once or per block; too little; none), filter offsets', async () => {
    const scratch = [true, { bandRows: 1 }, { bandRows: 2 }, { rows: 4, all: false }, { rows: 8, all: true }, 'gemm', false] as const;
    await checkKernel((rng, i) => convGraph(rng, 'CONV_2D', { kh: 3, kw: 3, pad: 1, stride: 1, dilation: 1, scratch: scratch[i % 7], filterOffset: i % 3 === 0 ? rng.int(-255, 255) : 0 }), { cases: 70, seed: 3 });
  });
});

describe('conv-like kernels on hostile geometry', () => {
  it('huge strides, pads and dilations with an oversized output are refused or run without trapping on any build', async () => {
    const { GraphBuilder } = await import('../../quantize/pack/graph.js');
    const { DType } = await import('../../src/format/dtypes.js');
    const { conv2dMinScratchBytes } = await import('../../quantize/pack/ops/conv_2d.js');
    const { loadModel } = await import('../../src/runtime/host.js');
    const { BUILDS } = await import('../../src/runtime/wasm.js');
    for (const kind of ['CONV_2D', 'DEPTHWISE_CONV_2D'] as const) {
      for (const [s, d, p] of [[65535, 1, 0], [65535, 65535, 65535], [1, 65535, 3], [40000, 3, 65535]]) {
        const g = new GraphBuilder();
        const c = 16;
        const x = g.input('x', DType.INT8, [1, 3, 5, c], { scale: 1, zeroPoint: 0 });
        const fshape = kind === 'CONV_2D' ? [c, 3, 3, c] : [1, 3, 3, c];
        const w = g.constant('w', DType.INT8, fshape, new Int8Array(fshape.reduce((a, b) => a * b, 1)).fill(1));
        const m = g.constant('m', DType.INT32, [c], new Int32Array(c).fill(1 << 30));
        const sh = g.constant('s', DType.INT32, [c], new Int32Array(c).fill(-1));
        const y = g.activation('y', DType.INT8, [1, 40000, 2, c], { scale: 1, zeroPoint: 0 });
        const params = { strideH: s!, strideW: s!, dilationH: d!, dilationW: d!, padTop: p!, padLeft: p!, inputOffset: 0, filterOffset: 0, outputOffset: 0, actMin: -128, actMax: 127 };
        if (kind === 'CONV_2D') g.addOp(kind, [x, w, undefined, m, sh], [y], params, { temps: [g.scratch('t', conv2dMinScratchBytes(fshape))] });
        else g.addOp(kind, [x, w, undefined, m, sh], [y], { ...params, depthMultiplier: 1 });
        g.output(y);
        const bytes = g.pack().bytes;
        // Geometry whose furthest tap overflows int32 is refused at load; the rest runs without trapping.
        const reach = (40000 - 1) * s! + 2 * d!;
        if (reach > 0x7fffffff) {
          const { readMnw } = await import('../../src/format/reader.js');
          expect(() => readMnw(bytes)).toThrow(expect.objectContaining({ code: 'E_SHAPE' }));
          continue;
        }
        for (const build of BUILDS) {
          const model = await loadModel(bytes, { build });
          expect(() => model.run([new Int8Array(3 * 5 * c).fill(1)])).not.toThrow();
          model.dispose();
        }
      }
    }
  });
});

describe('CONV_2D scratch', () => {
  it('a scratch tensor smaller than the kernel needs is refused by both readers', async () => {
    const { GraphBuilder } = await import('../../quantize/pack/graph.js');
    const { DType } = await import('../../src/format/dtypes.js');
    const { conv2dMinScratchBytes } = await import('../../quantize/pack/ops/conv_2d.js');
    const { readMnw } = await import('../../src/format/reader.js');
    const { loadModel } = await import('../../src/runtime/host.js');
    const make = (bytes: number) => {
      const g = new GraphBuilder();
      const x = g.input('x', DType.INT8, [1, 4, 4, 3], { scale: 1, zeroPoint: 0 });
      const w = g.constant('w', DType.INT8, [2, 3, 3, 3], new Int8Array(54));
      const m = g.constant('m', DType.INT32, [2], new Int32Array(2).fill(1 << 30));
      const s = g.constant('s', DType.INT32, [2], new Int32Array(2));
      const y = g.activation('y', DType.INT8, [1, 2, 2, 2], { scale: 1, zeroPoint: 0 });
      g.addOp('CONV_2D', [x, w, undefined, m, s], [y],
        { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, inputOffset: 0, filterOffset: 0, outputOffset: 0, actMin: -128, actMax: 127 },
        { temps: [g.scratch('t', bytes)] });
      g.output(y);
      return g.pack().bytes;
    };
    const need = conv2dMinScratchBytes([2, 3, 3, 3]);
    expect(need).toBe(8 * 32);
    expect(() => readMnw(make(need))).not.toThrow();
    expect(() => readMnw(make(need - 1))).toThrow(/scratch/);
    await expect(loadModel(make(need - 1), { build: 'simd' })).rejects.toMatchObject({ code: 'E_SHAPE' });
    await expect(loadModel(make(need - 1), { build: 'scalar' })).rejects.toMatchObject({ code: 'E_SHAPE' });
  });

  it('over the arena budget, the packer cuts convolution scratch to its least; the model still runs exactly on every build', async () => {
    const { GraphBuilder, PackError } = await import('../../quantize/pack/graph.js');
    const { DType } = await import('../../src/format/dtypes.js');
    const { conv2d } = await import('../../quantize/pack/ops/conv_2d.js');
    const { readMnw } = await import('../../src/format/reader.js');
    const { runReference } = await import('../../src/reference/interpreter.js');
    const { loadModel } = await import('../../src/runtime/host.js');
    const { BUILDS } = await import('../../src/runtime/wasm.js');
    const { Rng } = await import('./tester.js');
    const rng = new Rng(11);
    const make = () => {
      const g = new GraphBuilder();
      const x = g.input('x', DType.INT8, [1, 20, 20, 16], { scale: 0.05, zeroPoint: 3 });
      const filter = { data: rng.int8Array(24 * 3 * 3 * 16), shape: [24, 3, 3, 16], scales: [0.01] };
      const y = conv2d(g, x, filter, rng.int32Array(24, -1000, 1000), { padding: 'same', output: { scale: 0.2, zeroPoint: -5 }, name: 'conv' });
      g.output(y);
      return g;
    };
    const roomy = make().pack();
    expect(roomy.shrunk).toEqual([]);
    const budget = roomy.plan.arenaBytes - 4096;
    const tight = make().pack({ budgetArena: budget });
    expect(tight.shrunk).toEqual(['conv/scratch']);
    expect(tight.plan.arenaBytes).toBeLessThanOrEqual(budget);
    expect(() => make().pack({ budgetArena: 12000 })).toThrow(PackError);
    expect(() => make().pack({ budgetArena: 12000 })).toThrow(/with every scratch tensor at its least/);
    const file = readMnw(tight.bytes);
    const input = rng.int8Array(20 * 20 * 16);
    const want = runReference(file, [input]).outputs[0]!;
    for (const build of BUILDS) {
      const m = await loadModel(tight.bytes, { build });
      expect(Array.from(m.run([input])[0]!.raw), build).toEqual(Array.from(want));
      m.dispose();
    }
  });
});
