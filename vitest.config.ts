import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // examples/ are projects of their own (they import the installed package): test/package runs them.
    exclude: ['node_modules/**', 'reports/**', 'dist/**', 'examples/**'],
    // Stores start once per test run (not per file) and stop when it ends, also on failure.
    globalSetup: ['test/support/stores.global.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Property suites against real servers share them; files in parallel would contend on 2 cores.
    fileParallelism: false,
    retry: 0,
    // vitest's own summary, then one plain closing line (test/support/closing-line-reporter.ts).
    reporters: ['default', './test/support/closing-line-reporter.ts'],
  },
});
