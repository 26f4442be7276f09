// The benchmark's models: person detection as TFLite Micro ships it (run
// unchanged), the zoo's MNIST CNN when its packed model is present, and the four
// MLPerf Tiny architectures with seeded random weights.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { netFromTflite } from '../export/from-tflite.js';
import type { Net } from '../export/net.js';
import { autoencoder, dsCnn, mobileNetV1, resNet8 } from './mlperf.js';
import { netFromMnw } from './from-mnw.js';
import { dequantize, quantizeInput, Rng } from './quantize.js';
import { writeTflite } from '../export/tflite.js';
import { DType } from '../../src/format/dtypes.js';
import { readMnw } from '../../src/format/reader.js';
import { readTflite } from '../../quantize/import/tflite/reader.js';
import { importTfliteInt8 } from '../../quantize/import/tflite/int8.js';

export interface BenchModel {
  name: string;
  description: string;
  net: Net;
  /** Float input (quantized with the input's scale for the int8 runtimes). */
  input: Float32Array;
  /** The int8 input, when the model comes with one. */
  int8Input?: Int8Array;
  /** The .tflite file to run as is (otherwise written from `net`). */
  tflite?: Uint8Array;
  /** The packed model minnow runs as is (otherwise imported from the .tflite). */
  mnw?: Uint8Array;
  /** The output is class scores (top class compared for the float peer). */
  classifier?: boolean;
  macs?: number;
}

/** A 96x96 8-bit grey BMP's pixels, rows top to bottom, each byte taken as int8 (as TFLite Micro's test feeds them). */
export function bmpPixelsInt8(bytes: Uint8Array, width: number, height: number): Int8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = dv.getUint32(10, true);
  const rowBytes = Math.ceil(width / 4) * 4;
  const out = new Int8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) out[y * width + x] = (bytes[at + (height - 1 - y) * rowBytes + x]! << 24) >> 24;
  return out;
}

export function personDetect(root: string): BenchModel | undefined {
  const dir = resolve(root, '../shared/conformance/tflite');
  const file = join(dir, 'person_detect.tflite');
  if (!existsSync(file)) return undefined;
  const tflite = new Uint8Array(readFileSync(file));
  const net = netFromTflite(tflite, 'person_detect');
  const int8Input = bmpPixelsInt8(new Uint8Array(readFileSync(join(dir, 'person.bmp'))), 96, 96);
  return {
    name: 'person_detect',
    description: 'TFLite Micro person detection, MobileNetV1-0.25 96x96x1 int8 (the file as shipped); input person.bmp',
    net, tflite, int8Input, input: dequantize(int8Input, net.tensors[net.input]!.quant!), classifier: true,
  };
}

export function mnistCnn(root: string): BenchModel | undefined {
  const dir = join(root, 'models', 'mnist-cnn');
  if (!existsSync(dir)) return undefined;
  const found = readdirSync(dir).filter((f) => f.endsWith('.mnw')).sort();
  if (!found.length) return undefined;
  const file = join(dir, found.includes('model.mnw') ? 'model.mnw' : found[0]!);
  const bytes = new Uint8Array(readFileSync(file));
  let net: Net;
  try {
    net = netFromMnw(bytes, 'mnist-cnn');
  } catch (e) {
    console.warn(`note: mnist-cnn skipped: ${(e as Error).message}`);
    return undefined;
  }
  const f = readMnw(bytes);
  const int8Io = f.tensors[f.inputs[0]!]!.dtype === DType.INT8 && f.tensors[f.outputs[0]!]!.dtype === DType.INT8;
  const n = net.tensors[net.input]!.shape.reduce((a, b) => a * b, 1);
  const rng = new Rng(5);
  return {
    name: 'mnist-cnn', description: `the zoo's MNIST CNN (${file.slice(root.length + 1)}${int8Io ? '' : ', int8 core without its float input/output conversions'})`,
    net, input: rng.floats(n, 0, 1), classifier: true, mnw: int8Io ? bytes : undefined,
  };
}

export function benchModels(root: string): BenchModel[] {
  const list: (BenchModel | undefined)[] = [personDetect(root), mnistCnn(root)];
  for (const make of [dsCnn, mobileNetV1, resNet8, autoencoder]) {
    const m = make();
    list.push({ ...m, classifier: m.name !== 'fc-autoencoder' });
  }
  return list.filter((m): m is BenchModel => !!m);
}

/** The int8 input minnow and the int8 peers are given: the model's own, or its float input quantized. */
export function benchInput(bm: BenchModel): Int8Array {
  return bm.int8Input ?? quantizeInput(bm.input, bm.net.tensors[bm.net.input]!.quant!);
}

/** The .mnw minnow runs: the model's own, or its int8 .tflite (the one the peers run) imported unchanged. */
export function benchMnw(bm: BenchModel, tflite: Uint8Array = bm.tflite ?? writeTflite(bm.net)): Uint8Array {
  return bm.mnw ?? importTfliteInt8(readTflite(tflite, bm.name), bm.name).pack().bytes;
}
