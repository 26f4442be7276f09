// Weight initializers. Fans follow Keras: a Dense kernel [in, out] has fanIn = in,
// fanOut = out; a conv kernel [kh, kw, in, out] has fanIn = kh*kw*in and
// fanOut = kh*kw*out; a depthwise kernel [kh, kw, c] has fanIn = fanOut = kh*kw.
import { fail } from './errors.js';
import type { Rng } from './rng.js';
import type { Shape } from './tensor.js';

export type InitializerName =
  | 'zeros' | 'ones'
  | 'heNormal' | 'heUniform'
  | 'glorotNormal' | 'glorotUniform'
  | 'lecunNormal' | 'lecunUniform';

export const INITIALIZERS: readonly InitializerName[] = [
  'zeros', 'ones', 'heNormal', 'heUniform', 'glorotNormal', 'glorotUniform', 'lecunNormal', 'lecunUniform',
];

export function fans(shape: Shape, depthwise = false): { fanIn: number; fanOut: number } {
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  if (depthwise) return { fanIn: shape[0]! * shape[1]!, fanOut: shape[0]! * shape[1]! };
  if (shape.length === 4) {
    const r = shape[0]! * shape[1]!;
    return { fanIn: r * shape[2]!, fanOut: r * shape[3]! };
  }
  const n = shape.reduce((a, b) => a * b, 1);
  return { fanIn: n, fanOut: n };
}

/** Fills a new array for `shape`. Normal variants use a normal truncated at 2 sigma, as Keras does. */
export function initialize(name: InitializerName, shape: Shape, rng: Rng, depthwise = false): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (name === 'zeros') return out;
  if (name === 'ones') return out.fill(1);
  const { fanIn, fanOut } = fans(shape, depthwise);
  const [kind, dist] = splitName(name);
  const variance = kind === 'he' ? 2 / fanIn : kind === 'lecun' ? 1 / fanIn : 2 / (fanIn + fanOut);
  if (dist === 'Uniform') {
    const limit = Math.sqrt(3 * variance);
    for (let i = 0; i < n; i++) out[i] = rng.uniform(-limit, limit);
  } else {
    // 0.8796... is the std of a unit normal truncated to [-2, 2].
    const std = Math.sqrt(variance) / 0.87962566103423978;
    for (let i = 0; i < n; i++) {
      let z: number;
      do z = rng.normal();
      while (Math.abs(z) > 2);
      out[i] = z * std;
    }
  }
  return out;
}

function splitName(name: string): ['he' | 'glorot' | 'lecun', 'Normal' | 'Uniform'] {
  const m = /^(he|glorot|lecun)(Normal|Uniform)$/.exec(name);
  if (!m) fail('E_CONFIG', `unknown initializer "${name}"; use one of ${INITIALIZERS.join(', ')}`);
  return [m[1] as 'he', m[2] as 'Normal'];
}
