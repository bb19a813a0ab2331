/**
 * What the capture and query sides of the EPCIS 2.0 REST binding share: the version headers,
 * and paging (JSON-LD bodies are read as JSON: common/http/request-body.ts).
 */
export const EPCIS_VERSION_HEADERS = { 'GS1-EPCIS-Version': '2.0.0', 'GS1-CBV-Version': '2.0.0' };

/** The EPCIS default page size, and the most one page may hold here (stated in docs/epcis.md). */
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;
