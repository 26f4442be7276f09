// WAV (RIFF/WAVE) reader for 16-bit PCM audio. Works on bytes, so it runs in the
// browser as well as in Node. Damaged or unsupported files throw WavFormatError
// with a stable code naming what is wrong.

import { MinnowError } from '../format/errors.js';

/** A damaged, truncated or unsupported WAV file. */
export class WavFormatError extends MinnowError {}

export type WavErrorCode =
  | 'E_WAV_TRUNCATED' // the file ends inside a header or chunk it declares
  | 'E_WAV_RIFF' // not a RIFF/WAVE file
  | 'E_WAV_FMT' // missing, short or inconsistent fmt chunk
  | 'E_WAV_ENCODING' // not 16-bit integer PCM
  | 'E_WAV_DATA' // missing data chunk, or data not a whole number of frames
  | 'E_WAV_RATE'; // a sample rate other than the one asked for

export interface Wav {
  sampleRate: number;
  /** Channels in the file (the samples returned are always mono). */
  channels: number;
  /** Mono samples: a mono file as is, a multi-channel file averaged per frame (rounded to nearest, ties away from zero). */
  samples: Int16Array;
}

export interface WavReadOptions {
  /** Demand this sample rate (throws E_WAV_RATE otherwise). */
  sampleRate?: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function fail(code: WavErrorCode, message: string): never {
  throw new WavFormatError(code, message);
}

function tag(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
}

/**
 * Reads a 16-bit PCM WAV file (WAVE_FORMAT_PCM, or WAVE_FORMAT_EXTENSIBLE with the PCM
 * subformat). Unknown chunks (LIST, fact, ...) are skipped. Multi-channel audio is mixed
 * down to mono. The RIFF size field is ignored (streamed recordings get it wrong); a data
 * chunk that overstates the file is an error.
 */
export function readWav(bytes: Uint8Array, options: WavReadOptions = {}): Wav {
  const b = bytes;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 12) fail('E_WAV_TRUNCATED', `WAV file: ${b.length} bytes, shorter than the 12-byte RIFF header`);
  if (tag(b, 0) !== 'RIFF' || tag(b, 8) !== 'WAVE') {
    fail('E_WAV_RIFF', `not a RIFF/WAVE file (starts with "${tag(b, 0)}" ... "${tag(b, 8)}")`);
  }
  // The RIFF size is not trusted either way (streamed recordings leave it 0 or too large):
  // chunks are read up to the end of the bytes.
  const riffEnd = b.length;

  let fmt: { format: number; channels: number; rate: number; blockAlign: number; bits: number } | undefined;
  let data: { at: number; size: number } | undefined;
  let at = 12;
  while (at + 8 <= riffEnd) {
    const id = tag(b, at);
    const size = v.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16) fail('E_WAV_FMT', `fmt chunk of ${size} bytes, need at least 16`);
      if (body + 16 > b.length) fail('E_WAV_TRUNCATED', `the file ends inside the fmt chunk (at byte ${b.length})`);
      let format = v.getUint16(body, true);
      if (format === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40 || body + 40 > b.length) fail('E_WAV_FMT', `WAVE_FORMAT_EXTENSIBLE fmt chunk of ${size} bytes, need 40`);
        format = v.getUint16(body + 24, true); // first two bytes of the subformat GUID
      }
      fmt = {
        format,
        channels: v.getUint16(body + 2, true),
        rate: v.getUint32(body + 4, true),
        blockAlign: v.getUint16(body + 12, true),
        bits: v.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (body + size > b.length) {
        fail('E_WAV_TRUNCATED', `data chunk declares ${size} bytes but the file has ${b.length - body} after its header`);
      }
      data = { at: body, size };
      if (fmt) break;
    }
    at = body + size + (size & 1); // chunks are padded to an even size
  }
  if (!fmt) fail('E_WAV_FMT', 'no fmt chunk before the end of the file');
  if (!data) fail('E_WAV_DATA', 'no data chunk');
  if (fmt.format !== WAVE_FORMAT_PCM) fail('E_WAV_ENCODING', `audio format ${fmt.format}, only integer PCM (1) is read`);
  if (fmt.bits !== 16) fail('E_WAV_ENCODING', `${fmt.bits}-bit samples, only 16-bit PCM is read`);
  if (fmt.channels < 1) fail('E_WAV_FMT', 'fmt chunk says 0 channels');
  if (fmt.blockAlign !== 2 * fmt.channels) {
    fail('E_WAV_FMT', `block align ${fmt.blockAlign}, expected ${2 * fmt.channels} for ${fmt.channels} channel(s) of 16 bits`);
  }
  if (fmt.rate === 0) fail('E_WAV_FMT', 'sample rate 0');
  if (options.sampleRate !== undefined && fmt.rate !== options.sampleRate) {
    fail('E_WAV_RATE', `sample rate ${fmt.rate} Hz, expected ${options.sampleRate} Hz`);
  }
  if (data.size % fmt.blockAlign !== 0) {
    fail('E_WAV_DATA', `data chunk of ${data.size} bytes is not a whole number of ${fmt.blockAlign}-byte frames`);
  }

  const frames = data.size / fmt.blockAlign;
  const ch = fmt.channels;
  const samples = new Int16Array(frames);
  if (ch === 1) {
    for (let i = 0; i < frames; i++) samples[i] = v.getInt16(data.at + 2 * i, true);
  } else {
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (let c = 0; c < ch; c++) sum += v.getInt16(data.at + 2 * (i * ch + c), true);
      const mean = sum / ch;
      samples[i] = Math.sign(mean) * Math.round(Math.abs(mean)); // in range: a mean of int16 values
    }
  }
  return { sampleRate: fmt.rate, channels: ch, samples };
}
