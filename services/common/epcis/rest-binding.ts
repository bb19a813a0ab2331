/**
 * What the capture and query sides of the EPCIS 2.0 REST binding share: the version headers,
 * paging, and the JSON-LD media type EPCIS documents travel as.
 */
import type { FastifyInstance } from 'fastify';
import { SuyuanError } from '../errors.js';

export const EPCIS_VERSION_HEADERS = { 'GS1-EPCIS-Version': '2.0.0', 'GS1-CBV-Version': '2.0.0' };

/** The EPCIS default page size, and the most one page may hold here (stated in docs/epcis.md). */
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;

export function perPageOf(value: unknown): number {
  if (value === undefined) return DEFAULT_PER_PAGE;
  const parsed = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (!(parsed >= 1 && parsed <= MAX_PER_PAGE)) {
    const message = `must be an integer from 1 to ${MAX_PER_PAGE}`;
    throw new SuyuanError('invalid_request', `perPage: ${message}`, {
      details: [{ path: 'perPage', message }],
    });
  }
  return parsed;
}

/**
 * Reads `application/ld+json` bodies as JSON, as EPCIS documents are sent. The parser is the
 * app's, whichever service registers it first in a process (embedded mode mounts several).
 */
export function acceptJsonLd(app: FastifyInstance): void {
  if (app.hasContentTypeParser('application/ld+json')) return;
  app.addContentTypeParser(
    'application/ld+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
}
