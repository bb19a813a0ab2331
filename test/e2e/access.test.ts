// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produced, received, recallInitiated, shipped } from '../support/event-builders.js';
import { startTestPlatform, TEST_ADMIN_KEY, type TestPlatform } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

interface Trace {
  redacted: boolean;
  batches: Array<{ batchId: string }>;
  shipments: Array<{ shipmentId: string; from: string; to: string }>;
  parties: Array<{ partyId: string }>;
}

let platform: TestPlatform;
const keys: Record<string, string> = {};

async function post(party: string, events: unknown[]) {
  const response = await platform.postEvents(keys[party]!, events);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
}

/** A rejected request wrote nothing: a later marker becomes visible, the rejected batch never. */
async function expectNothingWritten(batchId: string) {
  const marker = produced(`marker-${batchId}`);
  await post('farm', [marker]);
  await platform.waitForBatch(keys.samr!, marker.batchId);
  expect((await platform.request('GET', `/v1/batches/${batchId}`, { key: keys.samr })).status).toBe(
    404,
  );
}

beforeAll(async () => {
  platform = await startTestPlatform({ SUYUAN_BODY_LIMIT_BYTES: String(256 * 1024) });
  for (const party of ['farm', 'plant', 'brand', 'dist', 'shop'])
    keys[party] = await platform.createParty(party);
  keys.samr = await platform.createParty('samr', ['regulator']);
  await post('farm', [produced('RAW'), shipped('S-1', 'plant', ['RAW'])]);
  await post('plant', [
    received('S-1', 'farm', ['RAW']),
    produced('POWDER', ['RAW']),
    shipped('S-2', 'brand', ['POWDER']),
  ]);
  await post('brand', [
    received('S-2', 'plant', ['POWDER']),
    produced('FORMULA', ['POWDER']),
    shipped('S-3', 'dist', ['FORMULA']),
  ]);
  await post('dist', [received('S-3', 'brand', ['FORMULA']), shipped('S-4', 'shop', ['FORMULA'])]);
  await platform.waitForBatch(keys.samr, 'FORMULA');
});
afterAll(() => platform?.stop());

describe('the API document', () => {
  it('is public and documents every service’s routes at the one address', async () => {
    for (const path of ['/openapi.json', '/docs/json']) {
      const document = await platform.request<{ paths: Record<string, unknown> }>('GET', path);
      expect(document.status, path).toBe(200);
      expect(Object.keys(document.body.paths), path).toEqual(
        expect.arrayContaining([
          '/v1/events',
          '/v1/parties',
          '/v1/batches/{batchId}/trace',
          '/v1/recalls',
          '/v1/notices',
        ]),
      );
    }
  });
});

describe('keys', () => {
  it('refuses a request without a key, or with a key that does not exist', async () => {
    expect((await platform.request('GET', '/v1/batches/RAW', {})).status).toBe(401);
    expect(
      (
        await platform.request('GET', '/v1/batches/RAW', {
          key: 'sy_0000000000000000000000000000000000000000000',
        })
      ).status,
    ).toBe(401);
  });

  it('rotates: a new key works, a revoked key fails at once', async () => {
    const issued = await platform.request<{ keyId: string; apiKey: string }>(
      'POST',
      '/v1/parties/shop/keys',
      { key: TEST_ADMIN_KEY },
    );
    expect(issued.status).toBe(201);
    expect(issued.body.apiKey).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    expect((await platform.request('GET', '/v1/notices', { key: issued.body.apiKey })).status).toBe(
      200,
    );
    expect(
      (
        await platform.request('DELETE', `/v1/parties/shop/keys/${issued.body.keyId}`, {
          key: TEST_ADMIN_KEY,
        })
      ).status,
    ).toBe(204);
    expect((await platform.request('GET', '/v1/notices', { key: issued.body.apiKey })).status).toBe(
      401,
    );
    expect((await platform.request('GET', '/v1/notices', { key: keys.shop })).status).toBe(200);
    const listed = await platform.request<Array<{ keyId: string; revokedAt: string | null }>>(
      'GET',
      '/v1/parties/shop/keys',
      { key: TEST_ADMIN_KEY },
    );
    expect(listed.body.find((k) => k.keyId === issued.body.keyId)?.revokedAt).toEqual(
      expect.any(String),
    );
  });

  it('lets only an admin manage keys', async () => {
    expect(
      (await platform.request('POST', '/v1/parties/shop/keys', { key: keys.shop })).status,
    ).toBe(403);
    expect(
      (await platform.request('DELETE', '/v1/parties/shop/keys/whatever', { key: keys.samr }))
        .status,
    ).toBe(403);
  });
});

describe('one step up and one step down', () => {
  it('shows a party its own hops and one step around them, and says the rest was redacted', async () => {
    const response = await platform.request<Trace>(
      'GET',
      '/v1/batches/FORMULA/trace?direction=both',
      { key: keys.shop },
    );
    expect(response.status).toBe(200);
    const trace = response.body;
    expect(trace.redacted).toBe(true);
    expect(trace.batches.map((b) => b.batchId)).toEqual(['FORMULA']);
    expect(trace.shipments.map((s) => s.shipmentId)).toEqual(['S-4']);
    expect(trace.parties.map((p) => p.partyId).sort()).toEqual(['brand', 'dist', 'shop']);
    expect(JSON.stringify(trace)).not.toMatch(/farm|RAW|plant|POWDER/);
  });

  it('shows a processor its supplier and inputs, and its customer, not theirs', async () => {
    const response = await platform.request<Trace>(
      'GET',
      '/v1/batches/FORMULA/trace?direction=both',
      { key: keys.brand },
    );
    expect(response.body.batches.map((b) => b.batchId).sort()).toEqual(['FORMULA', 'POWDER']);
    expect(response.body.shipments.map((s) => s.shipmentId).sort()).toEqual(['S-2', 'S-3']);
    expect(response.body.parties.map((p) => p.partyId).sort()).toEqual(['brand', 'dist', 'plant']);
    expect(JSON.stringify(response.body)).not.toMatch(/farm|RAW|shop|S-4/);
  });

  it('refuses a batch beyond one step with a reason that names nothing', async () => {
    for (const batchId of ['RAW', 'NO-SUCH-BATCH']) {
      const trace = await platform.request<{ message: string }>(
        'GET',
        `/v1/batches/${batchId}/trace`,
        { key: keys.shop },
      );
      expect(trace.status).toBe(403);
      expect(trace.body.message).not.toMatch(/RAW|NO-SUCH|farm|plant/);
      expect(
        (await platform.request('GET', `/v1/batches/${batchId}`, { key: keys.shop })).status,
      ).toBe(403);
    }
  });

  it('lets a regulator read everything, unredacted', async () => {
    const trace = await platform.request<Trace>('GET', '/v1/batches/FORMULA/trace', {
      key: keys.samr,
    });
    expect(trace.body.redacted).toBe(false);
    expect(trace.body.batches.map((b) => b.batchId).sort()).toEqual(['FORMULA', 'POWDER', 'RAW']);
  });

  it("shows a recipient its own notice and its supplier's, and an outsider none", async () => {
    await post('samr', [recallInitiated('RC-ACCESS', ['FORMULA'], 'ORDERED', 2)]);
    const own = await pollUntil(
      async () => {
        const response = await platform.request<Array<{ recipient: string }>>(
          'GET',
          '/v1/recalls/RC-ACCESS/notices',
          { key: keys.shop },
        );
        const recipients = response.status === 200 ? response.body.map((n) => n.recipient) : [];
        return recipients.length === 3 ? recipients : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the notices the shop may see' },
    );
    // As its trace shows it: the shop, its supplier, and the maker of the batch it holds.
    expect(own.sort()).toEqual(['brand', 'dist', 'shop']);
    const outsider = await platform.request<{ message: string }>(
      'GET',
      '/v1/recalls/RC-ACCESS/notices',
      { key: keys.farm },
    );
    expect(outsider.status).toBe(403);
    expect(outsider.body.message).not.toMatch(/RC-ACCESS|shop|FORMULA/);
  });
});

describe('hostile input writes nothing', () => {
  it('refuses posting as another party', async () => {
    expect(
      (await platform.postEvents(keys.shop!, [{ ...produced('FORGED'), party: 'brand' }])).status,
    ).toBe(403);
    await expectNothingWritten('FORGED');
  });

  it('refuses an oversize body with 413', async () => {
    const event = { ...produced('HUGE'), product: { id: 'x', name: 'x'.repeat(300 * 1024) } };
    const response = await platform.request<{ error: string }>('POST', '/v1/events', {
      key: keys.farm,
      body: event,
    });
    expect(response.status).toBe(413);
    await expectNothingWritten('HUGE');
  });

  it('refuses deeply nested JSON with a client error', async () => {
    const depth = 50_000;
    const nested = `{"events":[${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}]}`;
    const response = await platform.request<{ message: string }>('POST', '/v1/events', {
      key: keys.farm,
      rawBody: nested,
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect((await platform.request('GET', '/healthz')).status).toBe(200);
  });

  it('refuses an eventTime far in the future', async () => {
    const future = { ...produced('FUTURE'), eventTime: '2099-01-01T00:00:00Z' };
    const response = await platform.request<{ message: string }>('POST', '/v1/events', {
      key: keys.farm,
      body: future,
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/^events\[0\]\.eventTime: /);
    await expectNothingWritten('FUTURE');
  });

  it('refuses a webhook on a loopback, private or special-purpose address when private webhooks are not allowed', async () => {
    const ownAddress = Object.values(networkInterfaces())
      .flatMap((entries) => entries ?? [])
      .find((entry) => !entry.internal && entry.family === 'IPv4')?.address;
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://10.1.2.3/hook',
      'http://[::1]/hook',
      'ftp://1.1.1.1/hook',
      // Not a URI: a host that is not ASCII (its punycode form, xn--…, is one).
      'https://\u00cf/hook',
      'http://[::127.0.0.1]/hook',
      'http://[64:ff9b::7f00:1]/hook',
      'http://[2002:7f00:1::]/hook',
      'http://198.18.0.1/hook',
      'http://240.0.0.1/hook',
      'http://224.0.0.1/hook',
      'http://255.255.255.255/hook',
      'http://192.0.0.8/hook',
      'http://[fec0::1]/hook',
      ...(ownAddress ? [`http://${ownAddress}:8080/hook`] : []),
    ]) {
      const response = await platform.request<{ message: string }>('POST', '/v1/parties', {
        key: TEST_ADMIN_KEY,
        body: { partyId: 'hooked', name: 'hooked', roles: ['submitter'], webhook: { url } },
      });
      expect(response.status, url).toBe(400);
      expect(response.body.message).toMatch(/^webhook\.url: /);
    }
    const ok = await platform.request('POST', '/v1/parties', {
      key: TEST_ADMIN_KEY,
      body: {
        partyId: 'hooked',
        name: 'hooked',
        roles: ['submitter'],
        webhook: { url: 'https://1.1.1.1/hook' },
      },
    });
    expect(ok.status).toBe(201); // the refused attempts created nothing
  });

  it('refuses a webhook secret not in the Standard Webhooks form, naming webhook.secret', async () => {
    const register = (partyId: string, secret?: string) =>
      platform.request<{ message: string; webhookSecret?: string }>('POST', '/v1/parties', {
        key: TEST_ADMIN_KEY,
        body: {
          partyId,
          name: partyId,
          roles: ['submitter'],
          webhook: { url: 'https://1.1.1.1/hook', ...(secret === undefined ? {} : { secret }) },
        },
      });
    for (const secret of ['a secret of at least sixteen characters', 'whsec_AAEC']) {
      const refused = await register('hooked-secret', secret);
      expect(refused.status, secret).toBe(400);
      expect(refused.body.message).toMatch(/^webhook\.secret: must be whsec_ and 24 to 64 /);
    }
    const chosen = await register(
      'hooked-secret',
      `whsec_${Buffer.alloc(32, 9).toString('base64')}`,
    );
    expect(chosen.status).toBe(201); // the refused attempts created nothing
    expect(chosen.body.webhookSecret).toBeUndefined();
    const generated = await register('hooked-generated');
    expect(generated.body.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });
});

describe('audit trail', () => {
  it("records a regulator's trace query and a denied attempt, readable by an admin only", async () => {
    await platform.request('GET', '/v1/batches/RAW/trace', { key: keys.samr });
    await platform.request('GET', '/v1/audit', { key: keys.shop });
    const audit = await platform.request<
      Array<{ actor: string; action: string; target: string; status: number; ip: string }>
    >('GET', '/v1/audit?limit=1000', { key: TEST_ADMIN_KEY });
    expect(audit.status).toBe(200);
    expect(audit.body).toContainEqual(
      expect.objectContaining({
        actor: 'samr',
        action: 'trace.read',
        target: 'RAW',
        status: 200,
        ip: expect.any(String),
      }),
    );
    expect(audit.body).toContainEqual(
      expect.objectContaining({ actor: 'shop', action: 'admin.audit.read', status: 403 }),
    );
  });
});
