// The quantize, inspect, run and eval commands through the CLI entry point:
// --json shapes, --help from the options table, and every bad input giving its
// typed error, a non-zero exit and no output file.
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../src/format/crc32.js';
import { lower } from '../../quantize/lower/lower.js';
import { encodeNpy } from '../../src/io/npy.js';
import type { IrGraph } from '../../quantize/ir/graph.js';
import { randomData, saveSmall, tempDir, writeNpy } from '../quantize/helpers.js';

const dir = tempDir();
let model: string;
let calib: string;
const shape = [12, 12, 3];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(() => {
  model = saveSmall('conv', dir).dir;
  calib = writeNpy(dir, 'calib.npy', randomData(40 * 432, 5), [40, ...shape]);
});

afterEach(() => {
  // No temporary or partial files anywhere in the test folder's output spots.
  for (const f of readdirSync(dir)) expect(f, 'temporary file left behind').not.toMatch(/\.tmp$/);
});

describe('minnow quantize', () => {
  it('--json prints the summary object and writes the file', async () => {
    const out = join(dir, 'ok.mnw');
    const r = await cli('quantize', model, '--calib', calib, '-o', out, '--json', '--layer-samples', '4', '--report', join(dir, 'r.html'));
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ['float', 'int8', 'fileBytes', 'floatBytes', 'arenaBytes', 'macs', 'layers']) expect(j).toHaveProperty(k);
    expect(j.float).toHaveProperty('metric');
    expect(j.int8).toHaveProperty('value');
    for (const l of j.layers) expect(Object.keys(l)).toEqual(expect.arrayContaining(['name', 'op', 'sqnrDb', 'cosine']));
    expect(readFileSync(out).length).toBe(j.fileBytes);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('--help comes from the options table', async () => {
    const r = await cli('quantize', '--help');
    expect(r.code).toBe(0);
    for (const o of ['--calib', '--method', '--per-tensor', '--int16', '--budget-arena', '--budget-flash', '--report', '--json']) expect(r.out).toContain(o);
  });

  const bad: [string, () => string[], string][] = [
    ['a missing model', () => ['quantize', join(dir, 'nope'), '--calib', calib], 'E_MODEL_MISSING'],
    ['a damaged model.json', () => {
      const d = join(dir, 'damaged');
      cpSync(model, d, { recursive: true });
      writeFileSync(join(d, 'model.json'), '{"format": "minnow-float", "layers": [');
      return ['quantize', d, '--calib', calib];
    }, 'E_MODEL_FORMAT'],
    ['truncated weights', () => {
      const d = join(dir, 'truncated');
      cpSync(model, d, { recursive: true });
      writeFileSync(join(d, 'weights.bin'), readFileSync(join(d, 'weights.bin')).subarray(0, 100));
      return ['quantize', d, '--calib', calib];
    }, 'E_MODEL_FORMAT'],
    ['an unknown layer type', () => {
      const d = join(dir, 'unknown');
      cpSync(model, d, { recursive: true });
      const j = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8'));
      j.layers[1].type = 'Capsule';
      writeFileSync(join(d, 'model.json'), JSON.stringify(j));
      return ['quantize', d, '--calib', calib];
    }, 'Capsule'],
    ['calibration data of the wrong shape', () => ['quantize', model, '--calib', writeNpy(dir, 'wrong.npy', randomData(4 * 100, 1), [4, 10, 10, 1])], 'E_DATA_SHAPE'],
    ['calibration data with NaN', () => {
      const x = randomData(4 * 432, 2);
      x[500] = NaN;
      return ['quantize', model, '--calib', writeNpy(dir, 'nan.npy', x, [4, ...shape])];
    }, 'E_DATA_NAN'],
    ['missing calibration data', () => ['quantize', model, '--calib', join(dir, 'none.npy')], 'E_DATA_MISSING'],
    ['int16 on a layer the runtime cannot run in int16', () => ['quantize', model, '--calib', calib, '--int16', 'conv2d_1'], 'E_INT16_UNSUPPORTED'],
    ['an arena budget that cannot be met', () => ['quantize', model, '--calib', calib, '--budget-arena', '1KB'], 'E_BUDGET'],
    ['a flash budget that cannot be met', () => ['quantize', model, '--calib', calib, '--budget-flash', '2000'], 'E_BUDGET'],
    ['an unknown method', () => ['quantize', model, '--calib', calib, '--method', 'magic'], 'E_OPTION'],
  ];
  for (const [what, argv, code] of bad) {
    it(`${what}: a clear error, exit 1, no output file`, async () => {
      const out = join(dir, `bad-${code}.mnw`);
      const r = await cli(...argv(), '-o', out);
      expect(r.code).toBe(1);
      expect(r.err).toContain(code);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('an arena budget below the default plan is met by cutting convolution scratch, and says so', async () => {
    const roomy = await cli('quantize', model, '--calib', calib, '-o', join(dir, 'roomy.mnw'));
    const arena = Number(/arena (\d+) bytes/.exec(roomy.out + roomy.err)![1]);
    const r = await cli('quantize', model, '--calib', calib, '--budget-arena', String(arena - 1), '-o', join(dir, 'tight.mnw'));
    expect(r.code).toBe(0);
    expect(r.out + r.err).toMatch(/to fit the arena budget, \d+ convolutions? got the least working space \(slower\): conv2d_\d\/scratch/);
    expect(Number(/arena (\d+) bytes/.exec(r.out + r.err)![1])).toBeLessThan(arena);
  });

  it('the budget error lists the largest tensors', async () => {
    const r = await cli('quantize', model, '--calib', calib, '--budget-arena', '100', '-o', join(dir, 'x.mnw'));
    // Largest first, with names and shapes; the conv's scratch (cut to its least) named as its working space.
    const sizes = [...r.err.matchAll(/^ {2}\S+ \[[\d,]+\] \w+: (\d+) bytes/gm)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(r.err).toMatch(/over the budget of 100 \(with every scratch tensor at its least\)/);
    expect(r.err).toMatch(/scratch \[\d+\] INT8: \d+ bytes \(the op's working space\)/);
  });

  it('an op the runtime has no kernel for fails at lowering, naming the layer and the fix', () => {
    const g: IrGraph = {
      name: 't', inputs: ['x'], outputs: ['y'], meta: {},
      tensors: new Map([['x', { name: 'x', shape: [2, 3] }], ['y', { name: 'y', shape: [3, 2] }]]),
      nodes: [{ name: 'swap', op: 'transpose', inputs: ['x'], outputs: ['y'], attrs: { perm: [1, 0] } }],
    };
    expect(() => lower(g, new Map([['x', [0, 1]], ['y', [0, 1]]]))).toThrow(/swap.*transpose.*TRANSPOSE/);
  });
});

describe('inspect, run, eval', () => {
  let file: string;
  beforeAll(async () => {
    file = join(dir, 'tools.mnw');
    const r = await cli('quantize', model, '--calib', calib, '-o', file, '-q', '--layer-samples', '2');
    expect(r.code, r.err).toBe(0);
  });

  it('inspect shows ops, tensors, quantization, arena and checksum (and --json)', async () => {
    const t = await cli('inspect', file);
    expect(t.code).toBe(0);
    for (const s of ['CONV_2D', 'arena layout', 'crc32:', 'scale', 'zero point']) expect(t.out).toContain(s);
    const j = JSON.parse((await cli('inspect', file, '--json')).out);
    expect(j.ops.length).toBeGreaterThan(3);
    expect(j.tensors[j.inputs[0].tensor].dtype).toBe('int8');
    expect(j.arenaBytes).toBeGreaterThan(0);
  });

  it('run --json: a float .npy is quantized, an int8 .npy is fed raw', async () => {
    const f = writeNpy(dir, 'one.npy', randomData(432, 9), shape);
    const a = JSON.parse((await cli('run', file, f, '--json')).out);
    expect(a.outputs[0]).toMatchObject({ name: expect.any(String), shape: [1, 5], dtype: 'int8' });
    expect(a.outputs[0].raw).toHaveLength(5);
    expect(a.outputs[0].values).toHaveLength(5);
    const j = JSON.parse((await cli('inspect', file, '--json')).out);
    const inp = j.inputs[0];
    const x = randomData(432, 9);
    const q = Int8Array.from(x, (v) => Math.max(-128, Math.min(127, Math.round(v / inp.scale) + inp.zeroPoint)));
    const qf = join(dir, 'one-int8.npy');
    writeFileSync(qf, encodeNpy(q, shape));
    const b = JSON.parse((await cli('run', file, qf, '--json')).out);
    expect(b.outputs[0].raw).toEqual(a.outputs[0].raw);
    const text = await cli('run', file, f);
    expect(text.out).toMatch(/\d\s+\d\.\d{4}/);
  });

  it('run takes a PNG (resized, scaled to [0, 1]) and a WAV', async () => {
    const chunk = (type: string, data: Uint8Array) => {
      const b = new Uint8Array(12 + data.length);
      const v = new DataView(b.buffer);
      v.setUint32(0, data.length);
      b.set(new TextEncoder().encode(type), 4);
      b.set(data, 8);
      v.setUint32(8 + data.length, crc32(b, 4, 8 + data.length));
      return b;
    };
    const w = 24, h = 24;
    const rows = new Uint8Array(h * (1 + w * 3));
    for (let y = 0; y < h; y++) for (let x = 0; x < w * 3; x++) rows[y * (1 + w * 3) + 1 + x] = (x * 7 + y * 13) & 255;
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, w);
    new DataView(ihdr.buffer).setUint32(4, h);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', new Uint8Array())]);
    writeFileSync(join(dir, 'img.png'), png);
    const r = JSON.parse((await cli('run', file, join(dir, 'img.png'), '--json')).out);
    expect(r.outputs[0].values).toHaveLength(5);
    const wav = Buffer.alloc(44 + 2000);
    wav.write('RIFF', 0); wav.writeUInt32LE(36 + 2000, 4); wav.write('WAVE', 8); wav.write('fmt ', 12);
    wav.writeUInt32LE(16, 16); wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22); wav.writeUInt32LE(16000, 24);
    wav.writeUInt32LE(32000, 28); wav.writeUInt16LE(2, 32); wav.writeUInt16LE(16, 34); wav.write('data', 36); wav.writeUInt32LE(2000, 40);
    for (let i = 0; i < 1000; i++) wav.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), 44 + 2 * i);
    writeFileSync(join(dir, 'a.wav'), wav);
    const a = await cli('run', file, join(dir, 'a.wav'), '--json');
    expect(a.code, a.err).toBe(0);
  });

  it('run rejects an input of the wrong size', async () => {
    const r = await cli('run', file, writeNpy(dir, 'small.npy', randomData(10, 1), [10]));
    expect(r.code).toBe(1);
    expect(r.err).toContain('E_INPUT_SHAPE');
  });

  it('eval reports accuracy and a confusion matrix on labelled data', async () => {
    const d = join(dir, 'labelled');
    mkdirSync(d, { recursive: true });
    writeNpy(d, 'a.npy', randomData(10 * 432, 3), [10, ...shape]);
    writeNpy(d, 'b.npy', randomData(6 * 432, 4), [6, ...shape]);
    writeFileSync(join(d, 'labels.npy'), encodeNpy(Int32Array.from({ length: 16 }, (_, i) => i % 5), [16]));
    const r = JSON.parse((await cli('eval', file, '--data', d, '--json')).out);
    expect(r.samples).toBe(16);
    expect(r.accuracy).toBeGreaterThanOrEqual(0);
    expect(r.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(16);
    const t = await cli('eval', file, '--data', d);
    expect(t.out).toContain('confusion');
    const nolabels = await cli('eval', file, '--data', calib);
    expect(nolabels.code).toBe(1);
    expect(nolabels.err).toContain('E_NO_LABELS');
  });
});
