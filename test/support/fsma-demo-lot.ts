/**
 * The FSMA 204 export of the demo's failing formula lot (AX1-20261103), written out by hand from
 * the demo's story (tools/demo/dairy-chain.ts): its parties, sites and critical tracking events.
 */
import type { DairyChain } from '../../tools/demo/dairy-chain.js';

// The demo's parties and sites (tools/demo/dairy-chain.ts), written out by hand.
export const PARTY: Record<string, string> = {
  'brand-anxin': '安心宝贝婴幼儿营养品有限公司 (Anxin Baby Infant Nutrition Co.) (brand-anxin)',
  'dist-huabei':
    '华北贝康母婴供应链有限公司 (North China Beikang Mother & Baby Supply Chain) (dist-huabei)',
  'dist-huadong': '华东优育乳品分销有限公司 (East China Youyu Dairy Distribution) (dist-huadong)',
  'retail-bj-chaoyang':
    '宝贝屋母婴店 北京朝阳店 (Babyhouse, Beijing Chaoyang) (retail-bj-chaoyang)',
  'retail-tj-heping': '宝贝屋母婴店 天津和平店 (Babyhouse, Tianjin Heping) (retail-tj-heping)',
  'retail-sh-pudong':
    '乐育母婴生活馆 上海浦东店 (Leyu Mother & Baby, Shanghai Pudong) (retail-sh-pudong)',
  'retail-nj-gulou':
    '好孩子母婴超市 南京鼓楼店 (Good Kids Baby Market, Nanjing Gulou) (retail-nj-gulou)',
};
export const SITE: Record<string, [string, string]> = {
  'brand-anxin': ['哈尔滨市双城区 配方乳粉工厂 (formula plant)', '6933306900016'],
  'dist-huabei': ['天津市武清区 物流中心 (logistics centre)', '6934503900014'],
  'dist-huadong': ['苏州市昆山市 区域仓 (regional warehouse)', '6934615900018'],
  'retail-bj-chaoyang': ['北京市朝阳区朝阳北路 门店 (store)', '6935702900010'],
  'retail-tj-heping': ['天津市和平区南京路 门店 (store)', '6935714900015'],
  'retail-sh-pudong': ['上海市浦东新区张杨路 门店 (store)', '6935826900019'],
};
export const LOT = 'AX1-20261103';
export const PRODUCT = '6933306100119';
const DESCRIPTION =
  '安心宝贝 (Anxin Baby) 婴儿配方乳粉 1段 0-6月龄 800 g (infant formula, stage 1)';
const INPUTS =
  'WHEY-DL-IMP2610-01 (4200 kg); WMP-QQ-20261027-A (2600 kg); WMP-QQ-20261029-B (1800 kg)';

type Cte = 'transformation' | 'shipping' | 'receiving';
/** [event, time (UTC), cans, from, to (received: its site is known), the shipment or batch] */
type Story = [Cte, string, number, string, string, boolean, string];

// The lot's critical tracking events, in time order: made by Anxin, shipped to both distributors
// (received), on to three stores (received) and one more (still in transit).
export const STORY: Story[] = [
  ['transformation', '2026-11-03T06:00:00', 12000, '', '', false, LOT],
  [
    'shipping',
    '2026-11-07T00:00:00',
    4000,
    'brand-anxin',
    'dist-huabei',
    true,
    'SH-AX-20261107-01',
  ],
  [
    'shipping',
    '2026-11-07T00:40:00',
    5000,
    'brand-anxin',
    'dist-huadong',
    true,
    'SH-AX-20261107-02',
  ],
  [
    'receiving',
    '2026-11-09T00:30:00',
    4000,
    'brand-anxin',
    'dist-huabei',
    true,
    'SH-AX-20261107-01',
  ],
  [
    'receiving',
    '2026-11-10T02:00:00',
    5000,
    'brand-anxin',
    'dist-huadong',
    true,
    'SH-AX-20261107-02',
  ],
  [
    'shipping',
    '2026-11-10T23:30:00',
    600,
    'dist-huabei',
    'retail-bj-chaoyang',
    true,
    'SH-HB-20261111-01',
  ],
  [
    'shipping',
    '2026-11-11T00:00:00',
    480,
    'dist-huabei',
    'retail-tj-heping',
    true,
    'SH-HB-20261111-02',
  ],
  [
    'shipping',
    '2026-11-11T00:30:00',
    720,
    'dist-huadong',
    'retail-sh-pudong',
    true,
    'SH-HD-20261111-01',
  ],
  [
    'receiving',
    '2026-11-11T03:00:00',
    480,
    'dist-huabei',
    'retail-tj-heping',
    true,
    'SH-HB-20261111-02',
  ],
  [
    'receiving',
    '2026-11-11T07:20:00',
    600,
    'dist-huabei',
    'retail-bj-chaoyang',
    true,
    'SH-HB-20261111-01',
  ],
  [
    'receiving',
    '2026-11-11T08:10:00',
    720,
    'dist-huadong',
    'retail-sh-pudong',
    true,
    'SH-HD-20261111-01',
  ],
  [
    'shipping',
    '2026-11-16T01:00:00',
    360,
    'dist-huadong',
    'retail-nj-gulou',
    false,
    'SH-HD-20261116-03',
  ],
];

/** The demo's own id of the event the story line tells. */
function eventIdOf(chain: DairyChain, [cte, , , , , , subject]: Story): string {
  const type = {
    transformation: 'BatchProduced',
    shipping: 'BatchShipped',
    receiving: 'BatchReceived',
  }[cte];
  const found = chain.timeline.find(
    ({ event }) =>
      event.eventType === type &&
      (event.eventType === 'BatchProduced'
        ? event.batchId
        : 'shipmentId' in event
          ? event.shipmentId
          : '') === subject,
  );
  return found?.event.eventId ?? '';
}

/**
 * The reference documents' type and number cells: the demo ships with a bill of lading and an
 * invoice, and receives with the bill of lading and its goods receipt, each numbered after the
 * shipment (SH-AX-20261107-01 → BOL-AX-20261107-01).
 */
function documentCells([cte, , , , , , subject]: Story): [string | null, string | null] {
  const number = (kind: string) => `${kind}-${subject.replace(/^SH-/, '')}`;
  if (cte === 'shipping') {
    return ['BILL_OF_LADING; INVOICE', `${number('BOL')}; ${number('INV')}`];
  }
  if (cte === 'receiving') {
    return ['BILL_OF_LADING; RECEIVING_ADVICE', `${number('BOL')}; ${number('GR')}`];
  }
  return [null, null];
}

/** The row the story line stands for, cell by cell, with the time as `time` gives it. */
export function expectedRow(
  chain: DairyChain,
  line: Story,
  time: (iso: string) => unknown,
): unknown[] {
  const [cte, at, cans, from, to, received] = line;
  const [fromSite, fromGln] = SITE[from] ?? [null, null];
  const [toSite, toGln] = received ? (SITE[to] ?? [null, null]) : [null, null];
  const recorder = cte === 'receiving' ? to : 'shipping' === cte ? from : 'brand-anxin';
  return [
    cte,
    at.slice(0, 10),
    time(`${at}.000Z`),
    LOT,
    PRODUCT,
    DESCRIPTION,
    cans,
    'can',
    PARTY['brand-anxin'],
    ...SITE['brand-anxin']!,
    from === '' ? null : PARTY[from],
    fromSite,
    fromGln,
    to === '' ? null : PARTY[to],
    toSite,
    toGln,
    cte === 'transformation' ? INPUTS : null,
    ...documentCells(line),
    PARTY[recorder],
    eventIdOf(chain, line),
  ];
}
