// TFLite Micro's example models: int8 models run unchanged and give exactly the
// outputs TFLite Micro's reference kernels give (../shared/conformance/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMnw } from '../../src/format/reader.js';
import { runReference } from '../../src/reference/interpreter.js';
import { loadModel } from '../../src/runtime/host.js';
import { BUILDS } from '../../src/runtime/wasm.js';
import { importTfliteInt8 } from '../../quantize/import/tflite/int8.js';
import { readTflite } from '../../quantize/import/tflite/reader.js';

const DIR = new URL('../../../shared/conformance/tflite/', import.meta.url).pathname;

/** An 8-bit grey BMP's pixels, rows top to bottom, each byte taken as int8 (as TFLite Micro's test feeds them). */
export function bmpPixelsAsInt8(path: string): Int8Array {
  const b = readFileSync(path);
  const dataAt = b.readUInt32LE(10);
  const width = b.readInt32LE(18);
  const height = b.readInt32LE(22);
  const bits = b.readUInt16LE(28);
  expect(bits).toBe(8);
  const rows = Math.abs(height);
  const stride = Math.ceil(width / 4) * 4;
  const out = new Int8Array(width * rows);
  for (let y = 0; y < rows; y++) {
    const src = height > 0 ? rows - 1 - y : y; // positive height: stored bottom-up
    for (let x = 0; x < width; x++) out[y * width + x] = b[dataAt + src * stride + x]!;
  }
  return out;
}

function importInt8(file: string) {
  return importTfliteInt8(readTflite(readFileSync(DIR + file)), file).pack();
}

describe('TFLite Micro models, exact', () => {
  const hello = importInt8('hello_world_int8.tflite');
  const person = importInt8('person_detect.tflite');

  it('hello_world_int8: reference interpreter', () => {
    const file = readMnw(hello.bytes);
    const out = [-96, -63, -34, 0].map((x) => runReference(file, [new Int8Array([x])]).outputs[0]![0]);
    expect(out).toEqual([89, 125, 93, 4]);
  });

  it.each(BUILDS)('hello_world_int8 (%s)', async (build) => {
    const m = await loadModel(hello.bytes, { build });
    expect(m.inputs[0]!.scale).toBeCloseTo(0.02448, 5);
    expect(m.inputs[0]!.zeroPoint).toBe(-128);
    expect(m.outputs[0]!.zeroPoint).toBe(5);
    const out = [-96, -63, -34, 0].map((x) => m.run(new Int8Array([x]))[0]!.raw[0]);
    expect(out).toEqual([89, 125, 93, 4]);
  });

  it('person_detect: arena within TFLite Micro\'s 85,024 bytes', () => {
    expect(person.plan.arenaBytes).toBeLessThanOrEqual(85_024);
    expect(person.macs).toBeGreaterThan(7_000_000);
  });

  it('person_detect: reference interpreter', () => {
    const file = readMnw(person.bytes);
    expect(Array.from(runReference(file, [bmpPixelsAsInt8(DIR + 'person.bmp')]).outputs[0]!)).toEqual([-113, 113]);
    expect(Array.from(runReference(file, [bmpPixelsAsInt8(DIR + 'no_person.bmp')]).outputs[0]!)).toEqual([57, -57]);
  });

  it.each(BUILDS)('person_detect (%s)', async (build) => {
    const m = await loadModel(person.bytes, { build });
    expect(m.arenaBytes).toBeLessThanOrEqual(85_024);
    expect(Array.from(m.run(bmpPixelsAsInt8(DIR + 'person.bmp'))[0]!.raw)).toEqual([-113, 113]);
    expect(Array.from(m.run(bmpPixelsAsInt8(DIR + 'no_person.bmp'))[0]!.raw)).toEqual([57, -57]);
  });
});
