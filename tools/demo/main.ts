/**
 * `npm run demo`: loads the infant-formula demo chain (./dairy-chain.ts) into a running platform
 * through its public HTTP API, then prints the regulator's API key and traces to try.
 *
 *   npm run demo -- [--url http://localhost:8080] [--admin-key <key>] [--wait 30]
 */
import { parseArgs } from 'node:util';
import { buildDairyChain, postingPlan, type DairyChain } from './dairy-chain.js';

const USAGE = `Usage: npm run demo -- [options]

Loads a demo infant-formula supply chain (farms, powder plant, brands, distributors, retailers,
a failed supervisory sampling) into a running Suyuan platform.

Options:
  --url <url>          the platform (default: $SUYUAN_URL or http://localhost:8080)
  --admin-key <key>    an admin API key (default: $SUYUAN_ADMIN_KEY)
  --wait <seconds>     how long to wait for GET /readyz (default: 30)
  -h, --help           show this help`;

const EVENTS_PER_REQUEST = 1000;

class DemoError extends Error {}

interface Options {
  readonly url: string;
  readonly adminKey: string;
  readonly waitSeconds: number;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

function readOptions(argv: string[], env: NodeJS.ProcessEnv): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: env.SUYUAN_URL || 'http://localhost:8080' },
      'admin-key': { type: 'string', default: env.SUYUAN_ADMIN_KEY ?? '' },
      wait: { type: 'string', default: '30' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const waitSeconds = Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
    throw new DemoError(`--wait must be a number of seconds, got "${values.wait}"`);
  }
  if (!values['admin-key']) {
    throw new DemoError(
      'no admin API key. The platform prints one at its first start (when SUYUAN_ADMIN_KEY was ' +
        'not set), or start the platform with SUYUAN_ADMIN_KEY=<key>. Then pass it here with ' +
        '--admin-key <key> or SUYUAN_ADMIN_KEY=<key> npm run demo.',
    );
  }
  return { url: values.url.replace(/\/+$/, ''), adminKey: values['admin-key'], waitSeconds };
}

/** The reason a fetch failed, e.g. `ECONNREFUSED`, rather than the bare "fetch failed". */
function fetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function call(opts: Options, path: string, key: string, body: unknown): Promise<Reply> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  let response: Response;
  try {
    const init = { method: 'POST', headers, body: JSON.stringify(body) };
    response = await fetch(`${opts.url}${path}`, { ...init, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new DemoError(`POST ${opts.url}${path} failed: ${fetchFailure(error)}`);
  }
  return { status: response.status, body: parseBody(await response.text()) };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asText = (value: unknown, fallback: string): string =>
  typeof value === 'string' ? value : value === undefined ? fallback : JSON.stringify(value);

/** The server's own words: `error: message` and the first few `details`. */
function serverError(what: string, reply: Reply): DemoError {
  const { body } = reply;
  if (!isRecord(body)) return new DemoError(`${what}: HTTP ${reply.status} ${String(body)}`);
  const details = Array.isArray(body.details) ? body.details.slice(0, 5) : [];
  const lines = details.map((d) => `\n  - ${JSON.stringify(d)}`).join('');
  const text = `${asText(body.error, 'error')}: ${asText(body.message, '')}`;
  const hint = reply.status === 401 || reply.status === 403 ? adminKeyHint : '';
  return new DemoError(`${what}: HTTP ${reply.status} ${text}${lines}${hint}`);
}

const adminKeyHint =
  '\n  (is the admin key the one the platform printed at its first start, or its SUYUAN_ADMIN_KEY?)';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `GET /readyz` until it answers 200, for at most `waitSeconds`. */
async function waitForReady(opts: Options): Promise<void> {
  const deadline = Date.now() + opts.waitSeconds * 1000;
  let reached = false;
  let last: string;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(`${opts.url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
      [reached, last] = [true, `GET /readyz answered ${response.status} ${await response.text()}`];
    } catch (error) {
      last = fetchFailure(error);
    }
    if (Date.now() >= deadline) throw new DemoError(notReady(opts, reached, last));
    if (attempt === 0) console.log(`waiting up to ${opts.waitSeconds} s for ${opts.url}/readyz …`);
    await sleep(500);
  }
}

function notReady(opts: Options, reached: boolean, last: string): string {
  if (reached) {
    return `the platform at ${opts.url} is up but not ready after ${opts.waitSeconds} s (${last})`;
  }
  return (
    `no Suyuan platform answers at ${opts.url} (${last}). Start it first, e.g. \`npm start\` ` +
    'in another terminal, or point the demo at it with --url or SUYUAN_URL.'
  );
}

function apiKeyOf(reply: Reply, partyId: string): string {
  if (isRecord(reply.body) && typeof reply.body.apiKey === 'string') return reply.body.apiKey;
  throw new DemoError(`creating party ${partyId}: the answer has no apiKey`);
}

interface Registration {
  readonly keys: ReadonlyMap<string, string>;
  /** The first demo party that already existed, if any: the demo was loaded before. */
  readonly existing?: string;
}

/** Creates every party; stops at the first one that exists (409). */
async function createParties(opts: Options, chain: DairyChain): Promise<Registration> {
  const keys = new Map<string, string>();
  for (const party of chain.parties) {
    const reply = await call(opts, '/v1/parties', opts.adminKey, party);
    if (reply.status === 409) return { keys, existing: party.partyId };
    if (reply.status !== 201) throw serverError(`creating party ${party.partyId}`, reply);
    keys.set(party.partyId, apiKeyOf(reply, party.partyId));
  }
  console.log(`created ${keys.size} parties`);
  return { keys };
}

function countStatuses(reply: Reply, tally: Map<string, number>): void {
  const results =
    isRecord(reply.body) && Array.isArray(reply.body.results) ? reply.body.results : [];
  for (const result of results) {
    const status = isRecord(result) ? String(result.status) : 'unknown';
    tally.set(status, (tally.get(status) ?? 0) + 1);
  }
}

function showProgress(done: number, total: number, finished: boolean): void {
  const line = `loaded ${done}/${total} events`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}${finished ? '\n' : ''}`);
  else console.log(line);
}

/** Posts the timeline in order, one request per run of one party's events. */
async function loadEvents(opts: Options, chain: DairyChain, keys: ReadonlyMap<string, string>) {
  const tally = new Map<string, number>();
  const total = chain.timeline.length;
  let done = 0;
  for (const chunk of postingPlan(chain.timeline, EVENTS_PER_REQUEST)) {
    const key = keys.get(chunk.party);
    if (!key) throw new DemoError(`no API key for party ${chunk.party}`);
    const reply = await call(opts, '/v1/events', key, { events: chunk.events });
    if (reply.status < 200 || reply.status > 299) {
      if (process.stdout.isTTY) process.stdout.write('\n');
      throw serverError(`posting ${chunk.events.length} events of ${chunk.party}`, reply);
    }
    countStatuses(reply, tally);
    done += chunk.events.length;
    showProgress(done, total, done === total);
  }
  return tally;
}

function traceLines(opts: Options, chain: DairyChain, key: string): string[] {
  const { rawMilkBatchId, powderBatchId, failingFormulaBatchId } = chain.interesting;
  const traces: Array<[string, string, string]> = [
    [
      failingFormulaBatchId,
      'upstream',
      '来源可查: where the formula that failed sampling came from',
    ],
    [failingFormulaBatchId, 'downstream', '去向可追: every holder of it, one still in transit'],
    [rawMilkBatchId, 'downstream', 'one raw-milk batch: the powder and formula made from it'],
    [powderBatchId, 'both', 'a powder batch used by both brands: its farms and its buyers'],
  ];
  return traces.flatMap(([batchId, direction, why]) => {
    const url = `${opts.url}/v1/batches/${encodeURIComponent(batchId)}/trace?direction=${direction}`;
    return [`# ${why}`, `curl -H "Authorization: Bearer ${key}" '${url}'`];
  });
}

function printLoaded(opts: Options, chain: DairyChain, keys: ReadonlyMap<string, string>) {
  const regulator = chain.parties.find((p) => p.partyId === chain.regulatorPartyId);
  const key = keys.get(chain.regulatorPartyId) ?? '';
  console.log(`\nRegulator ${regulator?.name ?? ''} (partyId ${chain.regulatorPartyId}).`);
  console.log(`Its API key, shown only now; keep it:\n\n  export SUYUAN_REGULATOR_KEY='${key}'\n`);
  console.log('Traces to try:\n');
  console.log(traceLines(opts, chain, key).join('\n'));
}

function printAlreadyLoaded(opts: Options, chain: DairyChain, registration: Registration) {
  const { existing, keys } = registration;
  console.log(`Party ${existing} already exists at ${opts.url}: the demo was loaded before.`);
  console.log('Nothing was posted. API keys are shown only once, at the first load.');
  if (keys.size > 0) {
    console.log(
      `(${keys.size} other demo parties were new, so an earlier load was interrupted; ` +
        'to load again from scratch, restart the platform with an empty SUYUAN_DATA_DIR.)',
    );
  }
  console.log('\nWith the regulator key printed then, try:\n');
  console.log(traceLines(opts, chain, '$SUYUAN_REGULATOR_KEY').join('\n'));
}

async function main(argv: string[]): Promise<void> {
  const opts = readOptions(argv, process.env);
  if (!opts) return console.log(USAGE);
  const chain = buildDairyChain();
  await waitForReady(opts);
  const registration = await createParties(opts, chain);
  if (registration.existing) return printAlreadyLoaded(opts, chain, registration);
  const tally = await loadEvents(opts, chain, registration.keys);
  const statuses = [...tally].map(([status, n]) => `${n} ${status}`).join(', ');
  const size = `${chain.parties.length} parties, ${chain.batchIds.length} batches`;
  console.log(
    `\nLoaded the infant-formula demo: ${size}, ${chain.timeline.length} events (${statuses}).`,
  );
  printLoaded(opts, chain, registration.keys);
}

function fail(error: unknown): number {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  if (error instanceof DemoError) console.error(`demo: ${error.message}`);
  else if (code?.startsWith('ERR_PARSE_ARGS'))
    console.error(`demo: ${(error as Error).message}\n\n${USAGE}`);
  else console.error('demo: unexpected failure:', error);
  return 1;
}

process.exitCode = await main(process.argv.slice(2)).then(() => 0, fail);
