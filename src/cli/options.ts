// One typed table of options per command drives both argument parsing and --help.

export type OptionKind = 'boolean' | 'string' | 'number';

export interface OptionSpec {
  /** Long name without dashes, e.g. "budget-arena". */
  name: string;
  /** Optional one-letter alias without dash, e.g. "o". */
  short?: string;
  kind: OptionKind;
  /** Placeholder shown in --help, e.g. "<file>". */
  value?: string;
  description: string;
  default?: string | number | boolean;
}

export interface CommandSpec<R = unknown> {
  name: string;
  /** Positional arguments, e.g. ["<model>"]; a trailing "?" marks optional ones. */
  args: string[];
  summary: string;
  options: OptionSpec[];
  /** Runs the command. Returns the process exit code. */
  run(args: string[], opts: Record<string, string | number | boolean | undefined>): Promise<R | number>;
}

export class UsageError extends Error {
  readonly code = 'E_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const HELP: OptionSpec = { name: 'help', short: 'h', kind: 'boolean', description: 'show this help' };

export function parseArgs(
  spec: CommandSpec,
  argv: string[],
): { args: string[]; opts: Record<string, string | number | boolean | undefined> } {
  const options = [...spec.options, HELP];
  const byName = new Map(options.map((o) => [o.name, o]));
  const byShort = new Map(options.filter((o) => o.short).map((o) => [o.short!, o]));
  const opts: Record<string, string | number | boolean | undefined> = {};
  for (const o of spec.options) if (o.default !== undefined) opts[o.name] = o.default;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    let o: OptionSpec | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
      o = byName.get(name);
      if (!o) throw new UsageError(`${spec.name}: unknown option --${name}; see 'minnow ${spec.name} --help'`);
    } else if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      o = byShort.get(a.slice(1));
      if (!o) throw new UsageError(`${spec.name}: unknown option ${a}; see 'minnow ${spec.name} --help'`);
    } else {
      args.push(a);
      continue;
    }
    if (o.kind === 'boolean') {
      opts[o.name] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`${spec.name}: option --${o.name} needs a value ${o.value ?? ''}`.trim());
    if (o.kind === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new UsageError(`${spec.name}: option --${o.name} takes a number, got "${v}"`);
      opts[o.name] = n;
    } else opts[o.name] = v;
  }
  if (!opts.help) {
    const required = spec.args.filter((a) => !a.endsWith('?'));
    if (args.length < required.length)
      throw new UsageError(`${spec.name}: missing ${required.slice(args.length).join(' ')}; usage: ${usage(spec)}`);
  }
  return { args, opts };
}

export function usage(spec: CommandSpec): string {
  return `minnow ${spec.name} ${spec.args.join(' ')} [options]`.replace(/\s+/g, ' ').trim();
}

export function helpText(spec: CommandSpec): string {
  const rows = [...spec.options, HELP].map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`;
    const def = o.default !== undefined ? ` (default ${o.default})` : '';
    return [flag, o.description + def] as const;
  });
  const w = Math.max(...rows.map((r) => r[0].length));
  return [`${spec.summary}`, '', `usage: ${usage(spec)}`, '', ...rows.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`)].join('\n');
}
