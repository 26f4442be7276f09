// Losses, each a composition of ops (their gradients come from ops.ts). All
// return the mean over the batch. Targets never need gradients.
import { fail } from './errors.js';
import * as op from './ops.js';
import { Tensor } from './tensor.js';

export type LossName =
  | 'mse' | 'mae' | 'huber'
  | 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy';

export const LOSSES: readonly LossName[] = [
  'mse', 'mae', 'huber', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy',
];

export interface LossConfig {
  type: LossName;
  /** Cross-entropies: predictions are logits (no sigmoid / softmax applied yet). */
  fromLogits?: boolean;
  /** Huber: where the quadratic turns linear. */
  delta?: number;
}

export type LossFn = (pred: Tensor, target: Tensor) => Tensor;

/** Keeps probabilities away from 0 and 1 before taking logs. */
const EPS = 1e-7;

function checkSameSize(name: string, pred: Tensor, target: Tensor): void {
  if (pred.size !== target.size)
    fail('E_SHAPE', `${name}: predictions [${pred.shape.join(', ')}] and targets [${target.shape.join(', ')}] differ in size`);
}

function rows(pred: Tensor): number {
  return pred.shape.length > 1 ? pred.shape[0]! : 1;
}

export function mse(pred: Tensor, target: Tensor): Tensor {
  checkSameSize('mse', pred, target);
  return op.mean(op.square(op.sub(pred, op.reshape(target, pred.shape))));
}

export function mae(pred: Tensor, target: Tensor): Tensor {
  checkSameSize('mae', pred, target);
  return op.mean(op.abs(op.sub(pred, op.reshape(target, pred.shape))));
}

export function huber(pred: Tensor, target: Tensor, delta = 1): Tensor {
  checkSameSize('huber', pred, target);
  return op.mean(op.huber(op.sub(pred, op.reshape(target, pred.shape)), delta));
}

/** Mean over samples of -sum_c t_c log p_c, targets one-hot (or any distribution). */
export function categoricalCrossentropy(pred: Tensor, target: Tensor, fromLogits = false): Tensor {
  checkSameSize('categoricalCrossentropy', pred, target);
  const logp = fromLogits ? op.logSoftmax(pred) : op.log(op.clip(pred, EPS, 1 - EPS));
  return op.scale(op.sum(op.mul(op.reshape(target, pred.shape), logp)), -1 / rows(pred));
}

/** Targets are class indices [N]. */
export function sparseCategoricalCrossentropy(pred: Tensor, target: Tensor, fromLogits = false): Tensor {
  const n = rows(pred);
  if (target.size !== n)
    fail('E_SHAPE', `sparseCategoricalCrossentropy: ${target.size} labels for ${n} predictions; labels must be class indices [N]`);
  const logp = fromLogits ? op.logSoftmax(pred) : op.log(op.clip(pred, EPS, 1 - EPS));
  return op.scale(op.sum(op.pick(logp, target.data)), -1 / n);
}

/** Targets in [0, 1], one per prediction. */
export function binaryCrossentropy(pred: Tensor, target: Tensor, fromLogits = false): Tensor {
  checkSameSize('binaryCrossentropy', pred, target);
  const t = op.reshape(target, pred.shape);
  if (fromLogits) {
    // softplus(z) - z t  ==  -(t log sigmoid(z) + (1 - t) log(1 - sigmoid(z)))
    return op.mean(op.sub(op.softplus(pred), op.mul(pred, t)));
  }
  const p = op.clip(pred, EPS, 1 - EPS);
  const pos = op.mul(t, op.log(p));
  const neg = op.mul(op.affine(t, -1, 1), op.log(op.affine(p, -1, 1)));
  return op.scale(op.mean(op.add(pos, neg)), -1);
}

export function lossFunction(spec: LossName | LossConfig | LossFn): { fn: LossFn; config: LossConfig | null } {
  if (typeof spec === 'function') return { fn: spec, config: null };
  const c: LossConfig = typeof spec === 'string' ? { type: spec } : spec;
  const logits = c.fromLogits ?? false;
  switch (c.type) {
    case 'mse': return { fn: mse, config: c };
    case 'mae': return { fn: mae, config: c };
    case 'huber': return { fn: (p, t) => huber(p, t, c.delta ?? 1), config: c };
    case 'binaryCrossentropy': return { fn: (p, t) => binaryCrossentropy(p, t, logits), config: c };
    case 'categoricalCrossentropy': return { fn: (p, t) => categoricalCrossentropy(p, t, logits), config: c };
    case 'sparseCategoricalCrossentropy': return { fn: (p, t) => sparseCategoricalCrossentropy(p, t, logits), config: c };
    default:
      return fail('E_CONFIG', `unknown loss ${JSON.stringify(c.type)}; use one of ${LOSSES.join(', ')}`);
  }
}

/** Penalty l1 * sum|w| + l2 * sum w^2 for a kernel. */
export function regularization(w: Tensor, l1 = 0, l2 = 0): Tensor | null {
  const terms: Tensor[] = [];
  if (l1 > 0) terms.push(op.scale(op.sum(op.abs(w)), l1));
  if (l2 > 0) terms.push(op.scale(op.sum(op.square(w)), l2));
  if (!terms.length) return null;
  return terms.length === 1 ? terms[0]! : op.add(terms[0]!, terms[1]!);
}
