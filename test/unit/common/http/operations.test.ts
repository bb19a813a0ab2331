/**
 * Text the handlers trim (a search, a batch id to mock-recall, a quarantine reason) as the OpenAPI
 * document states it: what the document admits, the handler takes, and the reverse. Schemathesis,
 * run in CI with every check, found a no-break space the document allowed and the handler refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  documentedAs,
  integerParameter,
  NOT_BLANK,
  toOpenApi,
  trimmedText,
} from '../../../../services/common/http/operations.js';

/** Strings rich in the characters trim() removes, and in those it keeps that look like them. */
const texts = fc.string({
  unit: fc.oneof(
    fc.constantFrom(' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u1680', '\u2007', '\u2028'),
    fc.constantFrom('\u202f', '\u205f', '\u3000', '\ufeff', '\u180e', '\u200b', '\u001c', '\u0085'),
    fc.constantFrom('a', '1', '-'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
});

describe('trimmed text', () => {
  it('is blank to the document exactly when trim() leaves nothing', () => {
    fc.assert(
      fc.property(texts, (text) => {
        expect(NOT_BLANK.test(text), JSON.stringify(text)).toBe(text.trim().length > 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('is taken by the handler exactly when the document admits it', () => {
    const schema = trimmedText(8, 'must be 1 to 8 characters, not only spaces');
    const documented = toOpenApi(schema, 'input', {}) as { pattern: string; maxLength: number };
    const pattern = new RegExp(documented.pattern, 'u');
    fc.assert(
      fc.property(texts, (text) => {
        // JSON Schema and zod count characters by code point.
        const admitted = [...text].length <= documented.maxLength && pattern.test(text);
        expect(schema.safeParse(text).success, JSON.stringify(text)).toBe(admitted);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('integer parameters', () => {
  it('take every integer up to their bound, whatever its number of digits', () => {
    const treeSize = integerParameter(1, 1e15);
    expect(treeSize.safeParse('47246512483')).toEqual({ success: true, data: 47246512483 });
    expect(treeSize.safeParse('1000000000000000').success).toBe(true);
    expect(treeSize.safeParse('1000000000000001').success).toBe(false);
    expect(integerParameter(1, 200).safeParse('000000007')).toEqual({ success: true, data: 7 });
    expect(toOpenApi(treeSize, 'input', {})).toMatchObject({ type: 'integer', maximum: 1e15 });
  });
});

describe('a schema documented as its own JSON Schema', () => {
  it('is documented so, and still checks as it did', () => {
    const values = z.union([z.string(), z.array(z.string())]);
    const documented = documentedAs(values, { type: 'string', pattern: '^a+$' });
    expect(toOpenApi(documented.optional(), 'input', {})).toEqual({
      type: 'string',
      pattern: '^a+$',
    });
    expect(documented.safeParse(['b']).success).toBe(true);
    expect(toOpenApi(values, 'input', {})).toHaveProperty('anyOf');
  });
});
