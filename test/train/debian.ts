// Data sets that come as Debian packages. A test that needs one calls
// ensureDebianPackage: present -> true; missing but installable (root with
// apt-get) -> installs it; otherwise returns false after printing the exact
// command, so the caller can skip with that message.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function ensureDebianPackage(pkg: string, probe: string): boolean {
  if (existsSync(probe)) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    try {
      execFileSync('apt-get', ['install', '-y', '-q', pkg], { stdio: 'ignore', timeout: 90_000 });
    } catch {
      // The package index may be stale: refresh once and retry.
      try {
        execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore', timeout: 90_000 });
        execFileSync('apt-get', ['install', '-y', '-q', pkg], { stdio: 'ignore', timeout: 90_000 });
      } catch {
        /* reported below */
      }
    }
    if (existsSync(probe)) return true;
  }
  console.warn(`[skipped] ${probe} is missing; install it with:  sudo apt-get install ${pkg}`);
  return false;
}
