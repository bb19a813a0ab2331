/**
 * The public check's counts on a real LMDB file: no check is lost to a flush under way, counts
 * survive a stop and a reopen, client networks are kept as networks, and the suspicion thresholds
 * decide the regulators' list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clientNetwork,
  openCheckCounter,
  type CheckCounter,
} from '../../../../services/trace-api/public/check-counts.js';

let dir: string;
const opened: CheckCounter[] = [];
const open = (thresholds = { networks: 3, checks: 10 }) => {
  const counter = openCheckCounter({ path: dir, flushIntervalMs: 60_000, thresholds });
  opened.push(counter);
  return counter;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'suyuan-checks-'));
});
afterEach(async () => {
  for (const counter of opened.splice(0)) await counter.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('check counts', () => {
  it('loses no check counted while a flush is being written', async () => {
    const counter = open();
    expect(counter.record('B1', '192.0.2.1').count).toBe(1);
    const flushing = counter.flush();
    // One turn of the event loop: the flush has taken the pending counts, and its synced commit
    // (milliseconds) has not finished.
    await new Promise((resolve) => setImmediate(resolve));
    expect(counter.record('B1', '192.0.2.1').count).toBe(2);
    await flushing;
    expect(counter.record('B1', '192.0.2.1').count).toBe(3);
    await counter.flush();
    expect(counter.record('B1', '192.0.2.1').count).toBe(4);
  });

  it('keeps every flushed count and the first check time across a stop and a reopen', async () => {
    const first = open();
    const firstCheck = first.record('B2', '192.0.2.1');
    first.record('B2', '192.0.2.9');
    await first.close();
    const again = open();
    const third = again.record('B2', '198.51.100.1');
    expect(third).toMatchObject({ count: 3, firstCheckedAt: firstCheck.firstCheckedAt });
  });

  it('keeps client networks, never whole addresses', () => {
    expect(clientNetwork('192.0.2.77')).toBe('192.0.2.0/24');
    expect(clientNetwork('::ffff:192.0.2.77')).toBe('192.0.2.0/24');
    expect(clientNetwork('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    const counter = open();
    counter.record('B3', '192.0.2.1');
    expect(counter.record('B3', '192.0.2.200').networks).toEqual(['192.0.2.0/24']);
  });

  it('lists a code checked from as many networks, or as often, as the thresholds say', async () => {
    const counter = open({ networks: 3, checks: 5 });
    for (const address of ['192.0.2.1', '198.51.100.1']) counter.record('SPREAD', address);
    for (let i = 0; i < 4; i += 1) counter.record('OFTEN', '192.0.2.1');
    expect(await counter.suspicious(10)).toEqual([]);
    counter.record('SPREAD', '203.0.113.1');
    counter.record('OFTEN', '192.0.2.1');
    const listed = await counter.suspicious(10);
    expect(listed.map((code) => [code.code, code.reasons, code.networks, code.count])).toEqual(
      expect.arrayContaining([
        ['SPREAD', ['networks'], 3, 3],
        ['OFTEN', ['checks'], 1, 5],
      ]),
    );
    expect(listed).toHaveLength(2);
    expect(await counter.suspicious(1)).toHaveLength(1);
  });
});
