/**
 * Proofs of more events than one statement may carry: the leaves, the tree nodes and the stored
 * events are read in parts (query-in-chunks.ts), and the evidence is whole.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventCodec } from '../../../../services/common/events/codec.js';
import { createEventLog } from '../../../../services/common/log/create-event-log.js';
import { createLogger } from '../../../../services/common/logger.js';
import { CHECKPOINT_ORIGIN } from '../../../../services/common/proofs/checkpoint.js';
import { writeCheckpoint } from '../../../../services/common/proofs/checkpoint-store.js';
import { evidenceFor } from '../../../../services/common/proofs/evidence.js';
import { findLeaves, readNodes } from '../../../../services/common/proofs/proof-store.js';
import { appendToTree } from '../../../../services/common/proofs/tree-append.js';
import { createChdbStore } from '../../../../services/common/store/chdb-store.js';
import { migrate } from '../../../../services/common/store/migrations.js';
import { ID_CHUNK } from '../../../../services/common/store/query-in-chunks.js';
import { EVENTS_TOPIC } from '../../../../services/common/topics.js';
import { long, producedEvent, T } from '../../../support/long-id-lists.js';
import { sampleEvents } from '../../../support/sample-events.js';

describe('proofs of more than ID_CHUNK events (chDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suyuan-long-evidence-'));
  const store = createChdbStore({ path: join(dir, 'clickhouse') });

  beforeAll(async () => {
    await migrate(store, createLogger({ level: 'silent', pretty: false }));
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the leaves and tree nodes of a proof of many events', async () => {
    await store.insert('proof_leaves', [
      { event_id: 'ev-l1', partition: 0, leaf_index: 0, log_offset: 0 },
      { event_id: 'ev-l2', partition: 0, leaf_index: ID_CHUNK + 1, log_offset: ID_CHUNK + 1 },
    ]);
    const leaves = await findLeaves(store, long('ev-l1', 'ev-l2'));
    expect([...leaves.keys()].sort()).toEqual(['ev-l1', 'ev-l2']);
    await store.insert('proof_nodes', [
      { partition: 0, level: 0, node_index: 0, hash: 'aa' },
      { partition: 0, level: 0, node_index: ID_CHUNK + 1, hash: 'bb' },
    ]);
    const nodes = Array.from({ length: ID_CHUNK + 2 }, (_, index) => ({ level: 0, index }));
    const found = await readNodes(store, 0, nodes);
    expect(found.size).toBe(2);
    expect([...found.values()].sort()).toEqual(['aa', 'bb']);
  });

  it('gives the evidence for more events than one statement may carry', async () => {
    const logger = createLogger({ level: 'silent', pretty: false });
    const log = createEventLog({ kind: 'embedded', path: join(dir, 'log.db') }, logger);
    const codec = createEventCodec();
    const sample = sampleEvents()[0]!;
    const ids = Array.from({ length: ID_CHUNK + 1 }, (_, i) => `ev-proof-${i}`);
    try {
      await log.ensureTopic(EVENTS_TOPIC);
      await log.append(
        EVENTS_TOPIC,
        ids.map((eventId) => ({ key: 'B-proof', value: codec.encode({ ...sample, eventId }) })),
      );
      const records = await log.read(EVENTS_TOPIC, {
        partition: 0,
        fromOffset: 0,
        maxRecords: ids.length,
      });
      const head = (await appendToTree({ store, codec }, 0, records))!;
      await writeCheckpoint(store, {
        body: {
          origin: CHECKPOINT_ORIGIN,
          log: EVENTS_TOPIC,
          issuedAt: T(9),
          keyId: 'k',
          trees: [{ partition: 0, size: head.size, rootHash: head.root }],
        },
        signature: '',
      });
      // The store holds the first and the last event (one in each part of the read).
      await store.insert('events', [
        { ...producedEvent('B-proof', ids[0]!, 'plant-1') },
        { ...producedEvent('B-proof', ids.at(-1)!, 'plant-1') },
      ]);
      const evidence = await evidenceFor({ store, log }, ids);
      expect(evidence.proofs.map((proof) => proof.eventId)).toEqual(ids);
      expect(
        evidence.proofs.every((proof) => proof.record !== '' && proof.auditPath.length > 0),
      ).toBe(true);
      expect(
        evidence.proofs.flatMap((proof) => (proof.event ? [proof.event.eventId] : [])),
      ).toEqual([ids[0], ids.at(-1)]);
    } finally {
      await log.close();
    }
  });
});
