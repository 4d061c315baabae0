// Test runner: one Temporal dev server for the whole suite, started by the global setup.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: the dev server, a worker and PostgreSQL already compete with the tests.
    maxWorkers: 2,
  },
});
