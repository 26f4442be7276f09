// The progress display of fit(): a bar redrawn in place on a terminal, plain
// lines (one per epoch) when output goes to a file or pipe.
import type { Callback, Logs } from './callbacks.js';

export interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function fmtLogs(logs: Logs, skip: Set<string>): string {
  return Object.entries(logs)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => `${k} ${Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4)}`)
    .join('  ');
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

export class ProgressBar implements Callback {
  private start = 0;
  private lastDraw = 0;
  private epoch = 0;
  private readonly skip = new Set(['samples']);

  constructor(
    private readonly epochs: number,
    private readonly samplesPerEpoch: number,
    private readonly out: Stream = process.stdout,
    private readonly tty = !!out.isTTY,
  ) {}

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.start = performance.now();
    this.lastDraw = 0;
  }

  onBatchEnd(_batch: number, logs: Logs): void {
    if (!this.tty) return;
    const now = performance.now();
    const done = logs.samples ?? 0;
    if (now - this.lastDraw < 100 && done < this.samplesPerEpoch) return;
    this.lastDraw = now;
    const secs = (now - this.start) / 1000;
    const rate = done / Math.max(secs, 1e-9);
    const eta = (this.samplesPerEpoch - done) / rate;
    const cols = this.out.columns || 120; // 0 when the terminal does not say
    let head = `epoch ${this.epoch + 1}/${this.epochs} `;
    let tail = ` ${done}/${this.samplesPerEpoch}  ${fmtLogs(logs, this.skip)}  ${rate.toFixed(0)} samples/s  ETA ${fmtTime(eta)}`;
    if (cols - head.length - tail.length < 12) {
      // A narrow terminal: single spaces and short units.
      head = `${this.epoch + 1}/${this.epochs} `;
      tail = ` ${done}/${this.samplesPerEpoch} ${fmtLogs(logs, this.skip).replace(/ {2}/g, ' ')} ${rate.toFixed(0)}/s ETA ${fmtTime(eta)}`;
    }
    // The bar takes what the terminal has left (5 to 30 columns); the line never wraps.
    const width = Math.max(5, Math.min(30, cols - 1 - head.length - tail.length - 2));
    const filled = Math.round((width * done) / this.samplesPerEpoch);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + ' '.repeat(width - filled);
    this.out.write(`\r${(head + `[${bar}]` + tail).slice(0, cols - 1)}\x1b[K`);
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const secs = (performance.now() - this.start) / 1000;
    const rate = this.samplesPerEpoch / Math.max(secs, 1e-9);
    const line = `epoch ${this.epoch + 1}/${this.epochs}  ${fmtLogs(logs, this.skip)}  ${rate.toFixed(0)} samples/s  ${fmtTime(secs)}`;
    this.out.write(this.tty ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}
