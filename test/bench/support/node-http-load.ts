/**
 * Closed-loop HTTP load with Node's own client (keep-alive `http.Agent`), for answers of
 * megabytes: autocannon parses responses with http-parser-js, in JavaScript, and on a 1.7 MB
 * trace it becomes the bottleneck itself (about 170 answers/s at 16 clients where Node's client,
 * which parses in C, reads about 1 000 from the same platform in the same run). Same options
 * and result as `runHttpLoad`, for the closed loop only.
 */
import { Agent, request } from 'node:http';
import type { HttpLoadOptions, HttpLoadResult } from './http-load.js';
import { summary } from './stats.js';

type ClosedLoopOptions = Omit<HttpLoadOptions, 'overallRate'>;

export async function runNodeHttpLoad(options: ClosedLoopOptions): Promise<HttpLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const timeoutMs = (options.timeoutSeconds ?? 10) * 1000;
  const expected = (status: number) =>
    options.expectStatuses === undefined
      ? status >= 200 && status < 300
      : options.expectStatuses.includes(status);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let sent = 0;
  const started = performance.now();
  const endsAt = started + options.seconds * 1000;
  const more = () =>
    options.amount !== undefined ? sent < options.amount : performance.now() < endsAt;

  const once = () =>
    new Promise<number>((resolve, reject) => {
      const next = options.next();
      const body = next.body;
      const sending = request(
        new URL(next.path, options.url),
        {
          agent,
          method: next.method ?? 'GET',
          timeout: timeoutMs,
          headers: {
            ...next.headers,
            ...(body !== undefined && {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            }),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        },
      );
      sending.on('timeout', () => sending.destroy(new Error('timed out')));
      sending.on('error', reject);
      sending.end(body);
    });

  const connection = async () => {
    while (more()) {
      sent += 1;
      const at = performance.now();
      try {
        const status = await once();
        latencies.push(performance.now() - at);
        statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
        if (expected(status)) ok += 1;
        else failed += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, connection));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const latency = summary(latencies);
  const ms = (value: number) => (Number.isNaN(value) ? 0 : Math.round(value));
  return {
    connections: options.connections,
    perSecond: Math.round(ok / seconds),
    ok,
    seconds: Math.round(seconds * 100) / 100,
    failed,
    latencyMs: { p50: ms(latency.p50), p99: ms(latency.p99), max: ms(latency.max) },
    statuses,
  };
}
