import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: true,
    globalSetup: './cognate.js',
    // One process per file, created after the global setup, so each sees cognate's URL.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 20000,
  },
});
