/**
 * `npm run log -- inspect|quarantine …`: an operator's command for the event log of a running
 * platform, through its admin routes (GET and POST /v1/admin/log/…), so the audit trail records
 * who did what. Works the same in both modes: it only speaks HTTP.
 *
 *   SUYUAN_ADMIN_KEY=… npm run log -- inspect suyuan.events 0 1234
 *   SUYUAN_ADMIN_KEY=… npm run log -- quarantine suyuan.events 0 1234 --reason "why"
 *
 * SUYUAN_URL names the platform (default http://localhost:8080). The answer is printed as JSON;
 * a refusal prints the platform's message and exits 1; a wrong command line exits 2.
 */
import { parseArgs } from 'node:util';

const USAGE = `usage:
  npm run log -- inspect <topic> <partition> <offset>
  npm run log -- quarantine <topic> <partition> <offset> --reason "<why>"
environment: SUYUAN_ADMIN_KEY (required), SUYUAN_URL (default http://localhost:8080)`;

class UsageError extends Error {}

interface Command {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: { reason: string };
}

function commandFrom(argv: readonly string[]): Command {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { reason: { type: 'string' } },
  });
  const [verb, topic, partition, offset, ...extra] = positionals;
  if (!topic || !partition || !offset || extra.length > 0) throw new UsageError('');
  const path = `/v1/admin/log/${[topic, partition, offset].map(encodeURIComponent).join('/')}`;
  if (verb === 'inspect' && values.reason === undefined) return { method: 'GET', path };
  if (verb === 'quarantine' && values.reason !== undefined) {
    return { method: 'POST', path: `${path}/quarantine`, body: { reason: values.reason } };
  }
  throw new UsageError(verb === 'quarantine' ? 'quarantine needs --reason' : '');
}

async function main(): Promise<number> {
  let command: Command;
  try {
    command = commandFrom(process.argv.slice(2));
  } catch (error) {
    const detail = error instanceof Error && error.message ? `${error.message}\n` : '';
    process.stderr.write(`suyuan log: ${detail}${USAGE}\n`);
    return 2;
  }
  const key = process.env.SUYUAN_ADMIN_KEY;
  if (!key) {
    process.stderr.write('suyuan log: SUYUAN_ADMIN_KEY is not set (an admin API key)\n');
    return 2;
  }
  const base = process.env.SUYUAN_URL ?? 'http://localhost:8080';
  const response = await fetch(new URL(command.path, base), {
    method: command.method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(command.body ? { 'content-type': 'application/json' } : {}),
    },
    body: command.body ? JSON.stringify(command.body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: print it as it came
    }
    process.stderr.write(`suyuan log: ${response.status} ${message}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`suyuan log: ${message}\n`);
    process.exit(1);
  },
);
