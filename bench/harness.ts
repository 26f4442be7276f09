// Timing shared by the benchmarks: batches of calls sized to ~20 ms, rounds
// alternating between the contenders so that machine noise hits all alike, and
// medians per call.

export interface Contender {
  name: string;
  /** One call of the thing measured. */
  call(): void | Promise<void>;
}

export interface Timing {
  name: string;
  medianMs: number;
  samples: number[];
}

const now = () => performance.now();

export async function measure(contenders: Contender[], options: { rounds?: number; batchMs?: number; warmupMs?: number } = {}): Promise<Timing[]> {
  const rounds = options.rounds ?? 15;
  const batchMs = options.batchMs ?? 20;
  // Warm up each and size its batch.
  const batch = new Map<string, number>();
  for (const c of contenders) {
    let n = 1;
    const until = now() + (options.warmupMs ?? 150);
    while (now() < until) await c.call();
    for (;;) {
      const t0 = now();
      for (let i = 0; i < n; i++) await c.call();
      const dt = now() - t0;
      if (dt >= batchMs || n >= 1 << 20) {
        batch.set(c.name, n);
        break;
      }
      n = dt < 1 ? n * 8 : Math.ceil((n * batchMs) / dt);
    }
  }
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      const n = batch.get(c.name)!;
      const t0 = now();
      for (let i = 0; i < n; i++) await c.call();
      samples.get(c.name)!.push((now() - t0) / n);
    }
  }
  return contenders.map((c) => {
    const s = samples.get(c.name)!;
    return { name: c.name, medianMs: median(s), samples: s };
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function table(rows: (string | number)[][], header: string[]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ')).join('\n');
}

function formatNumber(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  if (Math.abs(x) >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}
