/**
 * The recall rules ingest checks before anything is written (services/ingest/recall-rules.ts):
 * who may open, close and answer recalls, and the warning on a shipment of a recalled batch. The
 * rules read what is projected, so the Given is events projected into a real chDB store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Party, Role } from '../../../services/common/access/party-directory.js';
import { isSuyuanError } from '../../../services/common/errors.js';
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import { createLogger } from '../../../services/common/logger.js';
import { createChdbStore } from '../../../services/common/store/chdb-store.js';
import { migrate } from '../../../services/common/store/migrations.js';
import { parseSubmission } from '../../../services/ingest/parse-submission.js';
import { checkRecallRules, recallWarnings } from '../../../services/ingest/recall-rules.js';
import { storeRuleReads, type RuleReads } from '../../../services/ingest/rule-reads.js';
import { projectEvents } from '../../../services/common/projection/projection.js';
import {
  acknowledged,
  produced,
  recallClosed,
  recallInitiated,
  shipped,
} from '../../support/event-builders.js';

const party = (partyId: string, ...roles: Role[]): Party => ({
  partyId,
  name: partyId,
  roles,
  webhook: null,
});
const regulator = party('samr', 'regulator', 'submitter');
const dairy = party('dairy', 'submitter');
const shop = party('shop', 'submitter');

/** Events as ingest hands them to the rules: validated, as the caller, numbered. */
const items = (caller: Party, ...events: object[]) =>
  parseSubmission({ events }, caller.partyId).map((event, index) => ({ index, event }));

const notice = {
  eventId: '0b6a4c43-59a4-4f35-9c5e-2a4f4c6e0001',
  eventType: 'RecallNoticeIssued',
  eventTime: '2026-11-03T00:00:00Z',
  noticeId: 'N-1',
  recallId: 'R-OPEN',
  recipient: 'shop',
  batches: [{ batchId: 'MILK-1', quantity: 40, unit: 'kg' }],
  deadline: '2026-11-05T00:00:00Z',
};

/** What the rules refuse with, or 'accepted'. */
async function outcome(promise: Promise<void>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (!isSuyuanError(error)) throw error;
    return `${error.code}: ${error.message}`;
  }
}

describe('recall rules at ingest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-recall-rules-'));
  const store = createChdbStore({ path: dir });
  const reads: RuleReads = storeRuleReads(store);
  const open = recallInitiated('R-OPEN', ['MILK-1'], 'VOLUNTARY');
  const closed = recallInitiated('R-CLOSED', ['CHEESE-1'], 'ORDERED');

  beforeAll(async () => {
    await migrate(store, createLogger({ level: 'silent', pretty: false }));
    // Given: dairy produced MILK-1 and CHEESE-1, recalled MILK-1 itself (shop was notified);
    // the regulator ordered a recall of CHEESE-1 and closed it.
    const given = [
      ...items(dairy, produced('MILK-1'), produced('CHEESE-1'), open),
      ...items(regulator, closed, recallClosed('R-CLOSED'), notice),
    ].map(({ event }): SuyuanEvent => ({ ...event, recordedAt: '2026-11-04T00:00:00.000Z' }));
    const rows = projectEvents(given);
    for (const [table, tableRows] of Object.entries(rows)) {
      await store.insert(table, tableRows);
    }
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets a producer open a voluntary recall of its own batches, and a regulator order any', async () => {
    const mine = recallInitiated('R-2', ['MILK-1'], 'VOLUNTARY');
    expect(await outcome(checkRecallRules(reads, dairy, items(dairy, mine)))).toBe('accepted');
    const ordered = recallInitiated('R-3', ['MILK-1', 'CHEESE-1'], 'ORDERED');
    expect(await outcome(checkRecallRules(reads, regulator, items(regulator, ordered)))).toBe(
      'accepted',
    );
  });

  it('refuses the wrong mode, naming the field, and a recall of batches one did not produce', async () => {
    const ordered = recallInitiated('R-4', ['MILK-1'], 'ORDERED');
    expect(await outcome(checkRecallRules(reads, dairy, items(dairy, ordered)))).toMatch(
      /^invalid_event: events\[0\]\.mode: only a regulator orders a recall/,
    );
    const voluntary = recallInitiated('R-5', ['MILK-1'], 'VOLUNTARY');
    expect(await outcome(checkRecallRules(reads, regulator, items(regulator, voluntary)))).toMatch(
      /^invalid_event: events\[0\]\.mode: a recall a regulator opens is ORDERED/,
    );
    const theirs = recallInitiated('R-6', ['MILK-1'], 'VOLUNTARY');
    expect(await outcome(checkRecallRules(reads, shop, items(shop, theirs)))).toMatch(
      /^forbidden: rootBatchIds: only the producer of every root batch/,
    );
  });

  it('refuses a recall id another event already used, but not the same event again', async () => {
    const reused = recallInitiated('R-OPEN', ['MILK-1'], 'VOLUNTARY');
    expect(await outcome(checkRecallRules(reads, dairy, items(dairy, reused)))).toBe(
      'conflict: events[0].recallId: recall R-OPEN exists already',
    );
    expect(await outcome(checkRecallRules(reads, dairy, items(dairy, open)))).toBe('accepted');
  });

  it('lets only a regulator close a recall, and only a known one', async () => {
    const close = recallClosed('R-OPEN');
    expect(await outcome(checkRecallRules(reads, dairy, items(dairy, close)))).toBe(
      'forbidden: only a regulator may close a recall',
    );
    expect(await outcome(checkRecallRules(reads, regulator, items(regulator, close)))).toBe(
      'accepted',
    );
    const unknown = recallClosed('R-NONE');
    expect(await outcome(checkRecallRules(reads, regulator, items(regulator, unknown)))).toBe(
      'invalid_event: events[0].recallId: unknown recall R-NONE',
    );
  });

  it("lets only a notice's recipient answer it, and refuses an unknown notice alike", async () => {
    const answer = acknowledged('N-1');
    expect(await outcome(checkRecallRules(reads, shop, items(shop, answer)))).toBe('accepted');
    // Notice ids can be computed from recall and recipient: the refusal must not tell whether
    // the notice exists, or it would tell who a recall reached.
    const refusal = 'forbidden: events[0].noticeId: a party may answer only a notice issued to it';
    expect(await outcome(checkRecallRules(reads, dairy, items(dairy, answer)))).toBe(refusal);
    const stray = acknowledged('N-NONE');
    expect(await outcome(checkRecallRules(reads, shop, items(shop, stray)))).toBe(refusal);
  });

  it('leaves notices to the recall service', async () => {
    expect(await outcome(checkRecallRules(reads, regulator, items(regulator, notice)))).toMatch(
      /^forbidden: events\[0\]\.eventType: RecallNoticeIssued is issued by the recall service/,
    );
  });

  it('warns on a shipment of a batch under an open recall, naming it, and not of a closed one', async () => {
    const warnings = await recallWarnings(
      reads,
      items(dairy, shipped('S-1', 'shop', ['MILK-1']), shipped('S-2', 'shop', ['CHEESE-1'])),
    );
    expect(warnings).toEqual([expect.objectContaining({ index: 0, recallIds: ['R-OPEN'] })]);
    expect(warnings[0]?.message).toMatch(/batch MILK-1 is under recall R-OPEN/);
  });
});
