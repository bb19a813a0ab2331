/**
 * The form of a webhook URL, as one zod schema: the party routes check it and the OpenAPI document
 * states its pattern, so a client reading the document knows what is taken.
 */
import { z } from 'zod';

/**
 * What a webhook URL may be, as one pattern that the handler checks and the document states:
 * `http(s)://`, optional user info, a host, an optional port, then only URI characters
 * (RFC 3986). The host is a DNS name (letters, digits and hyphens; an internationalised name in
 * punycode, xn--…), a dotted IPv4 address or a bracketed IPv6 one (RFC 3986's grammar). A DNS
 * name's last label starts with a letter: a URL parser reads a host ending in a number as an IPv4
 * address ("http://0" is 0.0.0.0), so such a host is written as one. Every string of this form is a
 * URL the notifier can post to, and is posted to exactly as registered (ASCII only).
 */
const H16 = '[0-9A-Fa-f]{1,4}';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const LS32 = `(?:${H16}:${H16}|${IPV4})`;
/** Up to n+1 groups before "::". */
const head = (n: number) => `(?:(?:${H16}:){0,${n}}${H16})?`;
const IPV6 = [
  `(?:${H16}:){6}${LS32}`,
  `::(?:${H16}:){5}${LS32}`,
  `${head(0)}::(?:${H16}:){4}${LS32}`,
  `${head(1)}::(?:${H16}:){3}${LS32}`,
  `${head(2)}::(?:${H16}:){2}${LS32}`,
  `${head(3)}::${H16}:${LS32}`,
  `${head(4)}::${LS32}`,
  `${head(5)}::${H16}`,
  `${head(6)}::`,
].join('|');
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const LAST_LABEL = '[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST = `(?:(?:${LABEL}\\.)*${LAST_LABEL}\\.?|${IPV4}|\\[(?:${IPV6})\\])`;
const PORT = '(?:[1-5]?[0-9]{1,4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';
const USER_INFO = "[A-Za-z0-9\\-._~!$&'()*+,;=:%]*@";
const REST = "[/?#][A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=%]*";
export const WEBHOOK_URL = new RegExp(
  `^https?://(?:${USER_INFO})?${HOST}(?::${PORT})?(?:${REST})?$`,
);

/** A webhook URL, checked as sent: z.url() would trim it first, so that " http://a" passed. */
export const webhookUrlSchema = z
  .string()
  .max(2048)
  .regex(
    WEBHOOK_URL,
    'must be an http(s) URL of a DNS name, an IPv4 or a [IPv6] address, in ASCII (a host in punycode, xn--…)',
  )
  // The one thing the pattern cannot check: an xn-- label must be valid punycode.
  .refine((url) => URL.canParse(url), 'must be an http(s) URL');
