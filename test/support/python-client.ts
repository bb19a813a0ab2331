/**
 * Finds a Python that has a stock client library installed, for tests that drive our endpoints
 * with it: the venv `.ci/clickhouse-connect.sh` makes under .cache/, else `python3` on the PATH.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PythonPackage {
  /** The import name, e.g. `clickhouse_connect`. */
  readonly module: string;
  /** Venvs to try before `python3`, relative to the repository root. */
  readonly venvs: readonly string[];
  /** The command that installs it, for the skip message. */
  readonly install: string;
}

export const CLICKHOUSE_CONNECT: PythonPackage = {
  module: 'clickhouse_connect',
  venvs: ['.cache/clickhouse-connect/venv'],
  install: 'bash .ci/clickhouse-connect.sh',
};

export const OPENPYXL: PythonPackage = {
  module: 'openpyxl',
  venvs: ['.cache/openpyxl/venv'],
  install: 'bash .ci/openpyxl.sh',
};

export type PythonResolution =
  | { readonly python: string; readonly version: string }
  | { readonly python: undefined; readonly reason: string };

const root = fileURLToPath(new URL('../../', import.meta.url));

async function versionOf(python: string, module: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(python, ['-c', `import ${module}; print(${module}.__version__)`]);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * The first Python that imports the package, or why none does. The test parts (parts.ts) ask it
 * once per run: without one, the tests tagged `clickhouse-connect` are skipped, and CI=true fails.
 */
export async function findPython(pkg: PythonPackage): Promise<PythonResolution> {
  const candidates = [...pkg.venvs.map((venv) => `${root}${venv}/bin/python`), 'python3'];
  for (const python of candidates) {
    const version = await versionOf(python, pkg.module);
    if (version !== undefined) return { python, version };
  }
  return {
    python: undefined,
    reason: `no Python with ${pkg.module} (tried ${candidates.join(', ')})`,
  };
}

/** Runs a script under test/support/ with `python` and parses the JSON it prints. */
export async function runPythonScript<T>(
  python: string,
  script: string,
  args: readonly string[],
): Promise<T> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const { stdout } = await run(python, [path, ...args], { timeout: 60_000 });
  return JSON.parse(stdout) as T;
}
