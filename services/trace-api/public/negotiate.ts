/**
 * What a public check answers in: the language by Accept-Language (zh-CN unless English is
 * preferred), and JSON for apps that ask for it (`Accept: application/json`), HTML otherwise: a
 * phone's browser sends text/html or nothing useful.
 */
import type { PublicLanguage } from '../../common/api/public-check.js';

interface Weighted {
  readonly value: string;
  readonly q: number;
}

/** An Accept-style header's entries by weight, highest first (stable for equal weights). */
function weighted(header: string | undefined): Weighted[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => {
      const [value = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find(Boolean);
      return { value: value.trim(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.value !== '' && entry.q > 0 && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q);
}

export function languageOf(acceptLanguage: string | undefined): PublicLanguage {
  for (const { value } of weighted(acceptLanguage)) {
    if (value === 'zh' || value.startsWith('zh-')) return 'zh-CN';
    if (value === 'en' || value.startsWith('en-')) return 'en';
  }
  return 'zh-CN';
}

/** True when the client prefers JSON to HTML. */
export function wantsJson(accept: string | undefined): boolean {
  for (const { value } of weighted(accept)) {
    if (value === 'application/json') return true;
    if (value === 'text/html' || value === '*/*' || value === 'text/*') return false;
  }
  return false;
}
