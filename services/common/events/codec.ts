/**
 * Avro codec in the Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the
 * Avro body. Writers use the latest schema of the event's type; readers resolve any older writer
 * schema from the catalog into the latest reader schema. The ids are the catalog's, unless a
 * schema registry assigned its own (schema-registry.ts passes them in as `idFor`).
 */
import avro from 'avsc';
import { SuyuanError } from '../errors.js';
import { catalogEntries, latestSchemas, type CatalogEntry } from './catalog.js';
import { isoFromMillis } from './iso-time.js';
import type { EventType, SuyuanEvent } from './event-types.generated.js';

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

/** Times travel as Avro timestamp-millis and are RFC 3339 strings (UTC) in TypeScript. */
class TimestampMillis extends avro.types.LogicalType {
  override _fromValue(value: number): string {
    return isoFromMillis(value);
  }
  override _toValue(value: unknown): number | undefined {
    if (typeof value !== 'string') return undefined;
    const millis = Date.parse(value);
    return Number.isNaN(millis) ? undefined : millis;
  }
  override _resolve(type: avro.Type) {
    if (avro.Type.isType(type, 'long', 'logical:timestamp-millis')) {
      return this._fromValue.bind(this) as (value: unknown) => unknown;
    }
    return undefined;
  }
}

interface AvroTap {
  readonly buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  isValid(): boolean;
  _invalidate(): void;
}

/**
 * avsc trusts an array's block count: a damaged message that claims a hundred million items has
 * it allocate and read that many, and the process runs out of memory (fast-check found one).
 * Every array in the catalog holds records or strings, at least one byte each, so a block cannot
 * hold more items than bytes remain: a larger count marks the message truncated, and decoding
 * fails as it does for any damaged message. Resolvers read arrays through the same method.
 */
function readArrayWithinMessage(
  this: { itemsType: { _read(tap: AvroTap): unknown } },
  tap: AvroTap,
): unknown[] {
  const items: unknown[] = [];
  for (let n = tap.readLong(); n !== 0; n = tap.readLong()) {
    if (n < 0) {
      n = -n;
      tap.skipLong(); // the block's size in bytes
    }
    if (n > tap.buf.length - tap.pos) {
      tap._invalidate();
      return items;
    }
    while (n-- > 0) items.push(this.itemsType._read(tap));
  }
  return items;
}
(avro.types.ArrayType.prototype as unknown as { _read: typeof readArrayWithinMessage })._read =
  readArrayWithinMessage;

function parseType(schema: CatalogEntry['schema']): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, {
    logicalTypes: { 'timestamp-millis': TimestampMillis },
  });
}

interface Reader {
  readonly eventType: EventType;
  readonly decode: (body: Buffer) => unknown;
}

/** The fields every event's schema begins with, in this order (the catalog test holds them). */
export interface EventEnvelope {
  readonly eventType: EventType;
  readonly eventId: string;
  readonly party: string;
}

export interface EventCodec {
  encode(event: SuyuanEvent): Buffer;
  decode(message: Buffer): SuyuanEvent;
  /**
   * The type, id and party of a message's event, read from its schema id and the envelope at the
   * start of its body without decoding the rest: for a reader that needs only those of most
   * events (a distributed ingest instance's replica). Fails as `decode` does.
   */
  envelopeOf(message: Buffer): EventEnvelope;
  /** The schema id a message was written with (throws when the header is not ours). */
  schemaIdOf(message: Buffer): number;
}

export interface EventCodecOptions {
  /** The schema id the wire carries for a catalog entry; the catalog's own id by default. */
  readonly idFor?: (entry: CatalogEntry) => number;
}

export function createEventCodec(
  entries: readonly CatalogEntry[] = catalogEntries(),
  options: EventCodecOptions = {},
): EventCodec {
  const idFor = options.idFor ?? ((entry: CatalogEntry) => entry.id);
  const writers = new Map<string, { id: number; type: avro.Type }>();
  const latestTypes = new Map<string, avro.Type>();
  for (const entry of latestSchemas(entries)) {
    const type = parseType(entry.schema);
    writers.set(entry.eventType, { id: idFor(entry), type });
    latestTypes.set(entry.eventType, type);
  }
  const readers = new Map<number, Reader>();
  for (const entry of entries) {
    const reader = latestTypes.get(entry.eventType);
    if (!reader) continue;
    const writer = parseType(entry.schema);
    const resolver = reader.createResolver(writer);
    readers.set(idFor(entry), {
      eventType: entry.eventType as EventType,
      decode: (body): unknown => reader.fromBuffer(body, resolver, true) as unknown,
    });
  }

  // Every schema begins eventId, eventTime, recordedAt, party: a record of those four reads the
  // start of any body and stops there (no resolver, nothing after it is looked at). The times
  // are read as the longs they are on the wire and not turned into text.
  const envelope = avro.Type.forSchema({
    type: 'record',
    name: 'Envelope',
    fields: [
      { name: 'eventId', type: 'string' },
      { name: 'eventTime', type: 'long' },
      { name: 'recordedAt', type: 'long' },
      { name: 'party', type: 'string' },
    ],
  });

  const schemaIdOf = (message: Buffer): number => {
    if (message.length < HEADER_BYTES || message[0] !== MAGIC_BYTE) {
      throw new SuyuanError('decode_failed', 'message is not in the Confluent wire format');
    }
    return message.readUInt32BE(1);
  };

  return {
    encode(event) {
      const writer = writers.get(event.eventType);
      if (!writer) {
        throw new SuyuanError('invalid_event', `no schema for event type ${event.eventType}`);
      }
      const { eventType: _eventType, ...record } = event;
      const body = writer.type.toBuffer(record);
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeUInt8(MAGIC_BYTE, 0);
      header.writeUInt32BE(writer.id, 1);
      return Buffer.concat([header, body]);
    },
    decode(message) {
      const id = schemaIdOf(message);
      const reader = readers.get(id);
      if (!reader) throw new SuyuanError('decode_failed', `unknown schema id ${id}`);
      try {
        const record = reader.decode(message.subarray(HEADER_BYTES)) as object;
        return { eventType: reader.eventType, ...record } as SuyuanEvent;
      } catch (cause) {
        throw new SuyuanError('decode_failed', `body does not match schema id ${id}`, { cause });
      }
    },
    envelopeOf(message) {
      const id = schemaIdOf(message);
      const reader = readers.get(id);
      if (!reader) throw new SuyuanError('decode_failed', `unknown schema id ${id}`);
      let read: { value?: { eventId: string; party: string }; offset: number };
      try {
        read = envelope.decode(message, HEADER_BYTES);
      } catch (cause) {
        throw new SuyuanError('decode_failed', `body does not match schema id ${id}`, { cause });
      }
      if (read.offset < 0 || !read.value) {
        throw new SuyuanError('decode_failed', `body does not match schema id ${id}`);
      }
      return { eventType: reader.eventType, eventId: read.value.eventId, party: read.value.party };
    },
    schemaIdOf,
  };
}
