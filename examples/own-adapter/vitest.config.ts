import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The contract's property tests run many batches against a real server.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
