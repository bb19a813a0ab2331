/**
 * GS1 keys in the URI forms EPCIS carries — EPC URNs (`urn:epc:id:…`, `urn:epc:class:lgtin:…`,
 * `urn:epc:idpat:…`) and GS1 Digital Link URIs on any host — read into one structure whose
 * canonical form is the Digital Link URI on https://id.gs1.org with the finest level of
 * identification only (a serial drops the lot, a CPV is dropped, the query string too).
 * URN → Digital Link needs nothing else: the URN carries the company-prefix length. The way back
 * would need that length, so the Digital Link form is the one Suyuan keeps.
 */
import { parseDigitalLink } from './digital-link.js';
import { parseEpcUrn } from './epc-urn.js';
import type { Gs1Key } from './gs1-key.js';

export type { Gs1Key, Gs1Kind } from './gs1-key.js';

/** Reads an EPC URN or a GS1 Digital Link URI; undefined for anything else. */
export function parseGs1Uri(uri: string): Gs1Key | undefined {
  if (uri.startsWith('urn:epc:')) return parseEpcUrn(uri);
  if (/^https?:\/\//i.test(uri)) return parseDigitalLink(uri);
  return undefined;
}

/** The canonical Digital Link of a GS1 key URI; any other URI is returned as it is. */
export function canonicalUri(uri: string): string {
  return parseGs1Uri(uri)?.canonical ?? uri;
}
