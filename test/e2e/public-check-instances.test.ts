// @module-tag platform (in the distributed project, the platform runs over Kafka: vitest.config.ts)
/**
 * The public check counted across trace-API instances (issue 17, docs/proofs.md's sibling in the
 * README): two instances, each with its own data directory as two containers have, answer
 * checks of the same code, and each answers the count over both, and lists the code as
 * suspicious once the sum — not either instance's share — crosses a threshold.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gs1CheckDigit } from '../../services/common/epcis/check-digits.js';
import type { DistributedPlatform } from '../support/distributed-platform.js';
import { startTestPlatform, TEST_ADMIN_KEY } from '../support/platform.js';
import { pollUntil } from '../support/poll.js';

const GTIN = `0690123456790${gs1CheckDigit('0690123456790')}`;
const CODE = 'COPIED-1';
const SUSPICIOUS_CHECKS = 6;

let platform: DistributedPlatform | undefined;
let ownDir = '';
const urls: string[] = [];
let regulator = '';

// Two instances of a service are a distributed deployment's: the embedded platform is one process.
describe.skipIf(process.env.SUYUAN_E2E_MODE !== 'distributed')(
  'public checks over two trace-API instances',
  () => {
    beforeAll(async () => {
      platform = (await startTestPlatform({
        SUYUAN_TRUST_PROXY: 'loopback',
        SUYUAN_PUBLIC_RATE_LIMIT_MAX: '100000',
        SUYUAN_PUBLIC_CHECK_FLUSH_MS: '200',
        SUYUAN_SUSPICIOUS_CHECKS: String(SUSPICIOUS_CHECKS),
        SUYUAN_SUSPICIOUS_NETWORKS: '100',
      })) as DistributedPlatform;
      ownDir = await mkdtemp(join(tmpdir(), 'suyuan-trace-api-'));
      const second = await platform.startInstance('trace-api', { SUYUAN_DATA_DIR: ownDir });
      urls.push(platform.services['trace-api'].url, second.url);
      const party = async (partyId: string, roles: string[]) => {
        const answer = await platform!.request<{ apiKey: string }>('POST', '/v1/parties', {
          key: TEST_ADMIN_KEY,
          body: { partyId, name: partyId, roles },
        });
        expect(answer.status).toBe(201);
        return answer.body.apiKey;
      };
      const plant = await party('copied-plant', ['submitter']);
      regulator = await party('copied-samr', ['regulator']);
      // The producer opts in to showing its name: the page then has something public to show.
      const profile = await platform.request('PUT', '/v1/parties/copied-plant/public-profile', {
        key: TEST_ADMIN_KEY,
        body: { showName: true },
      });
      expect(profile.status).toBe(200);
      const posted = await platform.postEvents(plant, [
        {
          eventId: '5b2c1a3e-6f1d-4c2b-9a7e-0c1d2e3f4a51',
          eventType: 'BatchProduced',
          eventTime: '2026-11-21T09:00:00Z',
          batchId: CODE,
          product: { id: GTIN, name: '全脂乳粉 whole milk powder' },
          quantity: 100,
          unit: 'kg',
        },
      ]);
      expect(posted.status).toBe(202);
      await platform.waitForBatch(regulator, CODE);
    });
    afterAll(async () => {
      await platform?.stop();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
    });

    /** A check at one instance, from a client of its own network. */
    async function checkAt(instance: number, client: string) {
      const response = await fetch(`${urls[instance]}/t/${CODE}`, {
        headers: { accept: 'application/json', 'x-forwarded-for': client },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { checks: { count: number } };
      return body.checks.count;
    }

    const suspiciousAt = async (instance: number) => {
      const response = await fetch(`${urls[instance]}/v1/public-checks/suspicious`, {
        headers: { authorization: `Bearer ${regulator}` },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Array<{ code: string; count: number; networks: number }>;
    };

    it('counts a code over both instances, and flags it by the sum', async () => {
      // Three checks at each: neither instance alone reaches the threshold of six.
      for (let i = 1; i <= 3; i += 1) expect(await checkAt(0, `10.0.${i}.1`)).toBe(i);
      // Asked for its list, the first instance writes its counts first: none is suspicious yet.
      expect(await suspiciousAt(0)).toEqual([]);
      // The second has not counted this code: it reads the first's counts from the store.
      expect(await checkAt(1, '10.0.4.1')).toBe(4);
      expect(await checkAt(1, '10.0.5.1')).toBe(5);
      expect(await suspiciousAt(1)).toEqual([]);
      expect(await checkAt(1, '10.0.6.1')).toBe(6);
      // Each instance now lists it, with the count and the networks of both: the second at once
      // (it writes its own counts first), the first once the second's flush (200 ms) is in.
      const flagged = [expect.objectContaining({ code: CODE, count: 6, networks: 6 })];
      expect(await suspiciousAt(1)).toEqual(flagged);
      await pollUntil(async () => ((await suspiciousAt(0)).length > 0 ? true : undefined), {
        what: 'the first instance to list the code',
        timeoutMs: 10_000,
      });
      expect(await suspiciousAt(0)).toEqual(flagged);
      // And the first instance answers the sum, once the second's checks reached the store.
      const count = await pollUntil(
        async () => {
          const seen = await checkAt(0, '10.0.7.1');
          return seen >= 8 ? seen : undefined;
        },
        { what: 'the first instance to count the second’s checks', timeoutMs: 10_000 },
      );
      expect(count).toBeGreaterThanOrEqual(8);
    });
  },
);
