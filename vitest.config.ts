import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { findParts, partTags } from './test/support/parts.js';

// chDB binds one data directory per process, so every test file runs in its own forked process.
// The end-to-end suite runs twice: embedded (one process), and distributed (each service its own
// process, real Kafka between them, see test/support/distributed-platform.ts). Each of these files
// carries `@module-tag platform`, which in the distributed project needs Kafka.
const DISTRIBUTED_E2E = [
  'ingest',
  'trace',
  'trace-compression',
  'recall',
  'access',
  'isolation',
  'epcis-capture',
  'epcis-dairy',
  'epcis-transformation',
  'public-check',
  'public-check-instances',
].map((name) => `test/e2e/${name}.test.ts`);

export default defineConfig(async (): Promise<ViteUserConfig> => {
  // What the suites need besides Node (Kafka, Chromium, …), found once per run: a tag per part
  // skips its tests where the part is missing (test/support/parts.ts).
  const parts = await findParts();
  const kafkaMissing = parts.missing.some((part) => part.tags.includes('kafka'));
  return {
    test: {
      pool: 'forks',
      maxWorkers: 2,
      testTimeout: 60_000,
      hookTimeout: 120_000,
      globalSetup: ['test/support/global-setup.ts'],
      provide: { suyuanParts: parts },
      tags: partTags(parts),
      projects: [
        {
          extends: true,
          test: {
            name: 'embedded',
            include: ['test/**/*.test.ts'],
            tags: [{ name: 'platform', description: 'runs the platform in this process' }],
          },
        },
        {
          extends: true,
          test: {
            name: 'distributed',
            include: DISTRIBUTED_E2E,
            env: { SUYUAN_E2E_MODE: 'distributed' },
            // A file's beforeAll starts five service processes, and the first may start the run's
            // Kafka broker too (a cold JVM; other files wait for it).
            hookTimeout: 240_000,
            tags: [
              {
                name: 'platform',
                description: 'runs each service in its own process, over Kafka',
                ...(kafkaMissing ? { skip: true } : {}),
              },
            ],
          },
        },
      ],
    },
  };
});
