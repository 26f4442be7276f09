// A minimal PNG decoder for `minnow run` inputs (8-bit, non-interlaced: gray,
// gray+alpha, RGB, RGBA, palette). WAV inputs use src/audio/wav.ts.
import { inflateSync } from 'node:zlib';
import { qfail } from '../errors.js';

export interface Image {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

export function decodePng(buf: Uint8Array, file = 'PNG'): Image {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (buf.length < 8 || sig.some((b, i) => buf[i] !== b)) qfail('E_INPUT_FORMAT', `${file} is not a PNG file`);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let width = 0, height = 0, depth = 0, color = 0, interlace = 0;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (let p = 8; p + 8 <= buf.length; ) {
    const len = v.getUint32(p);
    const type = String.fromCharCode(...buf.subarray(p + 4, p + 8));
    const body = buf.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = v.getUint32(p + 8);
      height = v.getUint32(p + 12);
      depth = buf[p + 16]!;
      color = buf[p + 17]!;
      interlace = buf[p + 20]!;
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  if (depth !== 8 || interlace) qfail('E_INPUT_FORMAT', `${file}: only 8-bit, non-interlaced PNGs are supported (this one: ${depth}-bit${interlace ? ', interlaced' : ''})`);
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[color];
  if (!channels) qfail('E_INPUT_FORMAT', `${file}: PNG color type ${color} is not supported`);
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    qfail('E_INPUT_FORMAT', `${file}: damaged PNG data (${(e as Error).message})`);
  }
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) qfail('E_INPUT_FORMAT', `${file}: PNG data is truncated`);
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const prev = y ? out.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? row[x - channels]! : 0;
      const b = prev[x]!;
      const c = x >= channels ? prev[x - channels]! : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      row[x] = (src[x]! + pred) & 255;
    }
  }
  if (color === 3) {
    if (!palette) qfail('E_INPUT_FORMAT', `${file}: palette PNG without a palette`);
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) rgb.set(palette.subarray(out[i]! * 3, out[i]! * 3 + 3), i * 3);
    return { width, height, channels: 3, data: rgb };
  }
  return { width, height, channels, data: out };
}
