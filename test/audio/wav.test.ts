import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readWav, WavFormatError } from '../../src/audio/wav.js';
import { MinnowError } from '../../src/format/errors.js';

const DIR = new URL('../../../shared/conformance/tflite/', import.meta.url).pathname;

interface Spec {
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  blockAlign?: number;
  frames?: number[][]; // per frame, one value per channel
  extra?: [string, Uint8Array][]; // chunks before fmt
  dataSize?: number; // override the declared data size
  extensible?: boolean;
}

/** Builds a WAV file from parts (every field can be made wrong). */
function wav(s: Spec = {}): Uint8Array {
  const channels = s.channels ?? 1;
  const bits = s.bits ?? 16;
  const frames = s.frames ?? [[0], [1000], [-1000], [32767], [-32768]];
  const data = new Uint8Array(frames.length * channels * 2);
  const dv = new DataView(data.buffer);
  frames.forEach((f, i) => f.forEach((x, c) => dv.setInt16(2 * (i * channels + c), x, true)));
  const fmt = new Uint8Array(s.extensible ? 40 : 16);
  const fv = new DataView(fmt.buffer);
  fv.setUint16(0, s.extensible ? 0xfffe : (s.format ?? 1), true);
  fv.setUint16(2, channels, true);
  fv.setUint32(4, s.rate ?? 16000, true);
  fv.setUint32(8, (s.rate ?? 16000) * channels * 2, true);
  fv.setUint16(12, s.blockAlign ?? channels * (bits / 8), true);
  fv.setUint16(14, bits, true);
  if (s.extensible) {
    fv.setUint16(16, 22, true);
    fv.setUint16(24, s.format ?? 1, true);
  }
  const chunks: [string, Uint8Array, number?][] = [...(s.extra ?? []), ['fmt ', fmt], ['data', data, s.dataSize]];
  const parts: number[] = [];
  const push32 = (x: number) => parts.push(x & 255, (x >>> 8) & 255, (x >>> 16) & 255, (x >>> 24) & 255);
  const pushTag = (t: string) => parts.push(...[...t].map((c) => c.charCodeAt(0)));
  pushTag('RIFF');
  push32(0);
  pushTag('WAVE');
  for (const [id, body, size] of chunks) {
    pushTag(id);
    push32(size ?? body.length);
    parts.push(...body);
    if (body.length & 1) parts.push(0);
  }
  const out = Uint8Array.from(parts);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WavFormatError);
    expect(e).toBeInstanceOf(MinnowError);
    return (e as WavFormatError).code;
  }
  throw new Error('did not throw');
}

describe('readWav', () => {
  it('reads the conformance clips: 16 kHz mono, 1 s', () => {
    for (const name of ['yes', 'no', 'silence', 'noise']) {
      const w = readWav(readFileSync(`${DIR}${name}_1000ms.wav`), { sampleRate: 16000 });
      expect(w.sampleRate).toBe(16000);
      expect(w.channels).toBe(1);
      expect(w.samples.length).toBe(16000);
    }
    const no = readWav(readFileSync(`${DIR}no_1000ms.wav`)).samples;
    expect(Array.from(no.subarray(8960, 8964))).toEqual([5713, 5735, 5735, 5737]);
  });

  it('reads mono samples little-endian, including the extremes', () => {
    const w = readWav(wav());
    expect(Array.from(w.samples)).toEqual([0, 1000, -1000, 32767, -32768]);
  });

  it('reads from a view into a larger buffer', () => {
    const bytes = wav();
    const big = new Uint8Array(bytes.length + 7);
    big.set(bytes, 7);
    expect(Array.from(readWav(big.subarray(7)).samples)).toEqual([0, 1000, -1000, 32767, -32768]);
  });

  it('mixes stereo down to mono (mean, rounded half away from zero)', () => {
    const w = readWav(wav({ channels: 2, frames: [[100, 200], [1, 2], [-1, -2], [32767, 32767], [-32768, -32768], [5, -5]] }));
    expect(w.channels).toBe(2);
    expect(Array.from(w.samples)).toEqual([150, 2, -2, 32767, -32768, 0]);
  });

  it('skips unknown chunks, with odd-size padding', () => {
    const w = readWav(wav({ extra: [['LIST', Uint8Array.of(1, 2, 3)], ['fact', new Uint8Array(4)]] }));
    expect(w.samples.length).toBe(5);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE with the PCM subformat', () => {
    expect(readWav(wav({ extensible: true })).samples.length).toBe(5);
    expect(code(() => readWav(wav({ extensible: true, format: 3 })))).toBe('E_WAV_ENCODING');
  });

  it('rejects what it cannot read, with a code', () => {
    const good = wav();
    expect(code(() => readWav(new Uint8Array(0)))).toBe('E_WAV_TRUNCATED');
    expect(code(() => readWav(good.subarray(0, 11)))).toBe('E_WAV_TRUNCATED');
    const notRiff = good.slice();
    notRiff[0] = 0x52 + 1;
    expect(code(() => readWav(notRiff))).toBe('E_WAV_RIFF');
    const notWave = good.slice();
    notWave[8] = 0x41;
    expect(code(() => readWav(notWave))).toBe('E_WAV_RIFF');
    expect(code(() => readWav(good.subarray(0, 30)))).toBe('E_WAV_TRUNCATED'); // inside fmt
    expect(code(() => readWav(good.subarray(0, good.length - 1)))).toBe('E_WAV_TRUNCATED'); // data overstated
    expect(code(() => readWav(wav({ dataSize: 1000 })))).toBe('E_WAV_TRUNCATED');
    expect(code(() => readWav(good.subarray(0, 36)))).toBe('E_WAV_DATA'); // no data chunk
    expect(code(() => readWav(wav({ format: 3 })))).toBe('E_WAV_ENCODING'); // float
    expect(code(() => readWav(wav({ bits: 8, blockAlign: 1 })))).toBe('E_WAV_ENCODING');
    expect(code(() => readWav(wav({ blockAlign: 4 })))).toBe('E_WAV_FMT');
    expect(code(() => readWav(wav({ channels: 0, blockAlign: 0, frames: [] })))).toBe('E_WAV_FMT');
    expect(code(() => readWav(wav({ rate: 0 })))).toBe('E_WAV_FMT');
    expect(code(() => readWav(wav({ rate: 8000 }), { sampleRate: 16000 }))).toBe('E_WAV_RATE');
    expect(code(() => readWav(wav({ channels: 2, frames: [[1, 2]], dataSize: 2 })))).toBe('E_WAV_DATA');
  });

  it('rejects a file whose fmt chunk is missing', () => {
    const b = wav();
    // rename "fmt " so it becomes an unknown chunk
    b[12] = 'x'.charCodeAt(0);
    expect(code(() => readWav(b))).toBe('E_WAV_FMT');
  });

  it('never throws anything but WavFormatError on damaged bytes', () => {
    const good = wav({ extra: [['LIST', Uint8Array.of(1, 2, 3)]] });
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let t = 0; t < 2000; t++) {
      const b = good.slice(0, 1 + Math.floor(rand() * good.length));
      for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        const w = readWav(b);
        expect(w.samples).toBeInstanceOf(Int16Array);
      } catch (e) {
        expect(e).toBeInstanceOf(WavFormatError);
      }
    }
  });
});
