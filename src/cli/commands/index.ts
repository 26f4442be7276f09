// The table of commands. Each lives in its own file beside this one.
import type { CommandSpec } from '../options.js';

export const COMMANDS: CommandSpec[] = [];
