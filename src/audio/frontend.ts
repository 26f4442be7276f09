// Audio front end: 16-bit audio to log-mel filterbank features, in the fixed-point
// arithmetic of TensorFlow Lite Micro's speech front end, so that models trained on
// its features (micro_speech) get the inputs they were trained and tested with.
//
// Per frame (window 30 ms, stride 20 ms by default):
//   window     int16 sample * Hann coefficient (12 fractional bits) >> 12
//   auto-scale shift the frame left so its largest magnitude uses 15 bits
//   FFT        KISS FFT's 16-bit fixed-point real FFT (every stage divides by its radix)
//   energy     re^2 + im^2 per bin (uint32)
//   filterbank 40 mel channels, triangular weights with 12 fractional bits (uint64 sums)
//   sqrt       integer square root, shifted back down by the auto-scale shift
//   noise      spectral subtraction against a smoothed per-channel noise estimate
//   PCAN       per-channel gain control from the noise estimate (wide dynamic function LUT)
//   log        integer natural log, scaled by 2^6
// The noise estimate carries over from frame to frame (the only state).
//
// The setup (window coefficients, filterbank weights, PCAN gain table) is computed as
// TFLite Micro's signal library computes it (python/tflite_micro/signal, used by the
// micro_speech example's audio_preprocessor model): float32 mel arithmetic, weights
// truncated to 12 bits. `variant: 'microfrontend'` selects the older
// experimental/microfrontend setup instead (weights rounded); the per-frame arithmetic
// is the same in both.

export interface FrontendOptions {
  /** Sample rate of the input in Hz. Default 16000. */
  sampleRate?: number;
  /** Window length in ms. Default 30. */
  windowMs?: number;
  /** Step between windows in ms. Default 20. */
  strideMs?: number;
  /** Mel channels. Default 40. */
  channels?: number;
  /** Lower edge of the filterbank in Hz. Default 125. */
  lowerHz?: number;
  /** Upper edge of the filterbank in Hz. Default 7500. */
  upperHz?: number;
  /** Noise reduction: extra fractional bits of the noise estimate. Default 10. */
  smoothingBits?: number;
  /** Noise reduction: smoothing of the even channels. Default 0.025. */
  evenSmoothing?: number;
  /** Noise reduction: smoothing of the odd channels. Default 0.06. */
  oddSmoothing?: number;
  /** Noise reduction: fraction of the signal always kept. Default 0.05. */
  minSignalRemaining?: number;
  /** Noise reduction: pull the noise estimate down to the signal when the signal drops below it. Default false. */
  clamping?: boolean;
  /** Per-channel amplitude normalization (PCAN). Default true. */
  pcan?: boolean;
  /** PCAN strength. Default 0.95. */
  pcanStrength?: number;
  /** PCAN offset. Default 80. */
  pcanOffset?: number;
  /** PCAN gain bits. Default 21. */
  pcanGainBits?: number;
  /** Take the log (else output the linear values, clamped to 16 bits). Default true. */
  log?: boolean;
  /** Log output scale shift (output = ln(x) * 2^shift). Default 6. */
  logShift?: number;
  /** Whose setup arithmetic to reproduce. Default 'signal'. */
  variant?: 'signal' | 'microfrontend';
}

export interface FrontendFeatures {
  frames: number;
  channels: number;
  /** frames * channels values, frame by frame. */
  values: Uint16Array;
}

const WINDOW_BITS = 12;
const FILTERBANK_BITS = 12;
const NOISE_REDUCTION_BITS = 14;
const PCAN_SNR_BITS = 12;
const PCAN_OUTPUT_BITS = 6;
const WIDE_DYNAMIC_FUNCTION_BITS = 32;
const LOG_SCALE_LOG2 = 16;
const LOG_SEGMENTS_LOG2 = 7;
const LOG_COEFF = 45426; // ln(2) * 2^16

// log2(1 + x) - x on 128 segments of [0, 1), scaled by 2^16 (TFLite Micro's table).
// prettier-ignore
const LOG_LUT = new Uint16Array([
  0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797,
  2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633,
  4714, 4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507,
  5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586,
  5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000,
  4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848,
  3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207,
  2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224, 1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
]);

const f32 = Math.fround;
const TWO32 = 4294967296;

/** Number of significant bits of a non-negative integer below 2^53 (0 for 0). */
function msb(x: number): number {
  if (x < TWO32) return 32 - Math.clz32(x);
  return 32 + (32 - Math.clz32(Math.floor(x / TWO32)));
}

const wrap16 = (x: number): number => (x << 16) >> 16;

// ---------------------------------------------------------------------------
// KISS FFT, FIXED_POINT=16: int16 data, int32 products, every butterfly stage first
// divides its inputs by its radix (multiply by 32767/p with rounding), twiddles are
// round(32767 * cos/sin). Only power-of-two sizes (radix 4 stages, then one radix 2).

interface KissFft {
  n: number; // complex FFT size (half the real size)
  factors: number[]; // p0, m0, p1, m1, ...
  twr: Int16Array;
  twi: Int16Array;
  superR: Int16Array; // real-FFT post-processing twiddles
  superI: Int16Array;
}

const sround = (x: number): number => wrap16((x + 16384) >> 15);
const divScalar = (x: number, k: number): number => sround(Math.imul(x, (32767 / k) | 0));

function kissFftAlloc(realSize: number): KissFft {
  const n = realSize >> 1;
  const twr = new Int16Array(n);
  const twi = new Int16Array(n);
  const pi = 3.14159265358979323846264338327;
  for (let i = 0; i < n; i++) {
    const phase = (-2 * pi * i) / n;
    twr[i] = Math.floor(0.5 + 32767 * Math.cos(phase));
    twi[i] = Math.floor(0.5 + 32767 * Math.sin(phase));
  }
  const factors: number[] = [];
  let m = n;
  while (m > 1) {
    const p = m % 4 === 0 ? 4 : 2;
    m /= p;
    factors.push(p, m);
  }
  const superR = new Int16Array(n >> 1);
  const superI = new Int16Array(n >> 1);
  for (let i = 0; i < n >> 1; i++) {
    const phase = -pi * ((i + 1) / n + 0.5);
    superR[i] = Math.floor(0.5 + 32767 * Math.cos(phase));
    superI[i] = Math.floor(0.5 + 32767 * Math.sin(phase));
  }
  return { n, factors, twr, twi, superR, superI };
}

function bfly2(st: KissFft, or: Int16Array, oi: Int16Array, at: number, fstride: number, m: number): void {
  for (let k = 0, tw = 0; k < m; k++, tw += fstride) {
    const a = at + k;
    const b = a + m;
    const ar = divScalar(or[a]!, 2), ai = divScalar(oi[a]!, 2);
    const br = divScalar(or[b]!, 2), bi = divScalar(oi[b]!, 2);
    const wr = st.twr[tw]!, wi = st.twi[tw]!;
    const tr = sround((Math.imul(br, wr) - Math.imul(bi, wi)) | 0);
    const ti = sround((Math.imul(br, wi) + Math.imul(bi, wr)) | 0);
    or[b] = ar - tr;
    oi[b] = ai - ti;
    or[a] = ar + tr;
    oi[a] = ai + ti;
  }
}

function bfly4(st: KissFft, or: Int16Array, oi: Int16Array, at: number, fstride: number, m: number): void {
  const { twr, twi } = st;
  for (let k = 0; k < m; k++) {
    const i0 = at + k, i1 = i0 + m, i2 = i0 + 2 * m, i3 = i0 + 3 * m;
    const f0r = divScalar(or[i0]!, 4), f0i = divScalar(oi[i0]!, 4);
    const f1r = divScalar(or[i1]!, 4), f1i = divScalar(oi[i1]!, 4);
    const f2r = divScalar(or[i2]!, 4), f2i = divScalar(oi[i2]!, 4);
    const f3r = divScalar(or[i3]!, 4), f3i = divScalar(oi[i3]!, 4);
    const t1 = k * fstride, t2 = 2 * k * fstride, t3 = 3 * k * fstride;
    const s0r = sround((Math.imul(f1r, twr[t1]!) - Math.imul(f1i, twi[t1]!)) | 0);
    const s0i = sround((Math.imul(f1r, twi[t1]!) + Math.imul(f1i, twr[t1]!)) | 0);
    const s1r = sround((Math.imul(f2r, twr[t2]!) - Math.imul(f2i, twi[t2]!)) | 0);
    const s1i = sround((Math.imul(f2r, twi[t2]!) + Math.imul(f2i, twr[t2]!)) | 0);
    const s2r = sround((Math.imul(f3r, twr[t3]!) - Math.imul(f3i, twi[t3]!)) | 0);
    const s2i = sround((Math.imul(f3r, twi[t3]!) + Math.imul(f3i, twr[t3]!)) | 0);
    const s5r = wrap16(f0r - s1r), s5i = wrap16(f0i - s1i);
    const g0r = wrap16(f0r + s1r), g0i = wrap16(f0i + s1i);
    const s3r = wrap16(s0r + s2r), s3i = wrap16(s0i + s2i);
    const s4r = wrap16(s0r - s2r), s4i = wrap16(s0i - s2i);
    or[i2] = g0r - s3r;
    oi[i2] = g0i - s3i;
    or[i0] = g0r + s3r;
    oi[i0] = g0i + s3i;
    or[i1] = s5r + s4i;
    oi[i1] = s5i - s4r;
    or[i3] = s5r - s4i;
    oi[i3] = s5i + s4r;
  }
}

// KISS FFT's recursive decimation in time: gather the input with growing stride, then
// run this stage's butterflies over the sub-transforms.
function kfWork(
  st: KissFft, or: Int16Array, oi: Int16Array, at: number,
  ir: Int16Array, ii: Int16Array, from: number, fstride: number, stage: number,
): void {
  const p = st.factors[stage]!;
  const m = st.factors[stage + 1]!;
  if (m === 1) {
    for (let q = 0; q < p; q++) {
      or[at + q] = ir[from + q * fstride]!;
      oi[at + q] = ii[from + q * fstride]!;
    }
  } else {
    for (let q = 0; q < p; q++) kfWork(st, or, oi, at + q * m, ir, ii, from + q * fstride, fstride * p, stage + 2);
  }
  if (p === 4) bfly4(st, or, oi, at, fstride, m);
  else bfly2(st, or, oi, at, fstride, m);
}

/** kiss_fftr: real input of 2n int16 values, spectrum bins 0..n into outR/outI. */
function kissFftr(st: KissFft, input: Int16Array, outR: Int16Array, outI: Int16Array, scratch: Int16Array[]): void {
  const n = st.n;
  const [ir, ii, tr, ti] = scratch as [Int16Array, Int16Array, Int16Array, Int16Array];
  for (let k = 0; k < n; k++) {
    ir[k] = input[2 * k]!;
    ii[k] = input[2 * k + 1]!;
  }
  kfWork(st, tr, ti, 0, ir, ii, 0, 1, 0);
  const dcr = divScalar(tr[0]!, 2), dci = divScalar(ti[0]!, 2);
  outR[0] = dcr + dci;
  outR[n] = dcr - dci;
  outI[0] = 0;
  outI[n] = 0;
  for (let k = 1; k <= n >> 1; k++) {
    const pkr = divScalar(tr[k]!, 2), pki = divScalar(ti[k]!, 2);
    const pnr = divScalar(tr[n - k]!, 2), pni = divScalar(wrap16(-ti[n - k]!), 2);
    const f1r = wrap16(pkr + pnr), f1i = wrap16(pki + pni);
    const f2r = wrap16(pkr - pnr), f2i = wrap16(pki - pni);
    const wr = st.superR[k - 1]!, wi = st.superI[k - 1]!;
    const twr = sround((Math.imul(f2r, wr) - Math.imul(f2i, wi)) | 0);
    const twi = sround((Math.imul(f2r, wi) + Math.imul(f2i, wr)) | 0);
    outR[k] = (f1r + twr) >> 1;
    outI[k] = (f1i + twi) >> 1;
    outR[n - k] = (f1r - twr) >> 1;
    outI[n - k] = (twi - f1i) >> 1;
  }
}

// ---------------------------------------------------------------------------
// Setup

// float32 natural log of 1 + x: the double result rounded to float (agrees with a
// correctly rounded log1pf except at double-rounding ties).
const log1pf = (x: number): number => f32(Math.log1p(x));

function freqToMel(freq: number, variant: 'signal' | 'microfrontend'): number {
  if (variant === 'signal') return f32(f32(1127) * log1pf(f32(f32(freq) / f32(700))));
  return f32(1127.0 * Math.log1p(f32(freq) / 700.0));
}

interface Filterbank {
  startIndex: number;
  endIndex: number;
  /** Per channel + 1 (channel 0 is scratch): first FFT bin, first weight, width. */
  freqStarts: Int32Array;
  weightStarts: Int32Array;
  widths: Int32Array;
  weights: Int16Array;
  unweights: Int16Array;
}

const ALIGNMENT = 4; // bytes: channel starts aligned to 2 int16 bins
const BLOCK = 4; // channel widths padded to multiples of 4

function buildFilterbank(
  numChannels: number, sampleRate: number, spectrumSize: number,
  lower: number, upper: number, variant: 'signal' | 'microfrontend',
): Filterbank {
  const signal = variant === 'signal';
  const n1 = numChannels + 1;
  const melLow = freqToMel(lower, variant);
  const melHigh = freqToMel(upper, variant);
  const spacing = f32(f32(melHigh - melLow) / n1);
  const center = new Float64Array(n1);
  for (let i = 0; i < n1; i++) center[i] = f32(melLow + f32(spacing * (i + 1)));

  const hzPerBin = signal ? sampleRate / 2 / (spectrumSize - 1) : f32((0.5 * sampleRate) / f32(spectrumSize - 1));
  const startIndex = signal ? roundHalfEven(1 + lower / hzPerBin) : Math.trunc(1.5 + f32(f32(lower) / hzPerBin));
  const melOf = (bin: number): number => freqToMel(signal ? bin * hzPerBin : f32(bin * hzPerBin), variant);

  const indexAlignment = ALIGNMENT / 2;
  const freqStarts = new Int32Array(n1);
  const weightStarts = new Int32Array(n1);
  const widths = new Int32Array(n1);
  const actualStarts = new Int32Array(n1);
  const actualWidths = new Int32Array(n1);
  let chanStart = startIndex;
  let weightAt = 0;
  let needsZeros = false;
  for (let c = 0; c < n1; c++) {
    let f = chanStart;
    while (melOf(f) <= center[c]!) f++;
    const width = f - chanStart;
    actualStarts[c] = chanStart;
    actualWidths[c] = width;
    if (width === 0) {
      // An empty channel reads BLOCK zero weights placed at the start of the table.
      freqStarts[c] = 0;
      weightStarts[c] = 0;
      widths[c] = BLOCK;
      if (!needsZeros) {
        needsZeros = true;
        for (let j = 0; j < c; j++) weightStarts[j]! += BLOCK;
        weightAt += BLOCK;
      }
    } else {
      const aligned = Math.floor(chanStart / indexAlignment) * indexAlignment;
      const padded = (Math.floor((chanStart - aligned + width - 1) / BLOCK) + 1) * BLOCK;
      freqStarts[c] = aligned;
      weightStarts[c] = weightAt;
      widths[c] = padded;
      weightAt += padded;
    }
    chanStart = f;
  }

  const weights = new Int16Array(weightAt);
  const unweights = new Int16Array(weightAt);
  let endIndex = 0;
  for (let c = 0; c < n1; c++) {
    let f = actualStarts[c]!;
    const offset = f - freqStarts[c]!;
    const denom = c === 0 ? melLow : center[c - 1]!;
    for (let j = 0; j < actualWidths[c]!; j++, f++) {
      const num = f32(center[c]! - melOf(f));
      const den = f32(center[c]! - denom);
      const w = f32(num / den);
      const at = weightStarts[c]! + offset + j;
      if (signal) {
        weights[at] = Math.trunc(w * (1 << FILTERBANK_BITS));
        unweights[at] = Math.trunc((1 - w) * (1 << FILTERBANK_BITS));
      } else {
        weights[at] = Math.floor(f32(w * (1 << FILTERBANK_BITS)) + 0.5);
        unweights[at] = Math.floor((1.0 - w) * (1 << FILTERBANK_BITS) + 0.5);
      }
    }
    if (f > endIndex) endIndex = f;
  }
  if (endIndex >= spectrumSize) {
    throw new RangeError(`filterbank upper edge ${upper} Hz reaches past the spectrum (${sampleRate / 2} Hz)`);
  }
  return { startIndex, endIndex, freqStarts, weightStarts, widths, weights, unweights };
}

function hannWindow(size: number, variant: 'signal' | 'microfrontend'): Int16Array {
  const w = new Int16Array(size);
  const scale = 1 << WINDOW_BITS;
  if (variant === 'signal') {
    const arg = (Math.PI * 2) / size;
    for (let i = 0; i < size; i++) w[i] = roundHalfEven((0.5 - 0.5 * Math.cos(arg * (i + 0.5))) * scale);
  } else {
    const arg = f32((Math.PI * 2.0) / size);
    for (let i = 0; i < size; i++) w[i] = Math.floor(f32(0.5 - 0.5 * Math.cos(arg * (i + 0.5))) * scale + 0.5);
  }
  return w;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** TFLite Micro's PCAN gain curve: gain(x) = 2^gainBits * (x / 2^inputBits + offset)^-strength, in float32. */
function pcanGain(strength: number, offset: number, gainBits: number, inputBits: number, x: number): number {
  const xf = f32(f32(x) / f32(2 ** inputBits));
  const g = f32(f32(2 ** gainBits) * f32(Math.pow(f32(xf + f32(offset)), -f32(strength))));
  if (g > 32767) return 32767;
  return Math.trunc(f32(g + 0.5));
}

/** The wide dynamic function table: per power of two, a quadratic through 3 points of the gain curve. */
function pcanGainLut(strength: number, offset: number, gainBits: number, inputBits: number): Int16Array {
  const lut = new Int16Array(4 * WIDE_DYNAMIC_FUNCTION_BITS - 2);
  lut[0] = pcanGain(strength, offset, gainBits, inputBits, 0);
  lut[1] = pcanGain(strength, offset, gainBits, inputBits, 1);
  for (let interval = 2; interval <= WIDE_DYNAMIC_FUNCTION_BITS; interval++) {
    const x0 = 2 ** (interval - 1);
    const x1 = x0 + Math.floor(x0 / 2);
    const x2 = interval === WIDE_DYNAMIC_FUNCTION_BITS ? x0 + (x0 - 1) : 2 * x0;
    const y0 = pcanGain(strength, offset, gainBits, inputBits, x0);
    const y1 = pcanGain(strength, offset, gainBits, inputBits, x1);
    const y2 = pcanGain(strength, offset, gainBits, inputBits, x2);
    const a1 = 4 * (y1 - y0) - (y2 - y0);
    const a2 = y2 - y0 - a1;
    const at = 4 * interval - 6;
    lut[at] = y0;
    lut[at + 1] = a1;
    lut[at + 2] = a2;
  }
  return lut;
}

// ---------------------------------------------------------------------------
// Per-frame arithmetic

function sqrt32(num: number): number {
  if (num === 0) return 0;
  let res = 0;
  const maxBit = (32 - msb(num)) | 1;
  let bit = 2 ** (31 - maxBit);
  let iterations = Math.floor((31 - maxBit) / 2) + 1;
  while (iterations--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = Math.floor(res / 2) + bit;
    } else {
      res = Math.floor(res / 2);
    }
    bit = Math.floor(bit / 4);
  }
  if (num > res && res !== 0xffff) res++;
  return res & 0xffff; // uint16 result
}

/** Integer square root of a uint64 (here always below 2^53), TFLite Micro's Sqrt64 (32-bit shortcut included). */
function sqrt64(num: number): number {
  if (num < TWO32) return sqrt32(num);
  let res = 0;
  const maxBit = (64 - msb(num)) | 1;
  let bit = 2 ** (63 - maxBit);
  let iterations = Math.floor((63 - maxBit) / 2) + 1;
  while (iterations--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = Math.floor(res / 2) + bit;
    } else {
      res = Math.floor(res / 2);
    }
    bit = Math.floor(bit / 4);
  }
  if (num > res && res !== 0xffffffff) res++;
  return res % TWO32;
}

function wideDynamicFunction(x: number, lut: Int16Array): number {
  if (x <= 2) return lut[x]!;
  const interval = msb(x);
  const at = 4 * interval - 6;
  const frac = (interval < 11 ? x * 2 ** (11 - interval) : Math.floor(x / 2 ** (interval - 11))) & 0x3ff;
  let result = Math.imul(lut[at + 2]!, frac) >> 5;
  result = (result + Math.imul(lut[at + 1]!, 32)) | 0;
  result = Math.imul(result, frac);
  result = ((result + (1 << 14)) | 0) >> 15;
  result += lut[at]!;
  return wrap16(result);
}

function pcanShrink(x: number): number {
  if (x < 2 << PCAN_SNR_BITS) return Math.floor((x * x) / 2 ** (2 + 2 * PCAN_SNR_BITS - PCAN_OUTPUT_BITS));
  return Math.floor(x / 2 ** (PCAN_SNR_BITS - PCAN_OUTPUT_BITS)) - (1 << PCAN_OUTPUT_BITS);
}

function log2FractionPart(x: number, log2x: number): number {
  let frac = (x - 2 ** log2x) | 0;
  if (log2x < LOG_SCALE_LOG2) frac <<= LOG_SCALE_LOG2 - log2x;
  else frac >>= log2x - LOG_SCALE_LOG2;
  const baseSeg = frac >>> (LOG_SCALE_LOG2 - LOG_SEGMENTS_LOG2);
  const segUnit = (1 << LOG_SCALE_LOG2) >>> LOG_SEGMENTS_LOG2;
  const c0 = LOG_LUT[baseSeg]!;
  const c1 = LOG_LUT[baseSeg + 1]!;
  const relPos = Math.imul(c1 - c0, frac - segUnit * baseSeg) >> LOG_SCALE_LOG2;
  return (frac + c0 + relPos) >>> 0;
}

/** ln(x) * 2^scaleShift for a uint32 x > 1, TFLite Micro's integer log. */
function integerLog(x: number, scaleShift: number): number {
  const integer = msb(x) - 1;
  const fraction = log2FractionPart(x, integer);
  const log2 = integer * 65536 + fraction;
  const round = 1 << (LOG_SCALE_LOG2 - 1);
  const loge = Math.floor((LOG_COEFF * log2 + round) / 65536) % TWO32;
  return Math.floor((((loge * 2 ** scaleShift) % TWO32) + round) / 65536);
}

// ---------------------------------------------------------------------------

interface Resolved {
  sampleRate: number; windowSize: number; step: number; fftSize: number;
  channels: number; lowerHz: number; upperHz: number;
  smoothingBits: number; evenSmoothing: number; oddSmoothing: number; minSignalRemaining: number; clamping: boolean;
  pcan: boolean; pcanStrength: number; pcanOffset: number; pcanGainBits: number;
  log: boolean; logShift: number; variant: 'signal' | 'microfrontend';
}

function resolve(o: FrontendOptions): Resolved {
  const sampleRate = o.sampleRate ?? 16000;
  const windowMs = o.windowMs ?? 30;
  const strideMs = o.strideMs ?? 20;
  const windowSize = Math.floor((windowMs * sampleRate) / 1000);
  const step = Math.floor((strideMs * sampleRate) / 1000);
  if (!(windowSize >= 2) || !(step >= 1)) throw new RangeError(`window ${windowMs} ms / stride ${strideMs} ms too short at ${sampleRate} Hz`);
  let fftSize = 1;
  while (fftSize < windowSize) fftSize <<= 1;
  if (fftSize < 4) fftSize = 4;
  const r: Resolved = {
    sampleRate, windowSize, step, fftSize,
    channels: o.channels ?? 40,
    lowerHz: o.lowerHz ?? 125,
    upperHz: o.upperHz ?? 7500,
    smoothingBits: o.smoothingBits ?? 10,
    evenSmoothing: o.evenSmoothing ?? 0.025,
    oddSmoothing: o.oddSmoothing ?? 0.06,
    minSignalRemaining: o.minSignalRemaining ?? 0.05,
    clamping: o.clamping ?? false,
    pcan: o.pcan ?? true,
    pcanStrength: o.pcanStrength ?? 0.95,
    pcanOffset: o.pcanOffset ?? 80,
    pcanGainBits: o.pcanGainBits ?? 21,
    log: o.log ?? true,
    logShift: o.logShift ?? 6,
    variant: o.variant ?? 'signal',
  };
  if (!Number.isInteger(r.channels) || r.channels < 1) throw new RangeError(`channels ${r.channels}: need a positive integer`);
  if (!(r.lowerHz >= 0 && r.upperHz > r.lowerHz)) throw new RangeError(`filterbank edges ${r.lowerHz}..${r.upperHz} Hz`);
  return r;
}

/** Frames a clip of `length` samples gives: one per full window, windows `step` apart. */
export function frameCount(length: number, options: FrontendOptions = {}): number {
  const r = resolve(options);
  return length < r.windowSize ? 0 : Math.floor((length - r.windowSize) / r.step) + 1;
}

/**
 * A reusable front end: the setup tables are built once; `next(window)` processes one
 * window of samples (the noise estimate carries over); `reset()` clears the estimate.
 */
export class MicroFrontend {
  readonly windowSize: number;
  readonly step: number;
  readonly channels: number;
  private readonly r: Resolved;
  private readonly window: Int16Array;
  private readonly fft: KissFft;
  private readonly fb: Filterbank;
  private readonly lut: Int16Array;
  private readonly snrShift: number;
  private readonly correctionBits: number;
  private readonly estimate: Float64Array;
  private readonly smoothing: [number, number, number, number];
  private readonly minRemaining: number;
  // work buffers
  private readonly frame: Int16Array;
  private readonly scratch: Int16Array[];
  private readonly specR: Int16Array;
  private readonly specI: Int16Array;
  private readonly energy: Float64Array;
  private readonly work: Float64Array;

  constructor(options: FrontendOptions = {}) {
    const r = (this.r = resolve(options));
    this.windowSize = r.windowSize;
    this.step = r.step;
    this.channels = r.channels;
    this.window = hannWindow(r.windowSize, r.variant);
    this.fft = kissFftAlloc(r.fftSize);
    const spectrumSize = r.fftSize / 2 + 1;
    this.fb = buildFilterbank(r.channels, r.sampleRate, spectrumSize, r.lowerHz, r.upperHz, r.variant);
    // The log and PCAN stages undo the filterbank's scaling: sqrt(energy * 2^12) of a
    // (fftSize/2)-scaled spectrum.
    this.correctionBits = msb(r.fftSize) - 1 - FILTERBANK_BITS / 2;
    this.snrShift = r.pcanGainBits - this.correctionBits - PCAN_SNR_BITS;
    this.lut = pcanGainLut(r.pcanStrength, r.pcanOffset, r.pcanGainBits, r.smoothingBits - this.correctionBits);
    const one = 1 << NOISE_REDUCTION_BITS;
    const even = Math.trunc(f32(f32(r.evenSmoothing) * one));
    const odd = Math.trunc(f32(f32(r.oddSmoothing) * one));
    this.smoothing = [even, one - even, odd, one - odd];
    this.minRemaining = Math.trunc(f32(f32(r.minSignalRemaining) * one));
    this.estimate = new Float64Array(r.channels);
    this.frame = new Int16Array(r.fftSize);
    const n = r.fftSize / 2;
    this.scratch = [new Int16Array(n), new Int16Array(n), new Int16Array(n), new Int16Array(n)];
    this.specR = new Int16Array(n + 1);
    this.specI = new Int16Array(n + 1);
    this.energy = new Float64Array(n + 1);
    this.work = new Float64Array(r.channels + 1);
  }

  reset(): void {
    this.estimate.fill(0);
  }

  /** Processes one window (`samples[at .. at + windowSize)`), writing `channels` values to `out[outAt ..]`. */
  next(samples: Int16Array, at: number, out: Uint16Array, outAt: number): void {
    const { r, fb, frame, specR, specI, energy, work, estimate } = this;
    const size = this.windowSize;
    if (at < 0 || at + size > samples.length) throw new RangeError(`window at ${at} runs past ${samples.length} samples`);

    // Window, and find the largest magnitude.
    let maxAbs = 0;
    for (let i = 0; i < size; i++) {
      const v = wrap16((samples[at + i]! * this.window[i]!) >> WINDOW_BITS);
      frame[i] = v;
      const a = v < 0 ? -v : v;
      if (a > maxAbs) maxAbs = a;
    }
    // Scale up so the FFT keeps as many bits as it can.
    const shift = Math.max(0, 15 - msb(maxAbs));
    for (let i = 0; i < size; i++) frame[i] = frame[i]! << shift;
    frame.fill(0, size);
    kissFftr(this.fft, frame, specR, specI, this.scratch);

    // Energy of the bins the filterbank reads (others are zero).
    energy.fill(0);
    for (let i = fb.startIndex; i < fb.endIndex; i++) {
      const re = specR[i]!, im = specI[i]!;
      energy[i] = (Math.imul(re, re) + Math.imul(im, im)) >>> 0;
    }

    // Filterbank: each bin adds weight*energy to its channel and (1-weight)*energy to the next.
    let weighted = 0;
    let unweighted = 0;
    for (let c = 0; c <= r.channels; c++) {
      const f0 = fb.freqStarts[c]!, w0 = fb.weightStarts[c]!, width = fb.widths[c]!;
      for (let j = 0; j < width; j++) {
        const e = energy[f0 + j] ?? 0;
        weighted += fb.weights[w0 + j]! * e;
        unweighted += fb.unweights[w0 + j]! * e;
      }
      work[c] = weighted;
      weighted = unweighted;
      unweighted = 0;
    }

    const [evenS, evenOne, oddS, oddOne] = this.smoothing;
    const sb = r.smoothingBits;
    for (let c = 0; c < r.channels; c++) {
      // Square root, undoing the FFT input scaling.
      let signal = Math.floor(sqrt64(work[c + 1]!) / 2 ** shift);

      // Noise reduction: subtract a slowly tracking estimate of the noise floor.
      const s = (c & 1) === 0 ? evenS : oddS;
      const oneMinus = (c & 1) === 0 ? evenOne : oddOne;
      const scaledUp = (signal * 2 ** sb) % TWO32;
      const est = Math.floor((scaledUp * s + estimate[c]! * oneMinus) / 2 ** NOISE_REDUCTION_BITS) % TWO32;
      estimate[c] = est;
      let e = est;
      if (e > scaledUp) {
        e = scaledUp;
        if (r.clamping) estimate[c] = e;
      }
      const floor = Math.floor((signal * this.minRemaining) / 2 ** NOISE_REDUCTION_BITS) % TWO32;
      const subtracted = Math.floor((scaledUp - e) / 2 ** sb);
      signal = subtracted > floor ? subtracted : floor;

      // PCAN: normalize by a gain that falls with the noise level.
      if (r.pcan) {
        const gain = wideDynamicFunction(estimate[c]!, this.lut) >>> 0;
        const snr = Math.floor((signal * gain) / 2 ** this.snrShift) % TWO32;
        signal = pcanShrink(snr);
      }

      // Log.
      let value = signal;
      if (r.log) {
        const cb = this.correctionBits;
        value = cb < 0 ? Math.floor(value / 2 ** -cb) : (value * 2 ** cb) % TWO32;
        value = value > 1 ? integerLog(value, r.logShift) : 0;
      }
      out[outAt + c] = value < 0xffff ? value : 0xffff;
    }
  }
}

/**
 * TFLite Micro's audio front end over a whole clip: one frame of `channels` features per
 * full window (windows `strideMs` apart, the first at sample 0), noise state starting at zero.
 */
export function microFrontend(samples: Int16Array, options: FrontendOptions = {}): FrontendFeatures {
  const fe = new MicroFrontend(options);
  const frames = frameCount(samples.length, options);
  const values = new Uint16Array(frames * fe.channels);
  for (let f = 0; f < frames; f++) fe.next(samples, f * fe.step, values, f * fe.channels);
  return { frames, channels: fe.channels, values };
}

/**
 * Front-end value to the micro_speech model's int8 input: value * 256 / 666 rounded,
 * minus 128, clamped (the training pipeline divides by 25.6 and the model's input scale
 * is 26/256).
 */
export function featureToInt8(value: number): number {
  const v = Math.trunc((value * 256 + 333) / 666) - 128;
  return v < -128 ? -128 : v > 127 ? 127 : v;
}

export const MICRO_SPEECH_FRAMES = 49;
export const MICRO_SPEECH_CHANNELS = 40;

/**
 * The 49 x 40 int8 input of TFLite Micro's micro_speech model from 1 s of 16 kHz audio
 * (default front end options). Longer clips use their first 49 frames; frames a shorter
 * clip does not have are -128 (a zero feature).
 */
export function microSpeechFeatures(samples: Int16Array, options: FrontendOptions = {}): Int8Array {
  const { frames, channels, values } = microFrontend(samples, options);
  if (channels !== MICRO_SPEECH_CHANNELS) throw new RangeError(`micro_speech takes ${MICRO_SPEECH_CHANNELS} channels, got ${channels}`);
  const out = new Int8Array(MICRO_SPEECH_FRAMES * MICRO_SPEECH_CHANNELS).fill(-128);
  const n = Math.min(frames, MICRO_SPEECH_FRAMES) * channels;
  for (let i = 0; i < n; i++) out[i] = featureToInt8(values[i]!);
  return out;
}

// ---------------------------------------------------------------------------
// The fixed-point building blocks, exported for tests and for other front ends.

/**
 * KISS FFT's 16-bit fixed-point real FFT (as TFLite Micro builds it): `input.length`
 * (a power of two, at least 4) int16 samples to bins 0..length/2. Each stage divides by
 * its radix, so the result approximates the DFT divided by the length.
 */
export function realFftInt16(input: Int16Array): { re: Int16Array; im: Int16Array } {
  const size = input.length;
  if (size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size ${size}: need a power of two >= 4`);
  const st = kissFftAlloc(size);
  const n = size / 2;
  const re = new Int16Array(n + 1);
  const im = new Int16Array(n + 1);
  kissFftr(st, input, re, im, [new Int16Array(n), new Int16Array(n), new Int16Array(n), new Int16Array(n)]);
  return { re, im };
}

/** TFLite Micro's integer square root of an unsigned integer below 2^53, rounded to nearest. */
export function fixedSqrt(x: number): number {
  return sqrt64(x);
}

/** TFLite Micro's integer natural log: round(ln(x) * 2^scaleShift) approximately, for 1 < x < 2^32. */
export function fixedLog(x: number, scaleShift = 6): number {
  return integerLog(x, scaleShift);
}
