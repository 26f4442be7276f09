#!/usr/bin/env node
// Debian packages the test suite needs. Checked before the tests run: as root on
// Debian, missing ones are installed with apt-get; elsewhere this stops with the
// exact command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** package → a file that proves it is installed */
export const PACKAGES = {
  chromium: '/usr/bin/chromium',
  'dataset-fashion-mnist': '/usr/share/datasets/fashion-mnist',
};

const missing = Object.entries(PACKAGES).filter(([, file]) => !existsSync(file)).map(([p]) => p);
if (missing.length) {
  const line = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const isDebian = existsSync('/etc/debian_version') && spawnSync('which', ['apt-get']).status === 0;
  if (!isRoot || !isDebian) {
    console.error(`The tests need these Debian packages: ${missing.join(', ')}.\nInstall them with:\n  sudo ${line}`);
    process.exit(1);
  }
  console.log(`Installing test dependencies: ${missing.join(', ')}`);
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
