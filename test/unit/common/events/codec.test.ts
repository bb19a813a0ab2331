import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { catalogEntries, latestSchemas } from '../../../../services/common/events/catalog.js';
import { createEventCodec } from '../../../../services/common/events/codec.js';
import { EVENT_TYPES } from '../../../../services/common/events/event-types.generated.js';
import { sampleEvents } from '../../../support/sample-events.js';
import { withShippedV2 } from '../../../support/schema-evolution.js';

const codec = createEventCodec();

describe('event codec', () => {
  it('round-trips an event of every type', () => {
    const samples = sampleEvents();
    expect(samples.map((event) => event.eventType).sort()).toEqual([...EVENT_TYPES].sort());
    for (const event of samples) {
      expect(codec.decode(codec.encode(event))).toEqual(event);
    }
  });

  it('refuses a damaged array length with decode_failed instead of allocating what it claims', () => {
    const shipment = sampleEvents().find((event) => event.eventType === 'BatchShipped');
    if (shipment?.eventType !== 'BatchShipped') throw new Error('no BatchShipped sample');
    const empty = codec.encode({ ...shipment, lines: [] });
    const full = codec.encode(shipment);
    // The first byte where the two differ is the block count of `lines`.
    const at = empty.findIndex((byte, i) => byte !== full[i]);
    // A count of 2^27 items, with the rest of the message as it was.
    const huge = avro.Type.forSchema('long').toBuffer(2 ** 27);
    const damaged = Buffer.concat([full.subarray(0, at), huge, full.subarray(at + 1)]);
    expect(() => codec.decode(damaged)).toThrow(
      expect.objectContaining({ code: 'decode_failed' }) as Error,
    );
    // Not a speed measure: read as claimed, this count takes tens of seconds and gigabytes (and
    // a little more runs a worker out of memory); refused, it takes a millisecond.
  }, 10_000);

  it('writes the Confluent wire format: magic byte 0 and the catalog id of the writer schema', () => {
    for (const event of sampleEvents()) {
      const message = codec.encode(event);
      const entry = latestSchemas().find((e) => e.eventType === event.eventType);
      expect(message[0]).toBe(0);
      expect(message.readUInt32BE(1)).toBe(entry?.id);
    }
  });

  it('still reads the bytes written when each schema version was published (fixtures)', () => {
    for (const { eventType, version, id } of catalogEntries()) {
      const bytes = readFileSync(`test/fixtures/avro/${eventType}.v${version}.bin`);
      const expected = JSON.parse(
        readFileSync(`test/fixtures/avro/${eventType}.v${version}.json`, 'utf8'),
      ) as Record<string, unknown>;
      expect(bytes.readUInt32BE(1), `${eventType}.v${version}.bin`).toBe(id);
      const decoded = codec.decode(bytes) as unknown as Record<string, unknown>;
      // What a later version added reads back as its default, in nested records too
      // (BatchProduced v3's location.region).
      const reader = latestSchemas().find((entry) => entry.eventType === eventType);
      expect(decoded, `${eventType}.v${version}.bin`).toEqual(
        withLaterDefaults(decoded, expected, recordFields(reader?.schema)),
      );
    }
  });

  it('reads a finding written as text by v1 as text, and v2 numbers as numbers', () => {
    const v1 = codec.decode(readFileSync('test/fixtures/avro/InspectionRecorded.v1.bin'));
    const v2 = codec.decode(readFileSync('test/fixtures/avro/InspectionRecorded.v2.bin'));
    expect(v1).toMatchObject({ findings: [{ value: '0.8' }] });
    expect(v2).toMatchObject({ findings: [{ value: 0.8 }, { value: '未检出' }] });
  });

  it('reads a shipment or receipt written before v3 as naming no reference document', () => {
    for (const file of ['BatchShipped.v2', 'BatchReceived.v2', 'BatchShipped.v1']) {
      const decoded = codec.decode(readFileSync(`test/fixtures/avro/${file}.bin`));
      expect(decoded, file).toMatchObject({ referenceDocuments: [] });
    }
    expect(codec.decode(readFileSync('test/fixtures/avro/BatchShipped.v3.bin'))).toMatchObject({
      referenceDocuments: [
        { type: 'BILL_OF_LADING', number: 'BOL-2026-0042' },
        { type: 'INVOICE', number: '发票 44031234' },
      ],
    });
  });

  it('reads a reference document type a later version adds as OTHER (the enum default)', () => {
    const v3 = catalogEntries().find((e) => e.eventType === 'BatchShipped' && e.version === 3);
    const reader = avro.Type.forSchema(v3?.schema as avro.Schema);
    // A later writer with one more type: the symbols are copied, and one appended.
    const later = JSON.parse(JSON.stringify(v3?.schema)) as {
      fields: Array<{ name: string; type: unknown }>;
    };
    const field = later.fields.find((f) => f.name === 'referenceDocuments');
    const symbols = (field?.type as { items: { fields: Array<{ type: { symbols: string[] } }> } })
      .items.fields[0]?.type.symbols;
    symbols?.push('WAYBILL');
    const writer = avro.Type.forSchema(later as avro.Schema);
    const shipment = sampleEvents().find((event) => event.eventType === 'BatchShipped');
    const bytes = writer.toBuffer({
      ...shipment,
      eventTime: Date.parse(shipment?.eventTime ?? ''),
      recordedAt: Date.parse(shipment?.recordedAt ?? ''),
      referenceDocuments: [{ type: 'WAYBILL', number: 'WB-1' }],
    });
    const read = reader.fromBuffer(bytes, reader.createResolver(writer)) as {
      referenceDocuments: unknown;
    };
    expect(read.referenceDocuments).toEqual([{ type: 'OTHER', number: 'WB-1' }]);
  });

  it("reads a v1 defect report as one without a complaint, and keeps a v2 report's complaint", () => {
    const v1 = codec.decode(readFileSync('test/fixtures/avro/DefectReported.v1.bin'));
    const v2 = codec.decode(readFileSync('test/fixtures/avro/DefectReported.v2.bin'));
    expect(v1).toMatchObject({ source: 'INSPECTION', complaint: null });
    expect(v2).toMatchObject({
      source: 'COMPLAINT',
      complaint: { channel: 'HOTLINE_12315', region: '330106', illnessReported: true },
    });
  });

  it('resolves data written with an older schema into the newer reader schema', () => {
    const newer = createEventCodec(withShippedV2(catalogEntries()));
    const decoded = newer.decode(readFileSync('test/fixtures/avro/BatchShipped.v1.bin'));
    expect(decoded).toMatchObject({ eventType: 'BatchShipped', shipmentId: 'S-1', carrier: null });
    expect(newer.schemaIdOf(newer.encode(decoded))).toBe(1000);
  });

  it('rejects bytes that are not in the wire format or name an unknown schema', () => {
    expect(() => codec.decode(Buffer.from('not avro'))).toThrow(/wire format/);
    expect(() => codec.decode(Buffer.from([0, 0, 0, 0x7f, 0x7f, 1]))).toThrow(/unknown schema id/);
    const truncated = codec.encode(sampleEvents()[0]!).subarray(0, 12);
    expect(() => codec.decode(truncated)).toThrow(/does not match schema/);
  });
});

interface AvroField {
  readonly name: string;
  readonly type: unknown;
  readonly default?: unknown;
}

/** The fields of a record schema, or of the record in a union such as ["null", {record}]. */
function recordFields(type: unknown): readonly AvroField[] {
  const record = (Array.isArray(type) ? type : [type]).find(
    (branch): branch is { type: 'record'; fields: AvroField[] } =>
      typeof branch === 'object' &&
      branch !== null &&
      (branch as { type?: unknown }).type === 'record',
  );
  return record?.fields ?? [];
}

/**
 * `expected` with every field `decoded` has beyond it set to the reader schema's default (null,
 * or [] for BatchShipped v3's referenceDocuments), at every level of records.
 */
function withLaterDefaults(
  decoded: Record<string, unknown>,
  expected: Record<string, unknown>,
  fields: readonly AvroField[],
): Record<string, unknown> {
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  const fieldOf = new Map(fields.map((field) => [field.name, field]));
  const filled: Record<string, unknown> = {};
  for (const key of Object.keys(decoded)) {
    if (!(key in expected)) filled[key] = fieldOf.get(key)?.default;
  }
  for (const [key, value] of Object.entries(expected)) {
    const read = decoded[key];
    filled[key] =
      isRecord(value) && isRecord(read)
        ? withLaterDefaults(read, value, recordFields(fieldOf.get(key)?.type))
        : value;
  }
  return filled;
}
