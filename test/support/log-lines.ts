/**
 * Reads the JSON log lines a process wrote, and finds keys written twice in one object: pino
 * writes every binding of every child logger, so a key bound twice appears twice, and a JSON
 * reader keeps only the last.
 */
import { pino } from 'pino';

/** A pino logger at `level` that keeps each line it writes, parsed, in `lines`. */
export function capturingLogger(level: pino.Level) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

/** The lines of `output` that are JSON objects (pino's lines), parsed. */
export function jsonLogLines(output: string): { text: string; line: Record<string, unknown> }[] {
  return output
    .split('\n')
    .filter((text) => text.startsWith('{'))
    .map((text) => ({ text, line: JSON.parse(text) as Record<string, unknown> }));
}

/** The keys that occur more than once in one object anywhere in a JSON text. */
export function duplicateKeys(json: string): string[] {
  const duplicates: string[] = [];
  // One entry per open object (its keys so far) or array (null).
  const open: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    if (char === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const keys = open.at(-1);
      if (expectKey && keys) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) duplicates.push(key);
        keys.add(key);
      }
      expectKey = false;
      i = end;
    } else if (char === '{') {
      open.push(new Set());
      expectKey = true;
    } else if (char === '[') {
      open.push(null);
      expectKey = false;
    } else if (char === '}' || char === ']') {
      open.pop();
      expectKey = false;
    } else if (char === ',') {
      expectKey = open.at(-1) instanceof Set;
    }
  }
  return duplicates;
}
