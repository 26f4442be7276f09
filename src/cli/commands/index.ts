// The table of commands. Each lives in its own file beside this one.
import type { CommandSpec } from '../options.js';
import { train } from './train.js';
import { quantize } from './quantize.js';
import { inspect } from './inspect.js';
import { run } from './run.js';
import { evaluate } from './eval.js';
import { exportCommand } from './export.js';

export const COMMANDS: CommandSpec[] = [
  train,
  quantize,
  inspect,
  run,
  evaluate,
  exportCommand,
];
