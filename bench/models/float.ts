// Float forward pass of a Net in plain TypeScript (NHWC): calibration of the
// int8 activation ranges, and the reference the float peer is checked against.
import { elements, spatial, type Activation, type Layer, type Net } from '../export/net.js';

const act = (a: Activation) => (a === 'relu' ? (v: number) => Math.max(0, v) : a === 'relu6' ? (v: number) => Math.min(6, Math.max(0, v)) : (v: number) => v);

/** Every tensor's values for one input. */
export function forward(net: Net, input: Float32Array): Float32Array[] {
  const values: Float32Array[] = [];
  values[net.input] = input;
  for (const l of net.layers) values[l.output] = run(net, l, values);
  return values;
}

function run(net: Net, l: Layer, v: Float32Array[]): Float32Array {
  const xs = net.tensors[l.inputs[0]!]!.shape;
  const ys = net.tensors[l.output]!.shape;
  const x = v[l.inputs[0]!]!;
  const y = new Float32Array(elements(ys));
  switch (l.op) {
    case 'conv2d':
    case 'depthwise': {
      const [, h, w, c] = xs as [number, number, number, number];
      const [, oh, ow, oc] = ys as [number, number, number, number];
      const [kh, kw] = [l.weights.shape[1]!, l.weights.shape[2]!];
      const py = spatial(h, kh, l.stride[0], l.padding).before;
      const px = spatial(w, kw, l.stride[1], l.padding).before;
      const f = act(l.activation);
      const { w: wt, b } = l.weights;
      const dw = l.op === 'depthwise';
      const mult = dw ? l.depthMultiplier : 1;
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++)
          for (let o = 0; o < oc; o++) {
            let s = b[o]!;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * l.stride[0] - py + ky;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * l.stride[1] - px + kx;
                if (ix < 0 || ix >= w) continue;
                const xi = (iy * w + ix) * c;
                if (dw) s += x[xi + Math.floor(o / mult)]! * wt[(ky * kw + kx) * oc + o]!;
                else {
                  const wi = ((o * kh + ky) * kw + kx) * c;
                  for (let i = 0; i < c; i++) s += x[xi + i]! * wt[wi + i]!;
                }
              }
            }
            y[(oy * ow + ox) * oc + o] = f(s);
          }
      return y;
    }
    case 'dense': {
      const [oc, k] = l.weights.shape as [number, number];
      const f = act(l.activation);
      for (let r = 0; r < x.length / k; r++)
        for (let o = 0; o < oc; o++) {
          let s = l.weights.b[o]!;
          for (let i = 0; i < k; i++) s += x[r * k + i]! * l.weights.w[o * k + i]!;
          y[r * oc + o] = f(s);
        }
      return y;
    }
    case 'avgpool':
    case 'maxpool': {
      const [, h, w, c] = xs as [number, number, number, number];
      const [, oh, ow] = ys as [number, number, number, number];
      const py = spatial(h, l.filter[0], l.stride[0], l.padding).before;
      const px = spatial(w, l.filter[1], l.stride[1], l.padding).before;
      const f = act(l.activation);
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++)
          for (let ch = 0; ch < c; ch++) {
            let s = l.op === 'maxpool' ? -Infinity : 0;
            let n = 0;
            for (let ky = 0; ky < l.filter[0]; ky++)
              for (let kx = 0; kx < l.filter[1]; kx++) {
                const iy = oy * l.stride[0] - py + ky;
                const ix = ox * l.stride[1] - px + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const q = x[(iy * w + ix) * c + ch]!;
                s = l.op === 'maxpool' ? Math.max(s, q) : s + q;
                n++;
              }
            y[(oy * ow + ox) * c + ch] = f(l.op === 'maxpool' ? s : s / n);
          }
      return y;
    }
    case 'add': {
      const b = v[l.inputs[1]!]!;
      const f = act(l.activation);
      for (let i = 0; i < y.length; i++) y[i] = f(x[i]! + b[i]!);
      return y;
    }
    case 'reshape':
      return x.slice();
    case 'softmax': {
      const n = ys[ys.length - 1]!;
      for (let r = 0; r < y.length / n; r++) {
        let m = -Infinity;
        for (let i = 0; i < n; i++) m = Math.max(m, x[r * n + i]!);
        let s = 0;
        for (let i = 0; i < n; i++) s += y[r * n + i] = Math.exp(l.beta * (x[r * n + i]! - m));
        for (let i = 0; i < n; i++) y[r * n + i]! /= s;
      }
      return y;
    }
  }
}
