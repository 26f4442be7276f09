import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Node 20 runs relaxed-SIMD modules only behind this flag; every build is tested.
    execArgv: ['--experimental-wasm-relaxed-simd'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
