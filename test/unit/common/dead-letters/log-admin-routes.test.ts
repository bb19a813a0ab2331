/**
 * The log admin routes take what their document states: the quarantine takes records of the
 * events topic only (the one the consumers read), and says so, where it documented the
 * dead-letter topic too and then refused it (Schemathesis, run in CI with every check).
 */
import { describe, expect, it } from 'vitest';
import {
  inspectLogRecordOperation,
  quarantineLogRecordOperation,
} from '../../../../services/common/dead-letters/log-admin-routes.js';
import { parseInput, toOpenApi } from '../../../../services/common/http/operations.js';
import { EVENTS_DEAD_LETTER_TOPIC, EVENTS_TOPIC } from '../../../../services/common/topics.js';

type Params = { properties: { topic: { enum: string[] } } };
const documentedTopics = (params: unknown) =>
  (toOpenApi(params as never, 'input', {}) as Params).properties.topic.enum;

describe('the log admin routes', () => {
  it('document the topics each one takes, and take each one documented', () => {
    for (const operation of [inspectLogRecordOperation, quarantineLogRecordOperation]) {
      for (const topic of documentedTopics(operation.params)) {
        expect(() =>
          parseInput(operation.params, { topic, partition: '0', offset: '0' }),
        ).not.toThrow();
      }
    }
    expect(documentedTopics(inspectLogRecordOperation.params)).toEqual([
      EVENTS_TOPIC,
      EVENTS_DEAD_LETTER_TOPIC,
    ]);
    expect(documentedTopics(quarantineLogRecordOperation.params)).toEqual([EVENTS_TOPIC]);
  });

  it('document the bounds of a partition and an offset, and take every whole number within', () => {
    type Bounds = { properties: Record<string, { minimum: number; maximum: number }> };
    const operation = inspectLogRecordOperation;
    const { properties } = toOpenApi(operation.params as never, 'input', {}) as Bounds;
    for (const field of ['partition', 'offset'] as const) {
      const { minimum, maximum } = properties[field] ?? { minimum: NaN, maximum: NaN };
      expect([minimum, maximum]).toEqual([0, 999_999_999_999_999]);
      const at = (value: number) => ({
        topic: EVENTS_TOPIC,
        partition: '0',
        offset: '0',
        [field]: String(value),
      });
      expect(() => parseInput(operation.params, at(maximum))).not.toThrow();
      expect(() => parseInput(operation.params, at(maximum + 1))).toThrow(
        new RegExp(`^${field}: `),
      );
    }
  });

  it('refuses to quarantine a dead-letter record, naming the topic', () => {
    const params = { topic: EVENTS_DEAD_LETTER_TOPIC, partition: '0', offset: '0' };
    expect(() => parseInput(quarantineLogRecordOperation.params, params)).toThrow(
      `topic: only ${EVENTS_TOPIC} is consumed`,
    );
  });
});
