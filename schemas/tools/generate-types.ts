/**
 * Generates the TypeScript event types from the latest version of every schema in the catalog,
 * so the types follow the schemas. `npm run schemas:types` writes the file; `--check` fails when
 * the committed file is stale (run by `npm run lint`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { latestSchemas, type AvroSchema } from '../../services/common/events/catalog.js';

const target = fileURLToPath(
  new URL('../../services/common/events/event-types.generated.ts', import.meta.url),
);

function tsType(schema: AvroSchema, named: Map<string, string>): string {
  if (typeof schema === 'string') {
    return primitive(schema, named);
  }
  if (Array.isArray(schema)) {
    return schema.map((member) => tsType(member, named)).join(' | ');
  }
  switch (schema.type) {
    case 'record':
      return recordType(schema, named);
    case 'enum':
      return (schema.symbols as string[]).map((s) => `'${s}'`).join(' | ');
    case 'array':
      return `Array<${tsType(schema.items as AvroSchema, named)}>`;
    default:
      if (schema.logicalType === 'timestamp-millis') return 'string';
      return primitive(schema.type as string, named);
  }
}

function primitive(name: string, named: Map<string, string>): string {
  const known: Record<string, string> = {
    null: 'null',
    string: 'string',
    int: 'number',
    long: 'number',
    double: 'number',
    float: 'number',
    boolean: 'boolean',
  };
  const type = known[name] ?? named.get(name);
  if (!type) throw new Error(`generate-types: unsupported Avro type ${name}`);
  return type;
}

function recordType(
  schema: Exclude<AvroSchema, string | AvroSchema[]>,
  named: Map<string, string>,
) {
  const fields = (schema.fields as Array<{ name: string; type: AvroSchema; doc?: string }>).map(
    (field) => {
      const doc = field.doc ? `  /** ${field.doc} */\n` : '';
      return `${doc}  readonly ${field.name}: ${tsType(field.type, named).replaceAll('\n', '\n  ')};`;
    },
  );
  const body = `{\n${fields.join('\n')}\n}`;
  named.set(schema.name as string, body);
  return body;
}

/** The types as prettier writes them, so the file passes `prettier --check` as written. */
export async function renderEventTypes(): Promise<string> {
  const config = await resolveConfig(target);
  return format(renderUnformatted(), { ...config, filepath: target });
}

function renderUnformatted(): string {
  const parts = [
    '// Generated from schemas/ by schemas/tools/generate-types.ts. Do not edit; run `npm run schemas:types`.',
    '',
  ];
  const names: string[] = [];
  for (const entry of latestSchemas()) {
    const schema = entry.schema as Exclude<AvroSchema, string | AvroSchema[]>;
    const body = recordType(schema, new Map());
    parts.push(`/** ${String(schema.doc)} */`);
    parts.push(`export interface ${entry.eventType} ${body}\n`);
    names.push(entry.eventType);
  }
  parts.push('/** Every event type, tagged by `eventType`. */');
  parts.push(
    `export type SuyuanEvent =\n${names.map((n) => `  | ({ readonly eventType: '${n}' } & ${n})`).join('\n')};\n`,
  );
  parts.push(
    `export const EVENT_TYPES = [\n${names.map((n) => `  '${n}',`).join('\n')}\n] as const;\n`,
  );
  parts.push('export type EventType = (typeof EVENT_TYPES)[number];\n');
  return parts.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rendered = await renderEventTypes();
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== rendered) {
      console.error(
        'services/common/events/event-types.generated.ts is stale: run npm run schemas:types',
      );
      process.exit(1);
    }
  } else {
    writeFileSync(target, rendered);
    console.log(`wrote ${target}`);
  }
}
