import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/format/crc32.js';
import { LoadCode, ModelFormatError } from '../../src/format/errors.js';
import { CRC_START, H } from '../../src/format/layout.js';
import { readMnw } from '../../src/format/reader.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { richGraph, sampleGraph, wasmBind } from './helpers.js';

const valid = sampleGraph().pack().bytes;

function restamp(bytes: Uint8Array): Uint8Array {
  const fileBytes = new DataView(bytes.buffer, bytes.byteOffset).getUint32(H.fileBytes, true);
  if (fileBytes <= bytes.length && fileBytes >= CRC_START)
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(H.crc32, crc32(bytes, CRC_START, fileBytes), true);
  return bytes;
}

function flip(bytes: Uint8Array, bits: number[]): Uint8Array {
  const out = bytes.slice();
  for (const b of bits) out[(b >> 3) % out.length] ^= 1 << (b & 7);
  return out;
}

/** Either a parsed file or a ModelFormatError with a known code; anything else fails the property. */
function readOutcome(bytes: Uint8Array): 'ok' | string {
  try {
    readMnw(bytes);
    return 'ok';
  } catch (e) {
    if (!(e instanceof ModelFormatError)) throw e;
    expect(Object.keys(LoadCode)).toContain(e.code);
    expect(e.message.length).toBeGreaterThan(10);
    return e.code;
  }
}

describe('.mnw reader', () => {
  it('round-trips what the writer wrote', () => {
    const f = readMnw(valid);
    expect(f.inputs).toEqual([0]);
    expect(f.tensors[0]!.shape).toEqual([1, 4, 4, 3]);
    expect(f.tensors[0]!.scale).toBeCloseTo(0.02, 7);
    expect(f.tensors[0]!.zeroPoint).toBe(-3);
    expect(Array.from(f.tensors[1]!.perChannel!.scales)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(f.metadata.labels).toEqual(['a', 'b', 'c']);
    expect(f.metadata.tensorNames).toEqual(['x', 'w', 'flat']);
    expect(f.ops).toHaveLength(1);
    expect(f.tensors[2]!.offset).toBe(f.tensors[0]!.offset);
  });

  it('names the problem: magic, version, checksum, truncation', () => {
    const bad = valid.slice();
    bad[0] = 0;
    expect(() => readMnw(bad)).toThrow(/not a \.mnw file/);
    const v2 = valid.slice();
    v2[H.versionMajor] = 2;
    expect(() => readMnw(restamp(v2))).toThrow(expect.objectContaining({ code: 'E_VERSION' }));
    const damaged = valid.slice();
    damaged[valid.length - 3] ^= 4;
    expect(() => readMnw(damaged)).toThrow(expect.objectContaining({ code: 'E_CHECKSUM' }));
    expect(() => readMnw(valid.subarray(0, valid.length - 4))).toThrow(expect.objectContaining({ code: 'E_TRUNCATED' }));
    expect(() => readMnw(valid.subarray(0, 10))).toThrow(expect.objectContaining({ code: 'E_TRUNCATED' }));
  });

  it('bit flips: a typed error or a correct load, never anything else', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(valid.length * 8 - 1), { minLength: 1, maxLength: 4 }), (bits) => {
        const outcome = readOutcome(flip(valid, bits));
        // Without re-stamping, the checksum catches every flip inside the covered range.
        if (bits.some((b) => b >> 3 >= CRC_START)) expect(outcome).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  it('bit flips with a recomputed checksum reach the deeper checks', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(valid.length * 8 - 1), { minLength: 1, maxLength: 3 }), (bits) => {
        seen.add(readOutcome(restamp(flip(valid, bits))));
      }),
      { numRuns: 600 },
    );
    // The deeper checks fire, not only the checksum.
    expect([...seen].filter((c) => c !== 'ok' && c !== 'E_CHECKSUM').length).toBeGreaterThan(3);
  });

  it('truncation at any length is E_TRUNCATED or another typed error', () => {
    for (let n = 0; n < valid.length; n++) expect(readOutcome(valid.subarray(0, n))).not.toBe('ok');
  });
});

describe('wasm loader on hostile files', () => {
  it.each(BUILDS)('%s: agrees with the TypeScript reader, never traps', async (build) => {
    const rng = fc.sample(fc.uniqueArray(fc.nat(valid.length * 8 - 1), { minLength: 1, maxLength: 3 }), { numRuns: 400, seed: 42 });
    let rejected = 0;
    for (const bits of rng) {
      const bytes = restamp(flip(valid, bits));
      const ts = readOutcome(bytes);
      const wasm = await wasmBind(bytes, build); // a trap would throw here and fail the test
      if (ts === 'ok') {
        expect(wasm.code, `bits ${bits}`).toBe(0);
        expect(wasm.run!()).toBe(0);
      } else if (wasm.code === 0) {
        // The TS reader also checks metadata JSON, which the wasm loader does not read.
        expect(ts, `bits ${bits}: TS says ${ts}, wasm accepted`).toBe('E_METADATA');
      } else rejected++;
    }
    expect(rejected).toBeGreaterThan(50);
  });

  it.each(BUILDS)('%s: truncated files never trap', async (build) => {
    for (let n = 0; n < valid.length; n += 7) {
      const r = await wasmBind(valid.slice(0, n), build);
      expect(r.code).not.toBe(0);
    }
  });

  it.each(BUILDS)('%s: a model with most ops — mutated fields agree between the readers, never trap', async (build) => {
    const rich = (await richGraph()).pack().bytes;
    // Mutate the structure (header, tensor table, op list), where the checks live, not the weights.
    const structure = new DataView(rich.buffer, rich.byteOffset).getUint32(H.constOffset, true);
    const samples = fc.sample(fc.uniqueArray(fc.nat(structure * 8 - 1), { minLength: 1, maxLength: 2 }), { numRuns: 500, seed: 7 });
    let rejected = 0;
    for (const bits of samples) {
      const bytes = restamp(flip(rich, bits));
      const ts = readOutcome(bytes);
      const wasm = await wasmBind(bytes, build);
      if (ts === 'ok') {
        expect(wasm.code, `bits ${bits}`).toBe(0);
        expect(wasm.run!()).toBe(0);
      } else if (wasm.code === 0) expect(ts, `bits ${bits}: TS says ${ts}, wasm accepted`).toBe('E_METADATA');
      else rejected++;
    }
    expect(rejected).toBeGreaterThan(150);
  });

  it.each(BUILDS)('%s: conv geometry whose furthest tap overflows int32 is refused like the TypeScript reader does', async (build) => {
    const { conv2dMinScratchBytes } = await import('../../quantize/pack/ops/conv_2d.js');
    const { GraphBuilder } = await import('../../quantize/pack/graph.js');
    const { DType } = await import('../../src/format/dtypes.js');
    const g = new GraphBuilder();
    const x = g.input('x', DType.INT8, [1, 3, 5, 4], { scale: 1, zeroPoint: 0 });
    const w = g.constant('w', DType.INT8, [4, 3, 3, 4], new Int8Array(144).fill(1));
    const m = g.constant('m', DType.INT32, [4], new Int32Array(4).fill(1 << 30));
    const s = g.constant('s', DType.INT32, [4], new Int32Array(4).fill(-1));
    const y = g.activation('y', DType.INT8, [1, 40000, 2, 4], { scale: 1, zeroPoint: 0 });
    const params = { strideH: 65535, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, inputOffset: 0, filterOffset: 0, outputOffset: 0, actMin: -128, actMax: 127 };
    g.addOp('CONV_2D', [x, w, undefined, m, s], [y], params, { temps: [g.scratch('t', conv2dMinScratchBytes([4, 3, 3, 4]))] });
    g.output(y);
    const bytes = g.pack().bytes;
    expect(readOutcome(bytes)).toBe('E_SHAPE');
    expect((await wasmBind(bytes, build, 1 << 22)).code).toBe(LoadCode.E_SHAPE);
  });

  it('loadModel reports the typed error for damaged files', async () => {
    const bad = valid.slice();
    bad[valid.length - 1] ^= 1;
    await expect(loadModel(bad)).rejects.toMatchObject({ code: 'E_CHECKSUM' });
    await expect(loadModel(new Uint8Array(3))).rejects.toBeInstanceOf(ModelFormatError);
  });
});
