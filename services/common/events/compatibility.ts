import avro from 'avsc';

/**
 * Whether data written with `writer` can be read with `reader` (Avro schema resolution), i.e.
 * whether moving from writer to reader is a backward-compatible change. Returns the reason when
 * it is not.
 */
export function backwardIncompatibility(reader: unknown, writer: unknown): string | undefined {
  const readerType = avro.Type.forSchema(reader as avro.Schema);
  const writerType = avro.Type.forSchema(writer as avro.Schema);
  try {
    readerType.createResolver(writerType);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
