/**
 * Half a surrogate pair in a request body is a 400 naming the field (request-body.ts). The body
 * is walked only when its text has a JSON escape in D800–DFFF, the only way valid UTF-8 can carry
 * one; these hold that the shortcut never changes the answer, and how the field is named.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loneSurrogateIn, pathWhere } from '../../../../services/common/http/request-body.js';

const LONE_SURROGATE = /\p{Cs}/u;
const everyString = (parsed: unknown) => pathWhere(parsed, (text) => LONE_SURROGATE.test(text));

/** Text with now and then a lone high or low surrogate, a pair, or a character of any plane. */
const oddText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', '中', '"', '\\'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 6,
});
const body = fc
  .jsonValue({ maxDepth: 4 })
  .chain((shape) =>
    fc.oneof(
      fc.constant(shape),
      fc.dictionary(
        oddText,
        fc.oneof(oddText, fc.array(oddText, { maxLength: 3 }), fc.constant(shape)),
      ),
      fc.array(fc.dictionary(oddText, oddText), { maxLength: 3 }),
    ),
  );
/**
 * The body as sent: as JSON.stringify writes it (lone surrogates escaped, the rest as is), or with
 * every character past ASCII as a `\uXXXX` escape in lower or upper case, as Python's json.dumps
 * and other encoders write it.
 */
const sent = (value: unknown, escapes: 'none' | 'lower' | 'upper') => {
  const text = JSON.stringify(value);
  if (escapes === 'none') return text;
  const escaped = text.replace(
    /[\u0080-\uffff]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  // JSON.stringify wrote the lone surrogates' escapes in lower case; upper case them all.
  return escapes === 'upper'
    ? escaped.replace(/\\u[0-9a-f]{4}/g, (escape) => `\\u${escape.slice(2).toUpperCase()}`)
    : escaped;
};

describe('a lone surrogate in a request body', () => {
  it('is found where a walk of every string finds it, however the body escapes its text', () => {
    fc.assert(
      fc.property(body, fc.constantFrom('none', 'lower', 'upper'), (value, escapes) => {
        const text = sent(value, escapes);
        const parsed: unknown = JSON.parse(text);
        expect(loneSurrogateIn(text, parsed)).toBe(everyString(parsed));
      }),
      { numRuns: 500 },
    );
  });

  it('is named by its path from the body, a bad member name by the object that holds it', () => {
    const found = (text: string) => loneSurrogateIn(text, JSON.parse(text));
    expect(found('{"events":[{"lines":[{},{"batchId":"\\ud800"}]}]}')).toBe(
      'events[0].lines[1].batchId',
    );
    expect(found('["ok","\\udc00"]')).toBe('body[1]');
    expect(found('{"a":{"\\udfff":1}}')).toBe('a');
    expect(found('{"body":{"x":["\\udbff"]}}')).toBe('body.x[0]');
    expect(found('{"name":"\\ud83d\\ude00","note":"\\\\ud800"}')).toBeUndefined();
    expect(found('{"name":"😀"}')).toBeUndefined();
  });
});
