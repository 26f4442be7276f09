// TFLite Micro's micro_speech example end to end: 1 s clips -> audio front end ->
// micro_speech_quantized.tflite, with exactly the int8 outputs TFLite Micro gives
// (../shared/conformance/README.md). Exact outputs need the front end's features bit
// for bit; the first test pins one frame against TFLite Micro's own feature test.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readWav } from '../../src/audio/wav.js';
import { featureToInt8, microFrontend, microSpeechFeatures } from '../../src/audio/frontend.js';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { importTfliteInt8 } from '../../quantize/import/tflite/int8.js';
import { readTflite } from '../../quantize/import/tflite/reader.js';

const DIR = new URL('../../../shared/conformance/tflite/', import.meta.url).pathname;
const LABELS = ['silence', 'unknown', 'yes', 'no'];

const clip = (name: string): Int16Array => readWav(readFileSync(`${DIR}${name}_1000ms.wav`), { sampleRate: 16000 }).samples;

// Clip -> [expected top class, TFLite Micro's int8 output].
const EXPECTED: [string, string, number[]][] = [
  ['yes', 'yes', [-128, -128, 127, -128]],
  ['no', 'no', [-128, -114, -128, 114]],
  ['silence', 'silence', [-42, -68, -68, -78]],
  ['noise', 'silence', [120, -125, -126, -125]],
];

const argmax = (v: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

describe('micro_speech, exact', () => {
  const packed = importTfliteInt8(readTflite(readFileSync(DIR + 'micro_speech_quantized.tflite')), 'micro_speech').pack();
  const features = new Map(EXPECTED.map(([name]) => [name, microSpeechFeatures(clip(name))]));

  it("one frame matches TFLite Micro's feature test (no_30ms = no_1000ms samples 8960..9439)", () => {
    // tflite-micro micro_speech_test.cc, NoFeatureTest: a fresh front end on the 30 ms clip.
    const expected = [
      126, 103, 124, 102, 124, 102, 123, 100, 118, 97, 118, 100, 118, 98, 121, 100, 121, 98, 117, 91,
      96, 74, 54, 87, 100, 87, 109, 92, 91, 80, 64, 55, 83, 74, 74, 78, 114, 95, 101, 81,
    ];
    for (const variant of ['signal', 'microfrontend'] as const) {
      const { frames, values } = microFrontend(clip('no').subarray(8960, 9440), { variant });
      expect(frames).toBe(1);
      expect(Array.from(values, featureToInt8)).toEqual(expected);
    }
  });

  it("one frame matches TFLite Micro's feature test (yes_30ms = yes_1000ms samples 8000..8479)", () => {
    // tflite-micro micro_speech_test.cc, YesFeatureTest (the slice was located by its features).
    const expected = [
      124, 105, 126, 103, 125, 101, 123, 100, 116, 98, 115, 97, 113, 90, 91, 82, 104, 96, 117, 97,
      121, 103, 126, 101, 125, 104, 126, 104, 125, 101, 116, 90, 81, 74, 80, 71, 83, 76, 82, 71,
    ];
    const { values } = microFrontend(clip('yes').subarray(8000, 8480));
    expect(Array.from(values, featureToInt8)).toEqual(expected);
  });

  it('model input and output quantization', async () => {
    const m = await loadModel(packed.bytes, { build: 'scalar' });
    expect(m.inputs[0]!.shape.reduce((a, b) => a * b, 1)).toBe(49 * 40);
    expect(m.inputs[0]!.scale).toBeCloseTo(0.10171568, 6);
    expect(m.inputs[0]!.zeroPoint).toBe(-128);
    expect(m.outputs[0]!.shape.at(-1)).toBe(4);
  });

  it.each(EXPECTED)('%s: reference interpreter', (name, label, out) => {
    const file = readMnw(packed.bytes);
    const y = runReference(file, [features.get(name)!]).outputs[0] as Int8Array;
    expect(LABELS[argmax(y)]).toBe(label);
    expect(Array.from(y)).toEqual(out);
  });

  it.each(EXPECTED)('%s: the older microfrontend setup gives the same outputs', (name, _label, out) => {
    const file = readMnw(packed.bytes);
    const x = microSpeechFeatures(clip(name), { variant: 'microfrontend' });
    expect(Array.from(runReference(file, [x]).outputs[0] as Int8Array)).toEqual(out);
  });

  it.each(BUILDS)('all clips (%s)', async (build) => {
    const m = await loadModel(packed.bytes, { build });
    for (const [name, label, out] of EXPECTED) {
      const raw = m.run(features.get(name)!)[0]!.raw as Int8Array;
      expect(LABELS[argmax(raw)], name).toBe(label);
      expect(Array.from(raw), name).toEqual(out);
    }
  });
});
