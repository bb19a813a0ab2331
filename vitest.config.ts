import { defineConfig } from 'vitest/config';

// chDB binds one data directory per process, so every test file runs in its own forked process.
// The end-to-end suite runs twice: embedded (one process), and distributed (each service its own
// process, real Kafka between them, see test/support/distributed-platform.ts).
const DISTRIBUTED_E2E = ['ingest', 'trace', 'recall', 'access', 'isolation'].map(
  (name) => `test/e2e/${name}.test.ts`,
);

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'embedded', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'distributed',
          include: DISTRIBUTED_E2E,
          env: { SUYUAN_E2E_MODE: 'distributed' },
        },
      },
    ],
  },
});
