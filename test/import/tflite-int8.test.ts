// int8 TFLite ops beyond the example models: HARD_SWISH and LEAKY_RELU as
// tables that run TFLite's reference integer arithmetic on every input, and
// constant operands of ADD, MUL and CONCATENATION — in a model built in
// memory, packed, and run on the reference interpreter and every build.
import { describe, expect, it } from 'vitest';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { hardSwishInt8Table, leakyReluInt8Table } from '../../quantize/import/tflite/tables.js';
import { importTfliteInt8 } from '../../quantize/import/tflite/int8.js';
import { BuiltinOp, BUILTIN_NAMES, TfliteType, type TfliteModel, type TfliteOperator, type TfliteTensor } from '../../quantize/import/tflite/reader.js';

const hs = (x: number) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6;

describe('int8 HARD_SWISH and LEAKY_RELU tables', () => {
  const quants = [
    [{ scale: 0.05, zeroPoint: -3 }, { scale: 0.03, zeroPoint: -100 }],
    [{ scale: 0.1, zeroPoint: 20 }, { scale: 0.07, zeroPoint: -90 }],
    [{ scale: 0.02, zeroPoint: 0 }, { scale: 0.02, zeroPoint: -120 }],
    [{ scale: 0.3, zeroPoint: -128 }, { scale: 0.25, zeroPoint: -110 }],
  ] as const;
  it.each(quants)('hard swish within one step of the float function (in %o)', (i, o) => {
    const t = hardSwishInt8Table(i, o);
    for (let v = -128; v <= 127; v++) {
      const want = Math.max(-128, Math.min(127, Math.round(hs((v - i.zeroPoint) * i.scale) / o.scale) + o.zeroPoint));
      expect(Math.abs(t[v + 128]! - want), `x=${v}`).toBeLessThanOrEqual(1);
    }
  });

  it.each(quants)('leaky ReLU within one step of the float function (in %o)', (i, o) => {
    for (const alpha of [0, 0.1, 0.2, 0.5, 1.3]) {
      const t = leakyReluInt8Table(i, o, alpha);
      for (let v = -128; v <= 127; v++) {
        const x = (v - i.zeroPoint) * i.scale;
        const want = Math.max(-128, Math.min(127, Math.round((x > 0 ? x : alpha * x) / o.scale) + o.zeroPoint));
        expect(Math.abs(t[v + 128]! - want), `alpha ${alpha}, x=${v}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('leaky ReLU on a shared scale: identity above zero, exact halving below', () => {
    const q = { scale: 0.1, zeroPoint: 0 };
    const t = leakyReluInt8Table(q, q, 0.5);
    expect(t[10 + 128]).toBe(10);
    expect(t[-10 + 128]).toBe(-5);
    expect(t[-11 + 128]).toBe(-5); // -5.5: gemmlowp's SRDHM rounds a negative half toward zero
    expect(t[127 + 128]).toBe(127);
  });
});

/** A TFLite model object built in memory (what readTflite returns). */
function memoryModel(tensors: Omit<TfliteTensor, 'index' | 'isVariable'>[], buffers: Uint8Array[], ops: [number, number[], number[]][], inputs: number[], outputs: number[], options: Map<number, Record<number, number>> = new Map()): TfliteModel {
  const operators: TfliteOperator[] = ops.map(([builtin, ins, outs], index) => ({ index, builtin, opName: BUILTIN_NAMES[builtin] ?? 'CUSTOM', version: 1, inputs: ins, outputs: outs, optionsPos: -1 }));
  return {
    version: 3, description: 'memory',
    subgraphs: [{ name: 'main', tensors: tensors.map((t, index) => ({ ...t, index, isVariable: false })), inputs, outputs, operators }],
    buffers,
    option: (op, slot, _kind, fallback) => options.get(op.index)?.[slot] ?? fallback,
    optionInts: () => undefined,
  } as TfliteModel;
}

const q = (scale: number, zeroPoint: number) => ({ scale: Float32Array.of(scale), zeroPoint: [zeroPoint], quantizedDimension: 0 });

describe('int8 TFLite: HARD_SWISH, LEAKY_RELU and constant operands', () => {
  const I8 = TfliteType.INT8;
  const model = memoryModel(
    [
      { name: 'x', shape: [1, 2, 8], type: I8, buffer: 0, quant: q(0.05, -10) },
      { name: 'leaky', shape: [1, 2, 8], type: I8, buffer: 0, quant: q(0.04, -40) },
      { name: 'hswish', shape: [1, 2, 8], type: I8, buffer: 0, quant: q(0.03, -90) },
      { name: 'c_add', shape: [8], type: I8, buffer: 1, quant: q(0.02, 5) },
      { name: 'added', shape: [1, 2, 8], type: I8, buffer: 0, quant: q(0.04, -60) },
      { name: 'c_mul', shape: [1, 1, 8], type: I8, buffer: 2, quant: q(0.01, 0) },
      { name: 'scaled', shape: [1, 2, 8], type: I8, buffer: 0, quant: q(0.03, -50) },
      { name: 'c_cat', shape: [1, 2, 3], type: I8, buffer: 3, quant: q(0.03, -50) },
      { name: 'y', shape: [1, 2, 11], type: I8, buffer: 0, quant: q(0.03, -50) },
    ],
    [
      new Uint8Array(0),
      Uint8Array.from(Int8Array.from([-20, -5, 0, 7, 30, 60, 100, 127])),
      Uint8Array.from(Int8Array.from([100, 50, -100, 127, 1, 80, -60, 90])),
      Uint8Array.from(Int8Array.from([-50, 0, 100, 127, -128, 3])),
    ],
    [
      [BuiltinOp.LEAKY_RELU, [0], [1]],
      [BuiltinOp.HARD_SWISH, [1], [2]],
      [BuiltinOp.ADD, [3, 2], [4]],
      [BuiltinOp.MUL, [4, 5], [6]],
      [BuiltinOp.CONCATENATION, [6, 7], [8]],
    ],
    [0], [8],
    new Map([[0, { 0: 0.25 }], [4, { 0: 2 }]]),
  );

  it('imports with TFLite-arithmetic tables and constant operands; every build matches the reference', async () => {
    const g = importTfliteInt8(model, 'memory');
    expect(g.ops.map((o) => o.name)).toEqual(['LOOKUP', 'LOOKUP', 'ADD', 'MUL', 'CONCATENATION']);
    const tables = g.ops.slice(0, 2).map((o) => Array.from(new Int8Array(g.tensor(o.inputs[1]!).data!.buffer)));
    expect(tables[0]).toEqual(Array.from(leakyReluInt8Table({ scale: 0.05, zeroPoint: -10 }, { scale: 0.04, zeroPoint: -40 }, 0.25)));
    expect(tables[1]).toEqual(Array.from(hardSwishInt8Table({ scale: 0.04, zeroPoint: -40 }, { scale: 0.03, zeroPoint: -90 })));
    const bytes = g.pack().bytes;
    const x = Int8Array.from({ length: 16 }, (_, i) => i * 16 - 128);
    const want = Array.from(runReference(readMnw(bytes), [x]).outputs[0] as Int8Array);
    // The constant concatenated part comes through unchanged.
    expect(want.slice(8, 11)).toEqual([-50, 0, 100]);
    // Float check of the whole chain on one element.
    const xf = (x[3]! + 10) * 0.05;
    const lr = xf > 0 ? xf : 0.25 * xf;
    const f = (hs(lr) + (7 - 5) * 0.02) * (127 * 0.01); // + c_add[3], * c_mul[3]
    expect(Math.abs((want[3]! + 50) * 0.03 - f)).toBeLessThan(0.1);
    for (const build of BUILDS) {
      const m = await loadModel(bytes, { build });
      expect(Array.from(m.run(x)[0]!.raw as Int8Array), build).toEqual(want);
    }
  });
});
