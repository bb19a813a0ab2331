/**
 * The public check as a page: server-rendered HTML, readable without JavaScript, built for a
 * phone, in zh-CN or English. A recall comes first, before anything else on the page. Every text
 * from a request or a record goes through `escape`: a code holding markup shows as text.
 */
import type { PublicCheck, PublicLanguage, PublicParty } from '../../common/api/public-check.js';

const TEXT = {
  'zh-CN': {
    title: '溯源码查询',
    colon: '：',
    recalled: '召回警示',
    level: (level: number) => `${['一', '二', '三'][level - 1] ?? level}级召回`,
    since: '召回开始',
    reason: '原因',
    product: '产品',
    producer: '生产者',
    producedAt: '生产日期',
    region: '产地',
    origin: '原料来源',
    inspections: '检验记录',
    passed: '合格',
    failed: '不合格',
    kinds: {
      SELF_CHECK: '企业自检',
      SUPERVISORY_SAMPLING: '监督抽检',
      THIRD_PARTY: '第三方检验',
      IMPORT: '进口检验',
    },
    notPublic: '未公开',
    checks: (count: number, first: string) =>
      count === 1
        ? `这是本码的首次查询（${first}）。`
        : `本码已被查询 ${count} 次，首次查询于 ${first}。`,
    copied: '若您是第一次扫描本码，它可能是被复制的，请向销售方或监管部门核实。',
    noRecall: '本批次目前没有召回。',
    unknownTitle: '查无此码',
    unknown:
      '没有以此码公开的记录。请核对包装上的码；如有疑问，请联系销售方或当地市场监管部门（12315）。',
    invalidTitle: '码的格式不正确',
    code: '查询码',
  },
  en: {
    title: 'Trace code check',
    colon: ': ',
    recalled: 'Recall warning',
    level: (level: number) => `Level ${level} recall`,
    since: 'Recall started',
    reason: 'Reason',
    product: 'Product',
    producer: 'Producer',
    producedAt: 'Produced',
    region: 'Region',
    origin: 'Where it came from',
    inspections: 'Inspections',
    passed: 'Passed',
    failed: 'Failed',
    kinds: {
      SELF_CHECK: 'Self-check',
      SUPERVISORY_SAMPLING: 'Supervisory sampling',
      THIRD_PARTY: 'Third-party test',
      IMPORT: 'Import inspection',
    },
    notPublic: 'Not public',
    checks: (count: number, first: string) =>
      count === 1
        ? `This is the first check of this code (${first}).`
        : `This code has been checked ${count} times, first on ${first}.`,
    copied:
      'If this is your first scan of this code, it may have been copied: ask the seller or the market regulator.',
    noRecall: 'This batch is not under recall.',
    unknownTitle: 'Code not found',
    unknown:
      'Nothing public is recorded under this code. Check the code on the package; if in doubt, ask the seller or the local market regulator (12315).',
    invalidTitle: 'This is not a valid code',
    code: 'Code',
  },
} as const;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML content and attribute values. */
export const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** Formatters by language: building one costs far more than using it, on the busiest page. */
const FORMATS: Record<PublicLanguage, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'medium',
    timeStyle: 'short',
  }),
  en: new Intl.DateTimeFormat('en', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'medium',
    timeStyle: 'short',
  }),
};

/** A time as a date and minute in China's time zone, the zone of the records' readers. */
const when = (iso: string, lang: PublicLanguage): string => FORMATS[lang].format(new Date(iso));

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;color:#1b1b1b;background:#f4f5f7}
main{max-width:34rem;margin:0 auto;padding:1rem}
h1{font-size:1.1rem;margin:0 0 .75rem;color:#555}
.recall{background:#b00020;color:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
.recall h2{margin:0 0 .25rem;font-size:1.4rem}.recall p{margin:.25rem 0}.recall .todo{font-weight:700;font-size:1.1rem}
.card{background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card h2{font-size:1rem;margin:0 0 .5rem;color:#333}
dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem}dt{color:#666}dd{margin:0;overflow-wrap:anywhere}
ul{margin:0;padding-left:1.2rem}.ok{color:#1b7f3b;font-weight:600}.bad{color:#b00020;font-weight:600}
.code{font-family:ui-monospace,monospace;overflow-wrap:anywhere}.muted{color:#666;font-size:.9rem}
.clean{color:#1b7f3b}`;

function page(lang: PublicLanguage, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>${escape(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

function partyLine(party: PublicParty | null, t: (typeof TEXT)[PublicLanguage]): string {
  if (!party) return escape(t.notPublic);
  const parts = [party.name, party.region].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.map(escape).join(' · ') : escape(t.notPublic);
}

function recallBlock(check: PublicCheck, t: (typeof TEXT)[PublicLanguage]): string {
  const { recall } = check;
  if (!recall) return '';
  return `<section class="recall" role="alert" id="recall">
<h2>⚠ ${escape(t.recalled)} · ${escape(t.level(recall.level))}</h2>
<p class="todo">${escape(recall.whatToDo)}</p>
<p>${escape(t.reason)}${t.colon}${escape(recall.reason)}</p>
<p>${escape(t.since)}${t.colon}${escape(when(recall.since, check.lang))}</p>
</section>`;
}

export function checkPage(check: PublicCheck): string {
  const t = TEXT[check.lang];
  const facts = [
    [t.code, `<span class="code">${escape(check.code)}</span>`],
    ...(check.product ? [[t.product, escape(check.product.name)]] : []),
    ...(check.producer ? [[t.producer, partyLine(check.producer, t)]] : []),
    ...(check.producedAt ? [[t.producedAt, escape(when(check.producedAt, check.lang))]] : []),
  ];
  const origin = check.origin.length
    ? `<section class="card" id="origin"><h2>${escape(t.origin)}</h2><ul>${check.origin
        .map((o) => `<li>${escape(o.product.name)} — ${partyLine(o.producer, t)}</li>`)
        .join('')}</ul></section>`
    : '';
  const inspections = check.inspections.length
    ? `<section class="card" id="inspections"><h2>${escape(t.inspections)}</h2><ul>${check.inspections
        .map(
          (i) =>
            `<li><span class="${i.passed ? 'ok' : 'bad'}">${escape(i.passed ? t.passed : t.failed)}</span> ${escape(t.kinds[i.kind])} · ${escape(when(i.at, check.lang))}${i.inspector ? ` · ${partyLine(i.inspector, t)}` : ''}</li>`,
        )
        .join('')}</ul></section>`
    : '';
  const first = when(check.checks.firstCheckedAt, check.lang);
  const body = `${recallBlock(check, t)}<h1>${escape(t.title)}</h1>
<section class="card" id="batch"><dl>${facts.map(([k, v]) => `<dt>${escape(k ?? '')}</dt><dd>${v ?? ''}</dd>`).join('')}</dl>
${check.recall ? '' : `<p class="clean">${escape(t.noRecall)}</p>`}</section>
${origin}${inspections}
<section class="card" id="checks"><p>${escape(t.checks(check.checks.count, first))}</p>${check.checks.count > 1 ? `<p class="muted">${escape(t.copied)}</p>` : ''}</section>`;
  return page(check.lang, t.title, body);
}

/** The page for an unknown code and for a code of which nothing is public: the same page. */
export function unknownCodePage(lang: PublicLanguage, code: string): string {
  const t = TEXT[lang];
  return page(
    lang,
    t.unknownTitle,
    `<h1>${escape(t.title)}</h1><section class="card" id="unknown"><h2>${escape(t.unknownTitle)}</h2>
<p class="code">${escape(code)}</p><p>${escape(t.unknown)}</p></section>`,
  );
}

export function invalidCodePage(lang: PublicLanguage, code: string, message: string): string {
  const t = TEXT[lang];
  return page(
    lang,
    t.invalidTitle,
    `<h1>${escape(t.title)}</h1><section class="card" id="invalid"><h2>${escape(t.invalidTitle)}</h2>
<p class="code">${escape(code)}</p><p class="muted">${escape(message)}</p></section>`,
  );
}
