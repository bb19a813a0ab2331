/**
 * How a request body is read. The API speaks JSON in UTF-8 and nothing else, so that what a
 * client sent is what the platform stores, byte for byte:
 *
 * - another media type (text/plain included) is 415, never read as something else (JSON-LD,
 *   `application/ld+json`, is JSON);
 * - a charset other than UTF-8 is 415, never decoded as UTF-8;
 * - bytes that are not UTF-8, and JSON escapes that make half a surrogate pair ("\ud800"), are
 *   400 naming the field: rewritten to U+FFFD they would silently change ids, so that two
 *   different byte strings could name one batch;
 * - a gzip, deflate or br body (Content-Encoding) is decoded, and bounded by the body limit after
 *   decoding (413 beyond), so a small compressed body cannot inflate without bound.
 */
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SuyuanError } from '../errors.js';

const JSON_TYPES = ['application/json', 'application/ld+json'];

const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

export function installRequestBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  // EPCIS documents travel as JSON-LD (application/ld+json): JSON, read the same way.
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'buffer' }, (request, body, done) => {
    try {
      checkCharset(request);
      const text = decodeUtf8(body as Buffer);
      void parseJson(request, text, (error, parsed) => {
        if (error) return done(poisoningIn(text) ?? error, undefined);
        const surrogate = loneSurrogateIn(text, parsed);
        if (surrogate !== undefined) {
          return done(badText(surrogate, 'must be valid Unicode (a lone surrogate)'), undefined);
        }
        return done(null, parsed);
      });
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('preParsing', async (request, _reply, payload) => decoded(request, payload));
}

const LONE_SURROGATE = /\p{Cs}/u;
/** A JSON escape of a code unit in D800–DFFF: half of a surrogate pair, or one half alone. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const REPLACEMENT = '\uFFFD';
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

function checkCharset(request: FastifyRequest): void {
  const contentType = request.headers['content-type'] ?? '';
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new SuyuanError(
      'unsupported_media_type',
      `content-type: charset ${charset} is not supported; send UTF-8 JSON`,
    );
  }
}

function decodeUtf8(body: Buffer): string {
  try {
    return fatalUtf8.decode(body);
  } catch {
    throw badText(whereInvalidUtf8(body), 'not valid UTF-8');
  }
}

/**
 * The field that holds the first bytes that are not UTF-8: the body is decoded leniently, so each
 * bad sequence becomes U+FFFD, and the string holding one names the field. When the body held
 * U+FFFD of its own, or the bad bytes are not inside a string, the answer is just `body`.
 */
function whereInvalidUtf8(body: Buffer): string {
  const text = lenientUtf8.decode(body);
  if (body.includes(REPLACEMENT, 0, 'utf8')) return 'body';
  try {
    return pathWhere(JSON.parse(text), (value) => value.includes(REPLACEMENT)) ?? 'body';
  } catch {
    return 'body';
  }
}

/**
 * Valid JSON that the parser refused for a member that would reach an object's prototype
 * (`__proto__`, or `constructor` holding `prototype`): a 400 naming the object that holds it,
 * where the parser says only "not valid JSON". Undefined when the text is not JSON at all.
 */
function poisoningIn(text: string): SuyuanError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const path = pathWhere(parsed, (key) => key === '__proto__' || key === 'constructor', 'keys');
  return badText(
    path ?? 'body',
    'must not have a member named __proto__, or constructor holding prototype',
  );
}

function badText(path: string, message: string): SuyuanError {
  return new SuyuanError('invalid_request', `${path}: ${message}`, {
    details: [{ path, message }],
  });
}

/**
 * The path of the first string with half a surrogate pair alone in `parsed`, the body parsed from
 * `text`. UTF-8 cannot encode one, so only a JSON escape (`\ud800`) can have made it: a text
 * with no escape in D800–DFFF has none, and is not walked (a walk of a 1000-event body cost more
 * than parsing it).
 */
export function loneSurrogateIn(text: string, parsed: unknown): string | undefined {
  if (!SURROGATE_ESCAPE.test(text)) return undefined;
  return pathWhere(parsed, (value) => LONE_SURROGATE.test(value));
}

/**
 * The path (`events[0].lines[1].batchId`) of the first string in a parsed body that `bad` holds
 * for; a bad key names the object that holds it. With `keys`, only the members' names are judged.
 */
export function pathWhere(
  value: unknown,
  bad: (text: string) => boolean,
  /** `keys`: look at the members' names only, not at string values. */
  among: 'text' | 'keys' = 'text',
): string | undefined {
  // The steps to what was found, innermost first; the path is written only once something is.
  const steps: Array<string | number> = [];
  const walk = (node: unknown): boolean => {
    if (typeof node === 'string') return among === 'text' && bad(node);
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index += 1) {
        if (walk(node[index])) {
          steps.push(index);
          return true;
        }
      }
      return false;
    }
    if (typeof node !== 'object' || node === null) return false;
    for (const [key, item] of Object.entries(node)) {
      if (bad(key)) return true;
      if (walk(item)) {
        steps.push(key);
        return true;
      }
    }
    return false;
  };
  if (!walk(value)) return undefined;
  return steps.reduceRight<string>((path, step, i) => {
    if (typeof step === 'number') return `${path}[${step}]`;
    return i === steps.length - 1 ? step : `${path}.${step}`;
  }, 'body');
}

/**
 * The body stream to parse: decoded when Content-Encoding names a compression. Fastify counts
 * the decoded bytes against the body limit (413 beyond) and checks Content-Length against the
 * encoded bytes, which `receivedEncodedLength` reports.
 */
function decoded(request: FastifyRequest, payload: Readable): Readable {
  const header = request.headers['content-encoding']?.trim().toLowerCase() ?? '';
  if (header === '' || header === 'identity' || !hasBody(request)) return payload;
  const decoder = DECODERS[header];
  if (!decoder) {
    throw new SuyuanError(
      'unsupported_media_type',
      `content-encoding: ${header} is not supported (gzip, deflate, br or identity)`,
    );
  }
  const inflated = Object.assign(decoder(), { receivedEncodedLength: 0 });
  payload.on('data', (chunk: Buffer) => {
    inflated.receivedEncodedLength += chunk.length;
  });
  payload.on('error', (error) => inflated.destroy(error));
  // Fastify listens for errors while it reads the body; a route that never reads it must not
  // turn a broken stream into an uncaught error.
  inflated.on('error', () => undefined);
  return payload.pipe(inflated);
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}
