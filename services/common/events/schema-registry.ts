/**
 * The optional Confluent-compatible schema registry (SCHEMA_REGISTRY_URL). At start every catalog
 * schema is registered, oldest version first, and the codec writes and reads the ids the registry
 * assigned, so kcat, Kafka Connect and ClickHouse's AvroConfluent format can look them up there.
 * Without a registry the in-repo catalog ids are used (createEventCodec's default). A log written
 * with catalog ids is read back with catalog ids: switching a running log to a registry is a
 * migration, not a flag.
 *
 * Subjects follow TopicRecordNameStrategy, `<topic>-<full record name>`, e.g.
 * `suyuan.events-suyuan.events.BatchProduced`, with the topic as Kafka names it (`KAFKA_NAMESPACE`
 * prefixed), since a consumer's deserializer derives the subject from the topic it reads. Every event type shares the one events topic, so the
 * default TopicNameStrategy (`suyuan.events-value`) would make one subject of all types, and its
 * compatibility check would refuse BatchShipped as an incompatible successor of BatchProduced.
 * Topic plus record name gives each type on this topic its own version history, as the catalog
 * keeps it (schemas/catalog.json names the same strategy).
 */
import { SuyuanError } from '../errors.js';
import { EVENTS_TOPIC } from '../topics.js';
import { catalogEntries, type CatalogEntry } from './catalog.js';
import { createEventCodec, type EventCodec } from './codec.js';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** `<topic>-<namespace>.<name>` of the entry's record schema. */
export function subjectFor(entry: CatalogEntry, topic = EVENTS_TOPIC): string {
  const schema = entry.schema as { name?: unknown; namespace?: unknown };
  const name = typeof schema.name === 'string' ? schema.name : entry.eventType;
  const fullName =
    name.includes('.') || typeof schema.namespace !== 'string'
      ? name
      : `${schema.namespace}.${name}`;
  return `${topic}-${fullName}`;
}

async function register(
  url: string,
  subject: string,
  entry: CatalogEntry,
  fetchImpl: typeof fetch,
): Promise<number> {
  const endpoint = `${url.replace(/\/+$/, '')}/subjects/${encodeURIComponent(subject)}/versions`;
  const where = `the schema registry at ${url} (SCHEMA_REGISTRY_URL)`;
  let response: Response;
  try {
    response = await fetchImpl(endpoint, {
      method: 'POST',
      headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
      body: JSON.stringify({ schema: JSON.stringify(entry.schema) }),
    });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    // Retryable, like the log it serves: a registry that is still starting answers later.
    throw new SuyuanError(
      'log_unavailable',
      `could not reach ${where} for subject ${subject}: ${message}`,
      {
        cause,
      },
    );
  }
  const text = await response.text();
  const body = (() => {
    try {
      return JSON.parse(text) as { id?: unknown; message?: unknown };
    } catch {
      return {};
    }
  })();
  if (!response.ok) {
    const reason = typeof body.message === 'string' ? body.message : text.slice(0, 300);
    throw new SuyuanError(
      'config_invalid',
      `${where} refused schema ${entry.file} (id ${entry.id}) under subject ${subject}: HTTP ${response.status}: ${reason}`,
    );
  }
  if (typeof body.id !== 'number' || !Number.isInteger(body.id)) {
    throw new SuyuanError(
      'config_invalid',
      `${where} answered subject ${subject} without a schema id: ${text.slice(0, 300)}`,
    );
  }
  return body.id;
}

export interface RegistryOptions {
  /** The schemas to register (default: the catalog). */
  readonly entries?: readonly CatalogEntry[];
  /** The events topic as the log names it (default `suyuan.events`, no namespace). */
  readonly topic?: string;
  readonly fetchImpl?: typeof fetch;
}

/**
 * Registers every catalog schema (oldest version of each type first, so each is checked as an
 * evolution of the one before) and returns the registry's id for each catalog id.
 */
export async function registerCatalog(
  url: string,
  { entries = catalogEntries(), topic = EVENTS_TOPIC, fetchImpl = fetch }: RegistryOptions = {},
): Promise<ReadonlyMap<number, number>> {
  const ordered = [...entries].sort(
    (a, b) => a.eventType.localeCompare(b.eventType) || a.version - b.version,
  );
  const ids = new Map<number, number>();
  for (const entry of ordered) {
    ids.set(entry.id, await register(url, subjectFor(entry, topic), entry, fetchImpl));
  }
  return ids;
}

/** Registers the catalog, then builds the codec that writes and reads the registry's ids. */
export async function createRegistryCodec(
  url: string,
  options: RegistryOptions = {},
): Promise<EventCodec> {
  const entries = options.entries ?? catalogEntries();
  const ids = await registerCatalog(url, { ...options, entries });
  return createEventCodec(entries, {
    idFor: (entry) => {
      const id = ids.get(entry.id);
      if (id === undefined) {
        throw new SuyuanError('internal', `schema ${entry.file} was not registered`);
      }
      return id;
    },
  });
}
