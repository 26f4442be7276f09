// The minnow command line. Every command is a thin wrapper over a library
// function; its options come from the command's own table (see options.ts).
import { COMMANDS } from './commands/index.js';
import { helpText, parseArgs, UsageError, type CommandSpec } from './options.js';

function overview(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'minnow: neural networks for small devices',
    '',
    'usage: minnow <command> [options]   (minnow <command> --help for details)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[], fixedCommand?: string): Promise<number> {
  const name = fixedCommand ?? argv[0];
  const rest = fixedCommand ? argv : argv.slice(1);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : 1;
  }
  const spec: CommandSpec | undefined = COMMANDS.find((c) => c.name === name);
  if (!spec) {
    console.error(`minnow: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  try {
    const { args, opts } = parseArgs(spec, rest);
    if (opts.help) {
      console.log(helpText(spec));
      return 0;
    }
    const r = await spec.run(args, opts);
    return typeof r === 'number' ? r : 0;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    // Typed errors carry a stable code and a message that names the problem.
    console.error(`minnow ${name}: ${err.code ? `[${err.code}] ` : ''}${err.message}`);
    if (process.env.MINNOW_DEBUG) console.error(err.stack);
    return 1;
  }
}
