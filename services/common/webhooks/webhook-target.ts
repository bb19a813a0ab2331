/**
 * Where a webhook may go. A party registers any URL it likes, and the notifier runs inside the
 * platform's network, so a URL that resolves to loopback, a private range, a cloud metadata
 * address (169.254.169.254) or this host's own interfaces would let a party make the platform call
 * its own internals (SSRF). Only globally reachable unicast addresses are allowed
 * (special-addresses.ts), unless `allowPrivate` (local use and tests). `postToTarget` connects
 * only to the addresses checked here (see `pinnedLookup`), so a DNS answer that changes between
 * the check and the connection (DNS rebinding) cannot slip past, and it follows no redirects.
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { blockedReason, hostAddresses } from './special-addresses.js';

export type Resolve = (host: string) => Promise<readonly LookupAddress[]>;

export interface TargetOptions {
  readonly allowPrivate: boolean;
  /** Name resolution; `dns.promises.lookup(host, { all: true })` by default. */
  readonly resolve?: Resolve;
}

export type TargetCheck =
  | {
      readonly allowed: true;
      readonly url: URL;
      /** The checked addresses to connect to; undefined when any address is allowed. */
      readonly addresses: readonly LookupAddress[] | undefined;
    }
  | {
      readonly allowed: false;
      /** True when retrying cannot help (bad URL, refused address); false for a failed lookup. */
      readonly permanent: boolean;
      readonly reason: string;
    };

export type AllowedTarget = Extract<TargetCheck, { allowed: true }>;

const systemResolve: Resolve = (host) => dns.lookup(host, { all: true });

/**
 * Checks a webhook URL at registration and before every delivery: http(s) only, and unless
 * `allowPrivate`, every address the host resolves to must be public. A refusal names its reason; it is permanent unless the
 * lookup itself failed (which may be passing).
 */
export async function checkWebhookTarget(
  raw: string,
  options: TargetOptions,
): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('webhook URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refuse(`webhook URL scheme ${url.protocol} is not http or https`);
  }
  if (options.allowPrivate) return { allowed: true, url, addresses: undefined };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = await resolveHost(host, options.resolve ?? systemResolve);
  if (typeof addresses === 'string') return { allowed: false, permanent: false, reason: addresses };
  const policy = { hostAddresses: hostAddresses() };
  const blocked = addresses.map(({ address }) => blockedReason(address, policy)).find(Boolean);
  if (blocked) return refuse(`webhook host ${host} is refused: ${blocked}`);
  return { allowed: true, url, addresses };
}

const refuse = (reason: string): TargetCheck => ({ allowed: false, permanent: true, reason });

/** The addresses of a host (an IP literal is its own address), or why there are none. */
async function resolveHost(host: string, resolve: Resolve): Promise<LookupAddress[] | string> {
  const family = isIP(host);
  if (family !== 0) return [{ address: host, family }];
  try {
    const addresses = await resolve(host);
    return addresses.length > 0 ? [...addresses] : `webhook host ${host} has no address`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed';
    return `webhook host ${host} could not be resolved (${code})`;
  }
}

/** A `lookup` for http.request that hands out only the checked addresses. */
export function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const usable = addresses.filter(({ family }) => wanted === undefined || family === wanted);
    const first = usable[0];
    if (options.all) {
      callback(null, usable);
    } else if (first) {
      callback(null, first.address, first.family);
    } else {
      callback(
        Object.assign(new Error('no checked address for this family'), { code: 'ENOTFOUND' }),
        '',
        0,
      );
    }
  };
}

/**
 * Connections kept open between deliveries, so a recall's thousands of notices to the same
 * receivers do not each pay a TCP (and TLS) handshake. A pooled connection goes to an address
 * that was checked when it was opened: reusing it can never reach an address a later check
 * would refuse. Idle connections close after `idleMs`, before most servers drop them.
 */
export interface WebhookAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
  destroy(): void;
}

export function createWebhookAgents(options: {
  maxSockets: number;
  idleMs?: number;
}): WebhookAgents {
  const settings = {
    keepAlive: true,
    maxSockets: options.maxSockets,
    timeout: options.idleMs ?? 4_000,
  };
  const http = new HttpAgent(settings);
  const https = new HttpsAgent(settings);
  return {
    http,
    https,
    destroy() {
      http.destroy();
      https.destroy();
    },
  };
}

type PostOutcome = { httpStatus: number } | { error: string };

/**
 * One POST. Redirects are not followed (a 3xx is a failure): following one would reach a URL the
 * target check never saw. The connection goes to the checked addresses only. With `agents`, a
 * pooled connection the server closed while idle is retried once on a fresh one (the request
 * never reached the receiver); without, every POST opens its own connection.
 */
export async function postToTarget(
  target: AllowedTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  agents?: WebhookAgents,
): Promise<PostOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  const first = await postOnce(target, headers, body, signal, timeoutMs, agents);
  if (!('staleConnection' in first)) return first;
  const second = await postOnce(target, headers, body, signal, timeoutMs, agents);
  return 'staleConnection' in second
    ? { error: 'the connection was closed by the receiver' }
    : second;
}

function postOnce(
  target: AllowedTarget,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  timeoutMs: number,
  agents: WebhookAgents | undefined,
): Promise<PostOutcome | { staleConnection: true }> {
  const https = target.url.protocol === 'https:';
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    signal,
    agent: agents ? (https ? agents.https : agents.http) : false,
    ...(target.addresses ? { lookup: pinnedLookup(target.addresses) } : {}),
  };
  const request = https ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(target.url, options, (res) => {
      res.on('error', () => undefined);
      res.resume();
      resolve({ httpStatus: res.statusCode ?? 0 });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (req.reusedSocket && !signal.aborted && STALE_CONNECTION.has(error.code ?? '')) {
        resolve({ staleConnection: true });
        return;
      }
      resolve({ error: signal.aborted ? `timed out after ${timeoutMs} ms` : errorText(error) });
    });
    req.end(body);
  });
}

/** How a pooled connection the server had closed fails on reuse. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE']);

export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
