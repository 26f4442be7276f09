import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  featureToInt8,
  fixedLog,
  fixedSqrt,
  frameCount,
  MicroFrontend,
  microFrontend,
  microSpeechFeatures,
  realFftInt16,
} from '../../src/audio/frontend.js';

function tone(hz: number, amplitude: number, length = 16000, rate = 16000): Int16Array {
  const s = new Int16Array(length);
  for (let i = 0; i < length; i++) s[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
  return s;
}

function noise(length: number, amplitude: number, seed = 1): Int16Array {
  const s = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    s[i] = Math.round(((seed / 2 ** 32) * 2 - 1) * amplitude);
  }
  return s;
}

const argmax = (v: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

describe('fixed-point building blocks', () => {
  it('real FFT approximates the DFT divided by the length', () => {
    fc.assert(
      fc.property(fc.constantFrom(4, 8, 16, 32, 64, 128, 256, 512), fc.integer({ min: 1, max: 2 ** 31 }), (n, seed) => {
        const x = noise(n, 16000, seed);
        const { re, im } = realFftInt16(x);
        expect(re.length).toBe(n / 2 + 1);
        // Each of log2(n) stages rounds; allow a couple of LSBs per stage.
        const tol = 2 * Math.log2(n) + 2;
        for (let k = 0; k <= n / 2; k++) {
          let sr = 0;
          let si = 0;
          for (let t = 0; t < n; t++) {
            sr += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
            si -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
          }
          expect(Math.abs(re[k]! - sr / n)).toBeLessThanOrEqual(tol);
          expect(Math.abs(im[k]! - si / n)).toBeLessThanOrEqual(tol);
        }
        expect(im[0]).toBe(0);
        expect(im[n / 2]).toBe(0);
      }),
      { numRuns: 40 },
    );
    expect(() => realFftInt16(new Int16Array(6))).toThrow(RangeError);
  });

  it('integer square root rounds to nearest (64-bit path: within one)', () => {
    for (const x of [0, 1, 2, 3, 4, 15, 16, 17, 24, 25, 1e6, 2 ** 31, 2 ** 32 - 1]) {
      expect(fixedSqrt(x)).toBe(Math.min(Math.round(Math.sqrt(x)), 0xffff));
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 2 ** 17 }), (x) => {
        expect(fixedSqrt(x)).toBe(Math.round(Math.sqrt(x)));
      }),
    );
    fc.assert(
      fc.property(fc.double({ min: 2 ** 32, max: 2 ** 52, noNaN: true }), (d) => {
        const x = Math.floor(d);
        expect(Math.abs(fixedSqrt(x) - Math.sqrt(x))).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('integer log is ln(x) * 2^shift to within a unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 10 }), (x, shift) => {
        expect(Math.abs(fixedLog(x, shift) - Math.log(x) * 2 ** shift)).toBeLessThanOrEqual(1 + 2 ** shift / 256);
      }),
    );
  });

  it('front-end value to int8: (v * 256 + 333) / 666 - 128, clamped', () => {
    expect(featureToInt8(0)).toBe(-128);
    expect(featureToInt8(333)).toBe(0);
    expect(featureToInt8(666)).toBe(127);
    expect(featureToInt8(665)).toBe(127);
    expect(featureToInt8(65535)).toBe(127);
    for (let v = 0; v < 700; v++) expect(featureToInt8(v)).toBe(Math.min(127, Math.trunc((v * 256 + 333) / 666) - 128));
  });
});

describe('microFrontend', () => {
  it('frames: one per full 30 ms window, 20 ms apart', () => {
    expect(frameCount(16000)).toBe(49);
    expect(frameCount(479)).toBe(0);
    expect(frameCount(480)).toBe(1);
    expect(frameCount(799)).toBe(1);
    expect(frameCount(800)).toBe(2);
    expect(frameCount(8000, { sampleRate: 8000 })).toBe(49);
    expect(frameCount(16000, { windowMs: 25, strideMs: 10 })).toBe(98);
    const f = microFrontend(new Int16Array(16000));
    expect(f.frames).toBe(49);
    expect(f.channels).toBe(40);
    expect(f.values.length).toBe(49 * 40);
  });

  it('digital silence gives zero features (int8 -128)', () => {
    const f = microFrontend(new Int16Array(16000));
    expect(f.values.every((v) => v === 0)).toBe(true);
    expect(microSpeechFeatures(new Int16Array(16000)).every((v) => v === -128)).toBe(true);
  });

  it('a tone peaks in the channel of its frequency, higher tones in higher channels', () => {
    let last = -1;
    for (const hz of [300, 600, 1000, 2000, 3000, 5000, 7000]) {
      const f = microFrontend(tone(hz, 8000, 480));
      const peak = argmax(f.values);
      expect(peak).toBeGreaterThan(last);
      last = peak;
    }
    expect(argmax(microFrontend(tone(200, 8000, 480)).values)).toBeLessThan(3);
    expect(argmax(microFrontend(tone(7200, 8000, 480)).values)).toBeGreaterThan(36);
  });

  it('noise reduction: a steady tone fades against its own noise estimate', () => {
    const f = microFrontend(tone(1000, 8000, 16000));
    const peak = argmax(f.values.subarray(0, 40));
    const first = f.values[peak]!;
    const lastFrame = f.values[48 * 40 + peak]!;
    expect(lastFrame).toBeLessThan(first);
  });

  it('streaming one window at a time equals the whole clip; reset restarts the noise estimate', () => {
    const s = noise(16000, 3000, 7);
    const whole = microFrontend(s);
    const fe = new MicroFrontend();
    const out = new Uint16Array(49 * 40);
    for (let f = 0; f < 49; f++) fe.next(s, f * fe.step, out, f * 40);
    expect(out).toEqual(whole.values);
    fe.reset();
    const again = new Uint16Array(40);
    fe.next(s, 0, again, 0);
    expect(again).toEqual(whole.values.subarray(0, 40));
    expect(() => fe.next(s, 15600, again, 0)).toThrow(RangeError);
  });

  it('features depend only on the audio, not on the clip length beyond the frames', () => {
    const s = noise(16000, 3000, 3);
    const longer = new Int16Array(20000);
    longer.set(s);
    expect(microSpeechFeatures(longer)).toEqual(microSpeechFeatures(s));
    // a shorter clip: the frames it has agree, the rest are -128
    const short = microSpeechFeatures(s.subarray(0, 8000));
    const full = microSpeechFeatures(s);
    const frames = frameCount(8000);
    expect(short.subarray(0, frames * 40)).toEqual(full.subarray(0, frames * 40));
    expect(short.subarray(frames * 40).every((v) => v === -128)).toBe(true);
  });

  it('values stay in range on extreme input (full-scale square wave, clipping noise)', () => {
    const square = new Int16Array(16000).map((_, i) => ((i >> 4) & 1 ? 32767 : -32768));
    for (const s of [square, noise(16000, 32767, 11), tone(4000, 32767)]) {
      const f = microFrontend(s);
      for (const v of f.values) {
        expect(Number.isInteger(v)).toBe(true);
        expect(v).toBeLessThan(2000);
      }
    }
  });

  it('options: other channel counts and ranges; bad options throw', () => {
    const f = microFrontend(noise(8000, 2000), { channels: 32, windowMs: 25, strideMs: 10, upperHz: 4000 });
    expect(f.channels).toBe(32);
    expect(f.frames).toBe(frameCount(8000, { windowMs: 25, strideMs: 10 }));
    expect(f.values.some((v) => v > 0)).toBe(true);
    expect(microFrontend(noise(480, 2000), { pcan: false, log: false }).values.some((v) => v > 0)).toBe(true);
    expect(() => microFrontend(new Int16Array(480), { channels: 0 })).toThrow(RangeError);
    expect(() => microFrontend(new Int16Array(480), { upperHz: 9000 })).toThrow(RangeError);
    expect(() => microFrontend(new Int16Array(480), { lowerHz: 500, upperHz: 400 })).toThrow(RangeError);
    expect(() => microFrontend(new Int16Array(480), { windowMs: 0 })).toThrow(RangeError);
    expect(() => microSpeechFeatures(new Int16Array(16000), { channels: 32 })).toThrow(RangeError);
  });
});
