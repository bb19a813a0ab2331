/**
 * Tamper evidence in distributed mode (docs/proofs.md): the proof keeper runs in the projector
 * process over Kafka's partitions, one tree each; through the gateway an event's proof comes
 * from ingest, the checkpoints from the trace API, a recall report's evidence from the recall
 * service — and the demo chain's report, spread over several partitions, verifies.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckpointsAnswer, EvidenceAnswer } from '../../services/common/api/proofs.js';
import type { RecallReport } from '../../services/common/api/recalls.js';
import { runVerify } from '../../tools/verify/verify-command.js';
import { loadDairyChain } from '../support/demo-chain.js';
import {
  startDistributedPlatform,
  type DistributedPlatform,
} from '../support/distributed-platform.js';
import { requireKafka } from '../support/kafka-broker.js';
import { pollUntil } from '../support/poll.js';

let platform: DistributedPlatform | undefined;
afterAll(async () => {
  await platform?.stop();
});

describe('tamper evidence over Kafka', () => {
  it(
    'proves events of several partitions and verifies the demo recall report through the gateway',
    { timeout: 300_000, tags: ['kafka'] },
    async () => {
      const { brokers } = await requireKafka();
      platform = await startDistributedPlatform(brokers, { SUYUAN_CHECKPOINT_INTERVAL_MS: '200' });
      const api = platform;
      const { chain, keys } = await loadDairyChain(api);
      const regulator = keys.get(chain.regulatorPartyId) ?? '';
      await api.waitUntilQuiet();
      const recallId = await pollUntil(
        async () => {
          const list = await api.request<
            Array<{ recallId: string; progress: { notices: number } }>
          >('GET', '/v1/recalls', { key: regulator });
          return list.body.find((recall) => recall.progress.notices > 0)?.recallId;
        },
        { what: 'the demo recall', timeoutMs: 60_000, intervalMs: 200 },
      );
      const report = await pollUntil(
        async () => {
          const answer = await api.request<RecallReport & { evidence: EvidenceAnswer }>(
            'GET',
            `/v1/recalls/${recallId}/report?evidence=true`,
            { key: regulator },
          );
          return answer.status === 200 ? answer.body : undefined;
        },
        { what: 'the report with its evidence', timeoutMs: 60_000, intervalMs: 200 },
      );
      const trees = report.evidence.checkpoint.body.trees;
      // One tree per partition of the topic (KAFKA_TOPIC_PARTITIONS), each signed.
      expect(trees.length).toBeGreaterThan(1);
      const file = join(api.dataDir, 'report.json');
      writeFileSync(file, JSON.stringify(report));
      const verdict = await runVerify(['verify', file]);
      expect(verdict.lines[0]).toMatch(/^verified recall report: \d+ events/);
      expect(verdict.code).toBe(0);

      // One event's proof comes from ingest (the gateway sends /v1/events/… there).
      const [first] = report.evidence.proofs;
      const proof = await api.request<EvidenceAnswer>('GET', `/v1/events/${first!.eventId}/proof`, {
        key: regulator,
      });
      expect(proof.status).toBe(200);
      writeFileSync(file, JSON.stringify(proof.body));
      expect((await runVerify(['verify', file])).code).toBe(0);
      const checkpoints = await api.request<CheckpointsAnswer>('GET', '/v1/checkpoints', {
        key: regulator,
      });
      expect(checkpoints.status).toBe(200);
      expect(checkpoints.body.keys.length).toBeGreaterThan(0);
    },
  );
});
