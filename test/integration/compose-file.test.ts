/**
 * The distributed deployment is checked without a Docker engine: infra/compose-lint.sh loads
 * docker-compose.yml the way `docker compose config` does (the compose plugin, or compose-go built
 * with Go), and the normalized model must be the topology users start with `docker compose up`.
 * The image (infra/Dockerfile) must carry every path the code reads at run time.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/common/config.js';
import { PROJECT_ROOT } from '../../services/common/project-paths.js';
import { gatewaySettingsFrom } from '../../services/gateway/gateway.js';

const LINT = join(PROJECT_ROOT, 'infra', 'compose-lint.sh');
const DOCKERFILE = join(PROJECT_ROOT, 'infra', 'Dockerfile');
const SUYUAN_SERVICES = ['ingest', 'projector', 'trace-api', 'recall', 'gateway'] as const;
const ADMIN_KEY = 'compose-file-test-admin-key-0123456789';
// The first run may build the Go linter (about 40 s on a 2-core machine with the module proxy).
const LINT_TIMEOUT_MS = 300_000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The variables docker-compose.yml interpolates (`${NAME…}`). */
const FILE_VARIABLES = [
  ...readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8').matchAll(/\$\{(\w+)/g),
].map((match) => match[1] ?? '');

/**
 * Runs the linter on the file's own defaults: no .env, and none of the variables the file reads
 * inherited from whoever runs the tests.
 */
function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const inherited = { ...process.env };
  for (const variable of FILE_VARIABLES) delete inherited[variable];
  for (const variable of Object.keys(inherited)) {
    if (variable.startsWith('COMPOSE_') && variable !== 'COMPOSE_LINT_ENGINE') {
      delete inherited[variable];
    }
  }
  const childEnv = { ...inherited, COMPOSE_DISABLE_ENV_FILE: 'true', ...env };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [LINT, ...args], { env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly command?: readonly string[];
  readonly environment?: Record<string, string | null>;
  readonly healthcheck?: { readonly test?: readonly string[]; readonly disable?: boolean };
  readonly depends_on?: Record<string, { readonly condition: string }>;
  readonly ports?: ReadonlyArray<{ target: number; published?: string; host_ip?: string }>;
  readonly deploy?: { readonly replicas?: number };
  readonly container_name?: string;
  readonly volumes?: ReadonlyArray<{ type: string; source?: string; target: string }>;
}

interface ComposeModel {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

let model: Promise<ComposeModel> | undefined;

async function normalizedModel(): Promise<ComposeModel> {
  model ??= run(['--format', 'json'], { SUYUAN_ADMIN_KEY: ADMIN_KEY }).then((result) => {
    if (result.code !== 0) {
      throw new Error(`compose-lint exited ${result.code}:\n${result.stderr}`);
    }
    return JSON.parse(result.stdout) as ComposeModel;
  });
  return model;
}

function service(compose: ComposeModel, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** The environment a container gets: variables without a value are not set at all. */
function containerEnvironment(definition: ComposeService): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(definition.environment ?? {}).filter(([, value]) => value !== null),
  ) as NodeJS.ProcessEnv;
}

// Skipped where neither a docker compose plugin nor Go is installed (test/support/parts.ts).
const NEEDS_LINTER = { tags: ['compose-lint'] };

describe('docker-compose.yml, as `docker compose config` reads it', NEEDS_LINTER, () => {
  it(
    'is valid and defines Kafka, ClickHouse and the five Suyuan services',
    async () => {
      const compose = await normalizedModel();
      expect(Object.keys(compose.services).sort()).toEqual(
        ['clickhouse', 'kafka', ...SUYUAN_SERVICES].sort(),
      );
    },
    LINT_TIMEOUT_MS,
  );

  it(
    'refuses to load without SUYUAN_ADMIN_KEY, naming it',
    async () => {
      const result = await run(['-q'], { SUYUAN_ADMIN_KEY: '' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('SUYUAN_ADMIN_KEY');
    },
    LINT_TIMEOUT_MS,
  );

  it(
    'publishes only the gateway on the network, on port 8080',
    async () => {
      const compose = await normalizedModel();
      expect(service(compose, 'gateway').ports).toEqual([
        expect.objectContaining({ target: 8080, published: '8080' }),
      ]);
      expect(service(compose, 'gateway').ports?.[0]?.host_ip).toBeUndefined();
      for (const [name, definition] of Object.entries(compose.services)) {
        if (name === 'gateway') continue;
        for (const port of definition.ports ?? []) {
          expect({ name, hostIp: port.host_ip }).toEqual({ name, hostIp: '127.0.0.1' });
        }
      }
    },
    LINT_TIMEOUT_MS,
  );

  it(
    'runs each service from one built image with its own entry point and a health check, once Kafka and ClickHouse are healthy',
    async () => {
      const compose = await normalizedModel();
      const imageHasHealthcheck = /^HEALTHCHECK\s+.*CMD/m.test(readFileSync(DOCKERFILE, 'utf8'));
      const images = new Set<string | undefined>();
      for (const name of SUYUAN_SERVICES) {
        const definition = service(compose, name);
        images.add(definition.image);
        expect(definition.build?.context).toBe(PROJECT_ROOT);
        expect(join(PROJECT_ROOT, definition.build?.dockerfile ?? '')).toBe(DOCKERFILE);
        expect(definition.command).toEqual(['node', `dist/services/${name}/main.js`]);
        expect(existsSync(join(PROJECT_ROOT, 'services', name, 'main.ts'))).toBe(true);
        const composeCheck = (definition.healthcheck?.test?.length ?? 0) > 0;
        expect(definition.healthcheck?.disable ?? false).toBe(false);
        expect({ name, healthcheck: composeCheck || imageHasHealthcheck }).toEqual({
          name,
          healthcheck: true,
        });
        expect(definition.depends_on).toMatchObject({
          kafka: { condition: 'service_healthy' },
          clickhouse: { condition: 'service_healthy' },
        });
      }
      expect(images.size).toBe(1);
      for (const name of ['kafka', 'clickhouse']) {
        expect(service(compose, name).healthcheck?.test?.length ?? 0).toBeGreaterThan(0);
      }
    },
    LINT_TIMEOUT_MS,
  );

  it(
    'gives every service a configuration its code accepts: Kafka, ClickHouse, the admin key',
    async () => {
      const compose = await normalizedModel();
      for (const name of SUYUAN_SERVICES) {
        const config = loadConfig(containerEnvironment(service(compose, name)));
        expect(config.eventLog).toMatchObject({ kind: 'kafka', brokers: ['kafka:9092'] });
        expect(config.store).toMatchObject({ kind: 'clickhouse', url: 'http://clickhouse:8123' });
        expect(config.adminKey).toBe(ADMIN_KEY);
        expect(config.port).toBe(8080);
      }
      const { upstreams } = gatewaySettingsFrom(containerEnvironment(service(compose, 'gateway')));
      for (const url of Object.values(upstreams)) {
        const host = new URL(url).hostname;
        expect(compose.services[host], `${url} names a service of the file`).toBeDefined();
        expect(new URL(url).port).toBe('8080');
      }
    },
    LINT_TIMEOUT_MS,
  );

  it(
    'runs the recall service as one instance and leaves the projector free to scale',
    async () => {
      const compose = await normalizedModel();
      expect(service(compose, 'recall').deploy?.replicas).toBe(1);
      const projector = service(compose, 'projector');
      expect(projector.container_name).toBeUndefined();
      expect(projector.ports ?? []).toEqual([]);
    },
    LINT_TIMEOUT_MS,
  );

  it(
    'gives every projector replica one signing key, from a named volume, not a key per container',
    async () => {
      const compose = await normalizedModel();
      const projector = service(compose, 'projector');
      const keyFile = loadConfig(containerEnvironment(projector)).proofs.signingKeyFile;
      const mount = (projector.volumes ?? []).find((volume) =>
        keyFile.startsWith(`${volume.target}/`),
      );
      // A named volume outlives containers and is shared by every replica; a container's own
      // file system (or its anonymous data volume) would give each replica a key of its own.
      expect(mount).toMatchObject({ type: 'volume', source: expect.any(String) });
      expect(compose.volumes).toHaveProperty(mount!.source!);
      // The image makes the mount point, so the volume starts owned by the services' user.
      expect(readFileSync(DOCKERFILE, 'utf8')).toMatch(
        new RegExp(
          `mkdir -p [^\\n]*${mount!.target}\\b[^\\n]*&& chown node:node[^\\n]*${mount!.target}\\b`,
        ),
      );
    },
    LINT_TIMEOUT_MS,
  );
});

/** `COPY [--flags] <src>... <dest>` of one stage, with the destination relative to /app. */
interface CopyInstruction {
  readonly fromStage: boolean;
  readonly sources: readonly string[];
  readonly destination: string;
}

function dockerfileStages(text: string): CopyInstruction[][] {
  const stages: CopyInstruction[][] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (/^FROM\s/i.test(line)) stages.push([]);
    const copy = /^COPY\s+(.*)$/i.exec(line);
    if (!copy?.[1]) continue;
    const words = copy[1].split(/\s+/);
    const flags = words.filter((word) => word.startsWith('--'));
    const paths = words.filter((word) => !word.startsWith('--'));
    const destination = (paths.pop() ?? '').replace(/^\/app\//, '').replace(/^\.\//, '');
    stages.at(-1)?.push({
      fromStage: flags.some((flag) => flag.startsWith('--from=')),
      sources: paths.map((path) => path.replace(/^\/app\//, '').replace(/^\.\//, '')),
      destination: destination.replace(/\/$/, ''),
    });
  }
  return stages;
}

/** Paths under the project root that the services name in `join(PROJECT_ROOT, 'a', 'b')`. */
function runtimePathsInCode(dir = join(PROJECT_ROOT, 'services')): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (relative(PROJECT_ROOT, path) !== join('services', 'console', 'src')) {
        found.push(...runtimePathsInCode(path));
      }
    } else if (entry.name.endsWith('.ts')) {
      const text = readFileSync(path, 'utf8');
      for (const call of text.matchAll(/join\(\s*PROJECT_ROOT\s*,([^)]*)\)/g)) {
        const segments = [...(call[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
        if (segments.length > 0) found.push(segments.join('/'));
      }
    }
  }
  return [...new Set(found)].sort();
}

function ignoredByDockerignore(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const regex = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '(?:.*/)?')
      .replace(/\*/g, '[^/]*');
    return new RegExp(`^${regex}(?:/.*)?$`).test(path);
  });
}

describe('infra/Dockerfile', () => {
  const stages = dockerfileStages(readFileSync(DOCKERFILE, 'utf8'));
  const runtime = stages.at(-1) ?? [];
  const copied = (path: string) =>
    runtime.some(({ destination }) => path === destination || path.startsWith(`${destination}/`));

  it('copies into the runtime image every path the code reads from the project root', () => {
    const paths = runtimePathsInCode();
    expect(paths).toEqual(expect.arrayContaining(['schemas', 'infra/clickhouse']));
    // package.json also makes dist/*.js ES modules ("type": "module").
    for (const path of [...paths, 'package.json', 'node_modules', 'dist/services']) {
      expect({ path, copied: copied(path) }).toEqual({ path, copied: true });
    }
  });

  it('copies from the build context only files that exist and that .dockerignore keeps', () => {
    const patterns = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const build = stages[0] ?? [];
    const fromContext = stages.flat().filter((copy) => !copy.fromStage);
    for (const source of fromContext.flatMap((copy) => copy.sources)) {
      expect({ source, exists: existsSync(join(PROJECT_ROOT, source)) }).toEqual({
        source,
        exists: true,
      });
      expect({ source, ignored: ignoredByDockerignore(source, patterns) }).toEqual({
        source,
        ignored: false,
      });
    }
    // What `npm run build` compiles (tsconfig.build.json) reaches the build stage.
    const tsconfig = JSON.parse(
      readFileSync(join(PROJECT_ROOT, 'tsconfig.build.json'), 'utf8'),
    ) as { include: string[] };
    const roots = tsconfig.include.map((glob) => glob.split('/')[0] ?? glob);
    for (const root of [...roots, 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
      expect({ root, copied: build.some((copy) => copy.sources.includes(root)) }).toEqual({
        root,
        copied: true,
      });
    }
  });
});
