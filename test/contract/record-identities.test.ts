/**
 * The embedded log settles record identity in the append's own transaction (RecordIdentities):
 * an id is appended once however many submit it at once, a clash writes nothing, and records
 * appended without an identity can be found and indexed afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  EventLog,
  LogRecord,
  RecordIdentities,
  RecordIdentity,
} from '../../services/common/log/event-log.js';
import { createSqliteEventLog } from '../../services/common/log/sqlite-event-log.js';

const TOPIC = 'identities';
let dir: string;
let log: EventLog;
let identities: RecordIdentities;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'suyuan-identities-'));
  log = createSqliteEventLog({ path: join(dir, 'log.db'), logger: pino({ level: 'silent' }) });
  if (!log.identities) throw new Error('the embedded log must offer record identities');
  identities = log.identities;
  await log.ensureTopic(TOPIC);
});

afterEach(async () => {
  await log.close();
  await rm(dir, { recursive: true, force: true });
});

const record = (id: string, fingerprint = `fp-${id}`, body = id) => ({
  key: 'k',
  value: Buffer.from(body),
  identity: { id, fingerprint },
});

const end = async () => (await log.endOffsets(TOPIC)).get(0) ?? 0;

describe('record identities of the embedded log', () => {
  it('appends new ids, answers duplicate for the same fingerprint, and writes nothing on a clash', async () => {
    const first = await identities.appendNew(TOPIC, [record('a'), record('b')]);
    expect(first).toEqual({
      appended: [
        { status: 'appended', receipt: { partition: 0, offset: 0 } },
        { status: 'appended', receipt: { partition: 0, offset: 1 } },
      ],
    });
    const again = await identities.appendNew(TOPIC, [record('c'), record('a')]);
    expect(again).toEqual({
      appended: [
        { status: 'appended', receipt: { partition: 0, offset: 2 } },
        { status: 'duplicate' },
      ],
    });
    const clash = await identities.appendNew(TOPIC, [record('d'), record('b', 'another body')]);
    expect(clash).toEqual({ clashes: [1] });
    expect(await end()).toBe(3);
    expect([...(await identities.find(TOPIC, ['a', 'b', 'c', 'd'])).keys()].sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('appends an id once when many submit it at the same moment or one after another', async () => {
    const submissions = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? identities.appendNew(TOPIC, [record('same')])
        : new Promise((resolve) => setTimeout(resolve, i)).then(() =>
            identities.appendNew(TOPIC, [record('same')]),
          ),
    );
    const outcomes = await Promise.all(submissions);
    const appended = outcomes.filter(
      (outcome) => 'appended' in outcome && outcome.appended[0]?.status === 'appended',
    );
    expect(appended).toHaveLength(1);
    expect(await end()).toBe(1);
  });

  it('lets one clashing submission fail alone when it shares a transaction with others', async () => {
    await identities.appendNew(TOPIC, [record('x')]);
    const [good, bad] = await Promise.all([
      identities.appendNew(TOPIC, [record('y')]),
      identities.appendNew(TOPIC, [record('x', 'changed')]),
    ]);
    expect(good).toEqual({
      appended: [{ status: 'appended', receipt: { partition: 0, offset: 1 } }],
    });
    expect(bad).toEqual({ clashes: [0] });
  });

  it('indexes the identity a plain append carries', async () => {
    await log.append(TOPIC, [record('plain')]);
    expect(await identities.find(TOPIC, ['plain'])).toEqual(
      new Map([['plain', { fingerprint: 'fp-plain', partition: 0, offset: 0 }]]),
    );
    expect(await identities.appendNew(TOPIC, [record('plain')])).toEqual({
      appended: [{ status: 'duplicate' }],
    });
  });

  it('lists the records appended without identity until they are identified', async () => {
    const anonymous: LogRecord[] = ['old-1', 'old-2', 'old-3'].map((body) => ({
      key: 'k',
      value: Buffer.from(body),
    }));
    await log.append(TOPIC, anonymous);
    await log.append(TOPIC, [record('new')]);
    const listed = await identities.unidentified(TOPIC, -1, 2);
    expect(listed.map((r) => r.value.toString())).toEqual(['old-1', 'old-2']);
    const entries: Array<RecordIdentity & { partition: number; offset: number }> = listed.map(
      (r) => ({
        id: r.value.toString(),
        fingerprint: 'fp',
        partition: r.partition,
        offset: r.offset,
      }),
    );
    await identities.identify(TOPIC, entries);
    const rest = await identities.unidentified(TOPIC, -1, 10);
    expect(rest.map((r) => r.value.toString())).toEqual(['old-3']);
    expect(await identities.unidentified(TOPIC, rest[0]?.offset ?? 0, 10)).toEqual([]);
    expect((await identities.find(TOPIC, ['old-1'])).get('old-1')?.offset).toBe(0);
  });
});
