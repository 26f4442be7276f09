// Finds files shipped beside the package (the wasm builds), whether this module
// runs from src/ (tests, tsx) or from dist/src/ (the published package).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'assembly'))) return dir;
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'build'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('minnow: cannot find the package root (package.json) above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** Absolute path of a file under the package's build/ folder. */
export function buildPath(file: string): string {
  return join(packageRoot(), 'build', file);
}
