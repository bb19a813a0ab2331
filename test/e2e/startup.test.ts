import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../services/embedded/main.ts', import.meta.url));

describe('start-up', () => {
  it('refuses a bad setting, naming the variable, and exits non-zero', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, PORT: 'eighty', SUYUAN_DATA_DIR: '/nonexistent/never-created' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^suyuan: failed to start: invalid configuration: PORT="eighty"/m,
    );
  });
});
