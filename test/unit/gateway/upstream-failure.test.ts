/**
 * The gateway's answer when a service behind it gives no answer, whatever the proxy reports:
 * always `unavailable` (503, retryable), naming the service and never an address from the error,
 * and saying whether the request may have reached the service and whether a retry is safe.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../services/common/errors.js';
import { upstreamFailure } from '../../../services/gateway/upstream-failure.js';

const services = fc.constantFrom('ingest' as const, 'trace-api' as const, 'recall' as const);
const methods = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'get', 'post');
const paths = fc.constantFrom(
  '/v1/events',
  '/v1/events?x=1',
  '/v1/parties',
  '/v1/recalls/mock',
  '/v1/batches/B-1/trace?direction=both',
);
const KNOWN_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'FST_REPLY_FROM_INTERNAL_SERVER_ERROR',
];
/** An internal address of the kind a proxy error message carries. */
const addresses = fc
  .tuple(fc.ipV4(), fc.integer({ min: 1, max: 65_535 }))
  .map(([host, port]) => `${host}:${port}`);

/** A proxy error: up to four errors deep in `cause`, each with a code and an address. */
const proxyErrors = fc
  .array(
    fc.record({
      code: fc.oneof(fc.constantFrom(...KNOWN_CODES), fc.string(), fc.constant(undefined)),
      address: addresses,
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((layers) => {
    let error: Error | undefined;
    for (const { code, address } of [...layers].reverse()) {
      const next: Error & { code?: string } = new Error(`connect failed ${address}`, {
        cause: error,
      });
      if (code !== undefined) next.code = code;
      error = next;
    }
    return { error: error as Error, addresses: layers.map((layer) => layer.address) };
  });

const withCode = (code: string) => Object.assign(new Error('internal 10.0.0.7:8080'), { code });
const request = (method: string, url: string) => ({ method, url });

describe('the gateway answer for a service that gives no answer', () => {
  it('is 503 unavailable naming the service, never an address from the error', () => {
    fc.assert(
      fc.property(services, methods, paths, proxyErrors, (service, method, url, proxied) => {
        const failure = upstreamFailure(service, request(method, url), proxied.error, 60_000);
        expect(failure.code).toBe('unavailable');
        expect(ERROR_CODES[failure.code]).toEqual({ retryable: true, status: 503 });
        expect(failure.message).toContain(`the ${service} service`);
        for (const address of proxied.addresses) expect(failure.message).not.toContain(address);
        expect(failure.message).not.toMatch(/\d+\.\d+\.\d+\.\d+|localhost|:\d{2,5}\b/);
        expect(failure.cause).toBe(proxied.error);
      }),
      { numRuns: 500 },
    );
  });

  it('says a request that cannot have arrived did not reach the service, so a retry is safe', () => {
    for (const code of ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND']) {
      const failure = upstreamFailure('ingest', request('POST', '/v1/events'), withCode(code), 1);
      expect(failure.message).toMatch(/did not reach it, so sending it again is safe/);
    }
  });

  it('says a POST /v1/events that may have arrived is safe to send again, by its event ids', () => {
    for (const error of [withCode('UND_ERR_SOCKET'), withCode('ECONNRESET'), new Error('?')]) {
      const failure = upstreamFailure('ingest', request('POST', '/v1/events'), error, 60_000);
      expect(failure.message).toMatch(/may have received the request/);
      expect(failure.message).toMatch(/sending the same request again is safe/i);
      expect(failure.message).toMatch(/eventId/);
    }
  });

  it('tells a client to check before repeating any other write that may have arrived', () => {
    const failure = upstreamFailure(
      'ingest',
      request('POST', '/v1/parties'),
      withCode('UND_ERR_SOCKET'),
      60_000,
    );
    expect(failure.message).toMatch(/Check whether it took effect before sending it again/);
    const read = upstreamFailure('recall', request('GET', '/v1/recalls'), withCode('EPIPE'), 1);
    expect(read.message).toMatch(/Sending it again is safe: it only reads/);
  });

  it('says how long it waited when the service did not answer in time', () => {
    const failure = upstreamFailure(
      'trace-api',
      request('GET', '/v1/batches/B-1'),
      Object.assign(new Error('Gateway Timeout'), {
        code: 'FST_REPLY_FROM_GATEWAY_TIMEOUT',
        cause: withCode('UND_ERR_HEADERS_TIMEOUT'),
      }),
      1_500,
    );
    expect(failure.message).toMatch(/did not answer within 2 s; it may have received the request/);
  });
});
