// Optimizers share one loop (clip, then per-weight update) and differ only in
// the update rule. Learning rates may follow a schedule of the step number.
import { fail } from './errors.js';
import type { Weight } from './layers.js';

// ------------------------------------------------------------ learning-rate schedules

export type ScheduleConfig =
  | { type: 'constant'; value: number }
  /** lr = initial * factor ^ floor(step / every) */
  | { type: 'step'; initial: number; every: number; factor: number }
  /** lr = initial * rate ^ (step / decaySteps) */
  | { type: 'exponential'; initial: number; decaySteps: number; rate: number }
  /** cosine from initial down to initial * alpha over decaySteps, then flat */
  | { type: 'cosine'; initial: number; decaySteps: number; alpha?: number }
  /** linear ramp from 0 over warmupSteps, then `after` (whose step count starts at 0 after the ramp) */
  | { type: 'warmup'; warmupSteps: number; after: ScheduleConfig | number };

export type LearningRate = number | ScheduleConfig;

export function learningRateAt(lr: LearningRate, step: number): number {
  if (typeof lr === 'number') return lr;
  switch (lr.type) {
    case 'constant': return lr.value;
    case 'step': return lr.initial * Math.pow(lr.factor, Math.floor(step / lr.every));
    case 'exponential': return lr.initial * Math.pow(lr.rate, step / lr.decaySteps);
    case 'cosine': {
      const t = Math.min(step, lr.decaySteps) / lr.decaySteps;
      const alpha = lr.alpha ?? 0;
      return lr.initial * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * t)) + alpha);
    }
    case 'warmup': {
      const peak = learningRateAt(lr.after, 0);
      if (step < lr.warmupSteps) return (peak * (step + 1)) / lr.warmupSteps;
      return learningRateAt(lr.after, step - lr.warmupSteps);
    }
    default:
      return fail('E_CONFIG', `unknown learning-rate schedule ${JSON.stringify(lr)}; use constant, step, exponential, cosine or warmup`);
  }
}

// ------------------------------------------------------------ optimizers

export interface OptimizerOptions {
  learningRate?: LearningRate;
  /** Scale all gradients together so their global L2 norm is at most this. */
  clipNorm?: number;
  /** Clamp each gradient value to [-clipValue, clipValue]. */
  clipValue?: number;
  /** Decoupled weight decay on kernels: w -= lr * weightDecay * w (AdamW style) for every optimizer. */
  weightDecay?: number;
}

export type OptimizerConfig =
  | ({ type: 'sgd'; momentum?: number; nesterov?: boolean } & OptimizerOptions)
  | ({ type: 'adam' | 'adamw'; beta1?: number; beta2?: number; epsilon?: number } & OptimizerOptions)
  | ({ type: 'rmsprop'; rho?: number; momentum?: number; epsilon?: number } & OptimizerOptions);

export abstract class Optimizer {
  /** Steps taken so far; schedules read it. */
  iterations = 0;
  private slots = new Map<Weight, Float32Array[]>();

  constructor(readonly config: OptimizerConfig) {
    if (config.clipNorm !== undefined && !(config.clipNorm > 0)) fail('E_CONFIG', `clipNorm must be > 0, got ${config.clipNorm}`);
    if (config.clipValue !== undefined && !(config.clipValue > 0)) fail('E_CONFIG', `clipValue must be > 0, got ${config.clipValue}`);
  }

  get learningRate(): number {
    return learningRateAt(this.config.learningRate ?? 0.001, this.iterations);
  }

  /** Updates every trainable weight from its gradient (weights without one are skipped). */
  step(weights: Weight[]): void {
    const live = weights.filter((w) => w.trainable && w.tensor.grad);
    this.clip(live.map((w) => w.tensor.grad!));
    const lr = this.learningRate;
    const t = ++this.iterations;
    const wd = this.config.weightDecay ?? 0;
    for (const w of live) {
      const p = w.tensor.data;
      if (wd > 0 && w.decay) for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * wd * p[i]!;
      let s = this.slots.get(w);
      if (!s) this.slots.set(w, (s = Array.from({ length: this.slotCount }, () => new Float32Array(p.length))));
      this.update(p, w.tensor.grad!, s, lr, t);
    }
  }

  private clip(grads: Float32Array[]): void {
    const { clipNorm, clipValue } = this.config;
    if (clipValue) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = Math.min(clipValue, Math.max(-clipValue, g[i]!));
    if (clipNorm) {
      let sq = 0;
      for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
      const norm = Math.sqrt(sq);
      if (norm > clipNorm) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = (g[i]! * clipNorm) / norm;
    }
  }

  protected abstract readonly slotCount: number;
  /** Updates parameters p in place from gradient g; s holds this weight's slots. t counts from 1. */
  protected abstract update(p: Float32Array, g: Float32Array, s: Float32Array[], lr: number, t: number): void;
}

/** SGD with optional (Nesterov) momentum: v = m v - lr g; p += v (Nesterov: p += m v - lr g). */
export class SGD extends Optimizer {
  protected readonly slotCount = 1;
  protected update(p: Float32Array, g: Float32Array, [v]: Float32Array[], lr: number): void {
    const c = this.config as Extract<OptimizerConfig, { type: 'sgd' }>;
    const m = c.momentum ?? 0;
    for (let i = 0; i < p.length; i++) {
      const vi = m * v![i]! - lr * g[i]!;
      v![i] = vi;
      p[i] = p[i]! + (c.nesterov ? m * vi - lr * g[i]! : vi);
    }
  }
}

/** Adam (Kingma & Ba) with bias correction; AdamW is Adam plus decoupled weight decay (default 0.004). */
export class Adam extends Optimizer {
  protected readonly slotCount = 2;
  protected update(p: Float32Array, g: Float32Array, [m, v]: Float32Array[], lr: number, t: number): void {
    const c = this.config as Extract<OptimizerConfig, { type: 'adam' | 'adamw' }>;
    const b1 = c.beta1 ?? 0.9, b2 = c.beta2 ?? 0.999, eps = c.epsilon ?? 1e-7;
    const a = (lr * Math.sqrt(1 - Math.pow(b2, t))) / (1 - Math.pow(b1, t));
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      const mi = (m![i] = b1 * m![i]! + (1 - b1) * gi);
      const vi = (v![i] = b2 * v![i]! + (1 - b2) * gi * gi);
      p[i] = p[i]! - (a * mi) / (Math.sqrt(vi) + eps);
    }
  }
}

/** RMSProp: r = rho r + (1 - rho) g^2; step lr g / sqrt(r + eps), with optional momentum. */
export class RMSProp extends Optimizer {
  protected readonly slotCount = 2;
  protected update(p: Float32Array, g: Float32Array, [r, mom]: Float32Array[], lr: number): void {
    const c = this.config as Extract<OptimizerConfig, { type: 'rmsprop' }>;
    const rho = c.rho ?? 0.9, eps = c.epsilon ?? 1e-7, m = c.momentum ?? 0;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      const ri = (r![i] = rho * r![i]! + (1 - rho) * gi * gi);
      const step = (lr * gi) / Math.sqrt(ri + eps);
      if (m > 0) {
        mom![i] = m * mom![i]! + step;
        p[i] = p[i]! - mom![i]!;
      } else p[i] = p[i]! - step;
    }
  }
}

export function createOptimizer(spec: OptimizerConfig | OptimizerConfig['type'] | Optimizer): Optimizer {
  if (spec instanceof Optimizer) return spec;
  const c = (typeof spec === 'string' ? { type: spec } : spec) as OptimizerConfig;
  switch (c.type) {
    case 'sgd': return new SGD({ learningRate: 0.01, ...c });
    case 'adam': return new Adam(c);
    case 'adamw': return new Adam({ weightDecay: 0.004, ...c });
    case 'rmsprop': return new RMSProp(c);
    default:
      return fail('E_CONFIG', `unknown optimizer ${JSON.stringify((c as { type: unknown }).type)}; use sgd, adam, adamw or rmsprop`);
  }
}

export const optimizers = {
  sgd: (o: Omit<Extract<OptimizerConfig, { type: 'sgd' }>, 'type'> = {}) => createOptimizer({ type: 'sgd', ...o }),
  adam: (o: Omit<Extract<OptimizerConfig, { type: 'adam' }>, 'type'> = {}) => createOptimizer({ type: 'adam', ...o }),
  adamw: (o: Omit<Extract<OptimizerConfig, { type: 'adam' }>, 'type'> = {}) => createOptimizer({ type: 'adamw', ...o }),
  rmsprop: (o: Omit<Extract<OptimizerConfig, { type: 'rmsprop' }>, 'type'> = {}) => createOptimizer({ type: 'rmsprop', ...o }),
};
