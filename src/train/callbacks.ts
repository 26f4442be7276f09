// Hooks into fit(): progress display, early stopping, and custom logging.
import type { Model } from './model.js';

export type Logs = Record<string, number>;

export interface Callback {
  onTrainBegin?(model: Model): void;
  onEpochBegin?(epoch: number, model: Model): void;
  /** After each batch; logs hold running means over the epoch so far plus `samples`. */
  onBatchEnd?(batch: number, logs: Logs, model: Model): void;
  /** After each epoch (and validation); logs hold loss, metrics and val_* values. */
  onEpochEnd?(epoch: number, logs: Logs, model: Model): void;
  onTrainEnd?(model: Model): void;
}

export interface EarlyStoppingOptions {
  /** A key of the epoch logs, e.g. "val_loss" or "val_accuracy". */
  monitor?: string;
  /** Epochs without improvement before stopping. */
  patience?: number;
  /** Smallest change that counts as improvement. */
  minDelta?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' guesses from the name. */
  mode?: 'min' | 'max' | 'auto';
  /** Put back the weights of the best epoch when training ends. */
  restoreBestWeights?: boolean;
}

/** Stops fit() when the monitored value stops improving. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: 'min' | 'max';
  readonly restoreBestWeights: boolean;
  best = NaN;
  bestEpoch = -1;
  stoppedEpoch = -1;
  private wait = 0;
  private bestWeights: Float32Array[] | null = null;

  constructor(o: EarlyStoppingOptions = {}) {
    this.monitor = o.monitor ?? 'val_loss';
    this.patience = o.patience ?? 0;
    this.minDelta = Math.abs(o.minDelta ?? 0);
    const auto = /acc|auc|precision|recall|f1|r2/i.test(this.monitor) ? 'max' : 'min';
    this.mode = !o.mode || o.mode === 'auto' ? auto : o.mode;
    this.restoreBestWeights = o.restoreBestWeights ?? false;
  }

  onTrainBegin(): void {
    this.best = NaN;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    this.wait = 0;
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs: Logs, model: Model): void {
    const v = logs[this.monitor];
    if (v === undefined) return;
    const better = Number.isNaN(this.best) || (this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta);
    if (better) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights().map((w) => w.slice());
    } else if (++this.wait > this.patience) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  onTrainEnd(model: Model): void {
    if (this.restoreBestWeights && this.bestWeights) model.setWeights(this.bestWeights);
  }
}

/** Calls a function with each epoch's logs: the simplest custom logger. */
export function onEpochEnd(f: (epoch: number, logs: Logs) => void): Callback {
  return { onEpochEnd: (e, l) => f(e, l) };
}
