import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { catalogEntries, type CatalogEntry } from '../../../../services/common/events/catalog.js';
import { backwardIncompatibility } from '../../../../services/common/events/compatibility.js';
import { EVENT_TYPES } from '../../../../services/common/events/event-types.generated.js';

const entries = catalogEntries();

describe('schema catalog', () => {
  it('has a schema for every event type of the design', () => {
    expect(new Set(entries.map((entry) => entry.eventType))).toEqual(new Set(EVENT_TYPES));
    expect(EVENT_TYPES).toHaveLength(12);
  });

  it('gives every schema version a unique, stable id', () => {
    const ids = entries.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const type of EVENT_TYPES) {
      const versions = entries.filter((e) => e.eventType === type).map((e) => e.version);
      expect(versions.sort((a, b) => a - b)).toEqual(versions.map((_, i) => i + 1));
    }
  });

  it('never changes a published schema: each file still has its recorded fingerprint', () => {
    for (const entry of entries) {
      const fingerprint = avro.Type.forSchema(entry.schema as avro.Schema)
        .fingerprint('sha256')
        .toString('hex');
      expect(fingerprint, `${entry.file} was edited; publish a new version instead`).toBe(
        entry.fingerprint,
      );
    }
  });

  it('keeps every version readable by the newest version of its type', () => {
    for (const type of EVENT_TYPES) {
      const versions = entries
        .filter((entry) => entry.eventType === type)
        .sort((a, b) => a.version - b.version);
      const latest = versions.at(-1) as CatalogEntry;
      for (const older of versions) {
        expect(backwardIncompatibility(latest.schema, older.schema), older.file).toBeUndefined();
      }
    }
  });
});

describe('the backward-compatibility check', () => {
  const v1 = JSON.parse(readFileSync('schemas/events/RecallClosed.v1.avsc', 'utf8')) as {
    fields: object[];
  };

  it('accepts a new field that has a default', () => {
    const v2 = {
      ...v1,
      fields: [...v1.fields, { name: 'closedBy', type: ['null', 'string'], default: null }],
    };
    expect(backwardIncompatibility(v2, v1)).toBeUndefined();
  });

  it('rejects a new field without a default, naming the field', () => {
    const v2 = { ...v1, fields: [...v1.fields, { name: 'closedBy', type: 'string' }] };
    expect(backwardIncompatibility(v2, v1)).toMatch(/closedBy/);
  });

  it('rejects a field whose type changed incompatibly', () => {
    const v2 = {
      ...v1,
      fields: v1.fields.map((field) =>
        (field as { name: string }).name === 'reason' ? { name: 'reason', type: 'int' } : field,
      ),
    };
    expect(backwardIncompatibility(v2, v1)).toBeDefined();
  });
});
