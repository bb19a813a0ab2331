/**
 * The demo data set: a deterministic infant-formula supply chain in north-east China.
 *
 * Four dairy farms (牧场) deliver raw milk (生鲜乳) to a milk-powder plant, which dries several
 * raw-milk batches into each whole-milk-powder batch. An importer supplies demineralised whey.
 * Two formula brands blend powder and whey into infant formula, sell it through two distributors
 * to five retailers; one shipment is still in transit. A district market-regulation bureau's
 * supervisory sampling (监督抽查) finds Cronobacter (阪崎肠杆菌) in one formula batch.
 *
 * Everything here is pure: the same call yields the same events with the same ids, so loading the
 * demo twice is idempotent. All names, GTINs and GLNs are fictitious.
 */
import { gs1, type Finding, type InspectionSpec, type Role } from '../chain/chain-builder.js';
import {
  Story,
  type ActedEvent,
  type DairyChain,
  type DemoEvent,
  type ProductDef,
  type Site,
} from './story.js';

export { gs1CheckDigit, stableUuid, type Role } from '../chain/chain-builder.js';
export type { ActedEvent, DairyChain, DemoEvent, DemoLocation, DemoParty } from './story.js';

// partyId | roles | GS1 company prefix | 责任人 | name | site
const PARTY_TABLE = `
farm-hulunbuir|submitter|6931015|巴特尔 (Bater)|呼伦贝尔绿源牧场 (Hulunbuir Lüyuan Dairy Farm)|海拉尔区谢尔塔拉挤奶厅 (milking parlour)
farm-gannan|submitter|6931027|王立军 (Wang Lijun)|甘南北纬47°牧场 (Gannan N47 Dairy Farm)|齐齐哈尔市甘南县 2号挤奶厅 (milking parlour 2)
farm-daqing|submitter|6931039|刘桂芳 (Liu Guifang)|大庆银泉牧业 (Daqing Yinquan Dairy Ranch)|大庆市杜尔伯特县挤奶中心 (milking centre)
farm-xingan|submitter|6931041|乌日娜 (Urna)|兴安盟科尔沁草原牧场 (Xing'an Horqin Grassland Ranch)|乌兰浩特市挤奶厅 (milking parlour)
plant-qiqihar|submitter|6932108|陈志刚 (Chen Zhigang)|齐齐哈尔北疆乳业乳粉厂 (Qiqihar Beijiang Dairy Powder Plant)|齐齐哈尔市建华区 喷雾干燥车间 (spray-drying hall)
whey-dalian|submitter|6932211|孙海燕 (Sun Haiyan)|大连海澜乳清配料有限公司 (Dalian Hailan Whey Ingredients Co.)|大连保税区 3号冷库 (bonded warehouse 3)
brand-anxin|submitter|6933306|李明华 (Li Minghua)|安心宝贝婴幼儿营养品有限公司 (Anxin Baby Infant Nutrition Co.)|哈尔滨市双城区 配方乳粉工厂 (formula plant)
brand-qinghe|submitter|6933419|赵文静 (Zhao Wenjing)|青禾乳业营养科技有限公司 (Qinghe Dairy Nutrition Technology Co.)|石家庄市鹿泉区 配方乳粉工厂 (formula plant)
dist-huabei|submitter|6934503|周强 (Zhou Qiang)|华北贝康母婴供应链有限公司 (North China Beikang Mother & Baby Supply Chain)|天津市武清区 物流中心 (logistics centre)
dist-huadong|submitter|6934615|吴丽萍 (Wu Liping)|华东优育乳品分销有限公司 (East China Youyu Dairy Distribution)|苏州市昆山市 区域仓 (regional warehouse)
retail-bj-chaoyang|submitter|6935702|郑晓东 (Zheng Xiaodong)|宝贝屋母婴店 北京朝阳店 (Babyhouse, Beijing Chaoyang)|北京市朝阳区朝阳北路 门店 (store)
retail-tj-heping|submitter|6935714|冯静 (Feng Jing)|宝贝屋母婴店 天津和平店 (Babyhouse, Tianjin Heping)|天津市和平区南京路 门店 (store)
retail-sh-pudong|submitter|6935826|黄佳怡 (Huang Jiayi)|乐育母婴生活馆 上海浦东店 (Leyu Mother & Baby, Shanghai Pudong)|上海市浦东新区张杨路 门店 (store)
retail-hz-xihu|submitter|6935838|何俊 (He Jun)|乐育母婴生活馆 杭州西湖店 (Leyu Mother & Baby, Hangzhou Xihu)|杭州市西湖区文三路 门店 (store)
retail-nj-gulou|submitter|6935940|许文 (Xu Wen)|好孩子母婴超市 南京鼓楼店 (Good Kids Baby Market, Nanjing Gulou)|南京市鼓楼区中山北路 门店 (store)
lab-huaxin|submitter|6936017|林雪 (Lin Xue)|华信食品检测技术有限公司 (Huaxin Food Testing Laboratory)|哈尔滨市南岗区 检测实验室 (laboratory)
amr-pudong|regulator,submitter|6939001|钱卫东 (Qian Weidong)|上海市浦东新区市场监督管理局 (Pudong New Area Administration for Market Regulation)|上海市浦东新区合欢路 (office)
`;

function parseSites(table: string): Site[] {
  return table
    .trim()
    .split('\n')
    .map((row) => {
      const [partyId = '', roles = '', prefix = '', operator = '', name = '', site = ''] =
        row.split('|');
      const gln = gs1(`${prefix}90001`);
      const location = { gln, siteId: `${partyId}-01`, name: site };
      return { partyId, name, roles: roles.split(',') as Role[], prefix, operator, location };
    });
}

const RAW_MILK = { item: '00011', name: '生鲜乳 (raw cow milk)', unit: 'kg' };
const WMP = {
  item: '00021',
  name: '全脂乳粉 25 kg 袋 (whole milk powder, 25 kg bags)',
  unit: 'kg',
};
const WHEY = { item: '00031', name: '脱盐乳清粉 D90 (demineralised whey powder D90)', unit: 'kg' };
const STAGE1 = { item: '10011', name: '婴儿配方乳粉 1段 0-6月龄 800 g (infant formula, stage 1)' };
const STAGE2 = { item: '10021', name: '较大婴儿配方乳粉 2段 800 g (follow-on formula, stage 2)' };
const STAGE3 = { item: '10031', name: '幼儿配方乳粉 3段 800 g (young-child formula, stage 3)' };
const can = (def: Omit<ProductDef, 'unit'>, brand: string): ProductDef => ({
  item: def.item,
  name: `${brand} ${def.name}`,
  unit: 'can',
});

const PLANT = 'plant-qiqihar';
const WHEY_CO = 'whey-dalian';
const ANXIN = 'brand-anxin';
const QINGHE = 'brand-qinghe';
const HUABEI = 'dist-huabei';
const HUADONG = 'dist-huadong';
const LAB = 'lab-huaxin';
const REGULATOR = 'amr-pudong';
const FARMS = ['farm-hulunbuir', 'farm-gannan', 'farm-daqing', 'farm-xingan'] as const;
const FARM_CODES = ['HLBE', 'GN', 'DQ', 'XA'] as const;

const rawMilk = (farm: number, date: string) => `RM-${FARM_CODES[farm] ?? ''}-${date}`;
const WMP_A = 'WMP-QQ-20261027-A';
const WMP_B = 'WMP-QQ-20261029-B';
const WMP_C = 'WMP-QQ-20261029-C';
const WHEY_1 = 'WHEY-DL-IMP2610-01';
const WHEY_2 = 'WHEY-DL-IMP2610-02';
const AX1 = 'AX1-20261103';
const AX2 = 'AX2-20261104';
const QH1 = 'QH1-20261104';
const QH3 = 'QH3-20261105';

const CRONOBACTER = '克罗诺杆菌属(阪崎肠杆菌) (Cronobacter spp. / Enterobacter sakazakii)';
const APC = '菌落总数 (aerobic plate count)';
const AFM1 = '黄曲霉毒素M1 (aflatoxin M1)';
const NOT_DETECTED = '未检出 (not detected)';

function rawMilkCheck(batchId: string, n: number): InspectionSpec {
  const findings: Finding[] = [
    ['蛋白质 (protein)', (3.02 + 0.04 * n).toFixed(2), '≥ 2.8', 'g/100g'],
    [APC, `${(1.1 + 0.3 * n).toFixed(1)}×10^5`, '≤ 2×10^6', 'CFU/g'],
    [AFM1, (0.02 + 0.01 * n).toFixed(2), '≤ 0.5', 'µg/kg'],
  ];
  const [id, report, standard] = [`QC-${batchId}`, `QQ-QC-${batchId}`, 'GB 19301-2010'];
  return { id, kind: 'SELF_CHECK', result: 'PASS', report, findings, standard };
}

function powderCheck(batchId: string, n: number): InspectionSpec {
  const findings: Finding[] = [
    ['蛋白质 (protein, of non-fat milk solids)', (35.2 + 0.3 * n).toFixed(1), '≥ 34', '%'],
    ['脂肪 (fat)', (27.4 + 0.2 * n).toFixed(1), '≥ 26.0', 'g/100g'],
    ['水分 (moisture)', (3.0 + 0.2 * n).toFixed(1), '≤ 5.0', 'g/100g'],
    [APC, `${6 + 2 * n}×10^3`, 'n=5, c=2, m=5×10^4, M=2×10^5', 'CFU/g'],
  ];
  const [id, report, standard] = [`QC-${batchId}`, `QQ-QC-${batchId}`, 'GB 19644-2024'];
  return { id, kind: 'SELF_CHECK', result: 'PASS', report, findings, standard };
}

function formulaFindings(n: number, cronobacter: string): Finding[] {
  return [
    ['蛋白质 (protein)', (0.47 + 0.01 * n).toFixed(2), '0.43–0.72', 'g/100kJ'],
    [APC, `${2 + n}×10^2`, 'n=5, c=2, m=1000, M=10000', 'CFU/g'],
    [CRONOBACTER, cronobacter, 'n=3, c=0, m=0 (不得检出, not detected)', '/100g'],
  ];
}

function formulaCheck(batchId: string, gb: string, n: number): InspectionSpec {
  const [id, report, standard] = [`QC-${batchId}`, `QC-${batchId}`, `${gb}, GB 29921-2021`];
  const findings = formulaFindings(n, NOT_DETECTED);
  return { id, kind: 'SELF_CHECK', result: 'PASS', report, findings, standard };
}

function labTest(report: string, findings: Finding[]): InspectionSpec {
  const standard = 'GB 2761-2017, GB 19644-2024, GB 10765-2021, GB 29921-2021';
  return { id: report, kind: 'THIRD_PARTY', result: 'PASS', standard, report, findings };
}

function wheyImportCheck(batchId: string, n: number): InspectionSpec {
  const findings: Finding[] = [
    ['蛋白质 (protein)', (12.4 + 0.3 * n).toFixed(1), '≥ 10.0', 'g/100g'],
    ['灰分 (ash)', (0.9 + 0.1 * n).toFixed(1), '≤ 1.5', 'g/100g'],
    ['水分 (moisture)', (3.2 + 0.2 * n).toFixed(1), '≤ 5.0', 'g/100g'],
  ];
  const report = `入境货物检验检疫证明 No. 21060026${1184 + n} (${batchId})`;
  const [id, standard] = [`CIQ-${batchId}`, 'GB 11674-2010'];
  return { id, kind: 'IMPORT', result: 'PASS', standard, report, findings };
}

function supervisorySampling(n: number, result: 'PASS' | 'FAIL'): InspectionSpec {
  const cronobacter = result === 'FAIL' ? '检出 (detected in 1 of 3 samples)' : NOT_DETECTED;
  const report = `浦市监抽检〔2026〕${1147 + n}号 (sampled 2026-11-12 at the Pudong store)`;
  const [id, standard] = [`SAMR-PD-2026-${1147 + n}`, 'GB 10765-2021, GB 29921-2021'];
  const findings = formulaFindings(n, cronobacter);
  return { id, kind: 'SUPERVISORY_SAMPLING', result, standard, report, findings };
}

/** Every farm milks and ships a tanker (槽车) to the plant, which receives and checks it. */
function milkRun(b: Story, day: number, date: string, kgs: readonly number[]): void {
  const tanker = (farm: number) => `TK-${FARM_CODES[farm] ?? ''}-${date}`;
  FARMS.forEach((farm, i) => {
    b.at(day, `05:${20 + 10 * i}`).produce(farm, rawMilk(i, date), RAW_MILK, kgs[i] ?? 0);
  });
  FARMS.forEach((farm, i) => {
    b.at(day, `07:${10 + 10 * i}`).ship(farm, tanker(i), PLANT, `${rawMilk(i, date)}=${kgs[i]}`);
  });
  FARMS.forEach((_farm, i) => {
    b.at(day, `${11 + i}:30`).receive(tanker(i));
    b.inspect(PLANT, rawMilk(i, date), rawMilkCheck(rawMilk(i, date), i + day));
  });
}

function powderAndWhey(b: Story): void {
  const [d26, d28] = ['20261026', '20261028'];
  milkRun(b, 0, d26, [26400, 21800, 24600, 19200]);
  b.at(1, '09:00').produce(WHEY_CO, WHEY_1, WHEY, 20000).produce(WHEY_CO, WHEY_2, WHEY, 18000);
  const linesA = `${rawMilk(0, d26)}=26400 ${rawMilk(1, d26)}=21800 ${rawMilk(2, d26)}=24600`;
  b.at(1, '16:30').produce(PLANT, WMP_A, WMP, 9100, linesA);
  b.at(1, '18:00').inspect(PLANT, WMP_A, powderCheck(WMP_A, 0));
  milkRun(b, 2, d28, [25900, 22400, 23900, 18700]);
  b.at(2, '15:00').inspect(WHEY_CO, WHEY_1, wheyImportCheck(WHEY_1, 0));
  b.inspect(WHEY_CO, WHEY_2, wheyImportCheck(WHEY_2, 1));
  const linesB = `${rawMilk(3, d26)}=19200 ${rawMilk(0, d28)}=25900 ${rawMilk(1, d28)}=22400`;
  b.at(3, '15:00').produce(PLANT, WMP_B, WMP, 8430, linesB);
  b.at(3, '17:40').produce(
    PLANT,
    WMP_C,
    WMP,
    5320,
    `${rawMilk(2, d28)}=23900 ${rawMilk(3, d28)}=18700`,
  );
  b.at(3, '19:00').inspect(PLANT, WMP_B, powderCheck(WMP_B, 1));
  b.inspect(PLANT, WMP_C, powderCheck(WMP_C, 2));
}

function ingredientsToBrands(b: Story): void {
  b.at(4, '08:30').ship(PLANT, 'SH-QQ-20261030-01', ANXIN, `${WMP_A}=6000 ${WMP_B}=3000`);
  b.at(4, '09:10').ship(PLANT, 'SH-QQ-20261030-02', QINGHE, `${WMP_B}=5000 ${WMP_C}=5000`);
  b.at(4, '10:00').ship(WHEY_CO, 'SH-DL-20261030-01', ANXIN, `${WHEY_1}=10000`);
  b.ship(WHEY_CO, 'SH-DL-20261030-02', QINGHE, `${WHEY_2}=9000`);
  b.at(4, '13:10').receive('SH-QQ-20261030-01');
  const labFindings: Finding[] = [
    [AFM1, '0.11', '≤ 0.5', 'µg/kg'],
    ['三聚氰胺 (melamine)', '未检出 (< 0.1)', '≤ 2.5', 'mg/kg'],
  ];
  b.at(4, '14:00').inspect(LAB, WMP_B, labTest('HX-2026-W0417', labFindings));
  b.at(5, '10:00').receive('SH-DL-20261030-01');
  b.at(5, '16:30').receive('SH-QQ-20261030-02');
  b.at(5, '17:40').receive('SH-DL-20261030-02');
}

function blending(b: Story): void {
  const anxin = (def: Omit<ProductDef, 'unit'>) => can(def, '安心宝贝 (Anxin Baby)');
  const qinghe = (def: Omit<ProductDef, 'unit'>) => can(def, '青禾 (Qinghe)');
  const ax1Inputs = `${WMP_A}=2600 ${WMP_B}=1800 ${WHEY_1}=4200`;
  b.at(8, '14:00').produce(ANXIN, AX1, anxin(STAGE1), 12000, ax1Inputs);
  b.at(8, '20:00').inspect(ANXIN, AX1, formulaCheck(AX1, 'GB 10765-2021', 0));
  b.at(9, '11:00').produce(ANXIN, AX2, anxin(STAGE2), 9000, `${WMP_A}=3000 ${WHEY_1}=3500`);
  const qh1Inputs = `${WMP_B}=2400 ${WMP_C}=2000 ${WHEY_2}=4000`;
  b.at(9, '15:00').produce(QINGHE, QH1, qinghe(STAGE1), 11000, qh1Inputs);
  b.at(9, '18:00').inspect(ANXIN, AX2, formulaCheck(AX2, 'GB 10766-2021', 1));
  b.at(9, '19:30').inspect(QINGHE, QH1, formulaCheck(QH1, 'GB 10765-2021', 2));
  const qh3Inputs = `${WMP_C}=2800 ${WMP_B}=1200 ${WHEY_2}=2500`;
  b.at(10, '10:00').produce(QINGHE, QH3, qinghe(STAGE3), 8000, qh3Inputs);
  b.at(10, '16:00').inspect(QINGHE, QH3, formulaCheck(QH3, 'GB 10767-2021', 3));
  const afm1: Finding = [AFM1, '0.08', '≤ 0.5', 'µg/kg'];
  const ax1Lab = labTest('HX-2026-F1102', [afm1, ...formulaFindings(1, NOT_DETECTED)]);
  b.at(11, '10:00').inspect(LAB, AX1, ax1Lab);
  const qh1Lab = labTest('HX-2026-F1103', [afm1, ...formulaFindings(2, NOT_DETECTED)]);
  b.at(11, '15:00').inspect(LAB, QH1, qh1Lab);
}

function toDistributors(b: Story): void {
  b.at(12, '08:00').ship(ANXIN, 'SH-AX-20261107-01', HUABEI, `${AX1}=4000 ${AX2}=3000`);
  b.at(12, '08:40').ship(ANXIN, 'SH-AX-20261107-02', HUADONG, `${AX1}=5000 ${AX2}=2000`);
  b.at(12, '09:30').ship(QINGHE, 'SH-QH-20261107-01', HUABEI, `${QH1}=3000 ${QH3}=2000`);
  b.at(12, '10:10').ship(QINGHE, 'SH-QH-20261107-02', HUADONG, `${QH1}=4000 ${QH3}=3000`);
  b.at(13, '09:00').receive('SH-QH-20261107-01');
  b.at(14, '08:30').receive('SH-AX-20261107-01');
  b.at(14, '16:00').receive('SH-QH-20261107-02');
  b.at(15, '10:00').receive('SH-AX-20261107-02');
}

function toRetailers(b: Story): void {
  const [bj, tj, sh, hz] = [
    'retail-bj-chaoyang',
    'retail-tj-heping',
    'retail-sh-pudong',
    'retail-hz-xihu',
  ];
  b.at(16, '07:30').ship(HUABEI, 'SH-HB-20261111-01', bj, `${AX1}=600 ${AX2}=300 ${QH1}=400`);
  b.at(16, '08:00').ship(HUABEI, 'SH-HB-20261111-02', tj, `${AX1}=480 ${QH3}=300`);
  b.at(16, '08:30').ship(HUADONG, 'SH-HD-20261111-01', sh, `${AX1}=720 ${QH1}=480`);
  b.at(16, '09:00').ship(HUADONG, 'SH-HD-20261111-02', hz, `${AX2}=360 ${QH1}=240 ${QH3}=420`);
  b.at(16, '11:00').receive('SH-HB-20261111-02');
  b.at(16, '15:20').receive('SH-HB-20261111-01');
  b.at(16, '16:10').receive('SH-HD-20261111-01');
  b.at(17, '10:30').receive('SH-HD-20261111-02');
  // Shipped the morning the sampling result came out and never received: still in transit.
  b.at(21, '09:00').ship(HUADONG, 'SH-HD-20261116-03', 'retail-nj-gulou', `${AX1}=360 ${QH1}=240`);
  b.at(21, '16:00').inspect(REGULATOR, AX1, supervisorySampling(0, 'FAIL'), sh);
  b.inspect(REGULATOR, QH1, supervisorySampling(1, 'PASS'), sh);
}

function groupByParty(timeline: readonly ActedEvent[]): Map<string, DemoEvent[]> {
  const byParty = new Map<string, DemoEvent[]>();
  for (const { party, event } of timeline) {
    const events = byParty.get(party) ?? [];
    events.push(event);
    byParty.set(party, events);
  }
  return byParty;
}

/** Builds the whole demo chain; pure and deterministic. */
export function buildDairyChain(): DairyChain {
  const sites = parseSites(PARTY_TABLE);
  const b = new Story(new Map(sites.map((site) => [site.partyId, site])));
  for (const stage of [powderAndWhey, ingredientsToBrands, blending, toDistributors, toRetailers]) {
    stage(b);
  }
  const { timeline } = b;
  const produced = timeline
    .map(({ event }) => event)
    .filter((e) => e.eventType === 'BatchProduced');
  return {
    parties: sites.map(({ partyId, name, roles }) => ({ partyId, name, roles })),
    timeline,
    eventsByParty: groupByParty(timeline),
    batchIds: produced.map((event) => event.batchId),
    regulatorPartyId: REGULATOR,
    interesting: {
      rawMilkBatchId: rawMilk(0, '20261026'),
      powderBatchId: WMP_B,
      failingFormulaBatchId: AX1,
    },
  };
}

/** One `POST /v1/events` request: consecutive events of one party. */
export interface PostingChunk {
  readonly party: string;
  readonly events: readonly DemoEvent[];
}

/** Splits the timeline into requests of at most `max` events, keeping the global order. */
export function postingPlan(timeline: readonly ActedEvent[], max = 1000): PostingChunk[] {
  const chunks: Array<{ party: string; events: DemoEvent[] }> = [];
  for (const { party, event } of timeline) {
    const last = chunks.at(-1);
    if (last && last.party === party && last.events.length < max) last.events.push(event);
    else chunks.push({ party, events: [event] });
  }
  return chunks;
}
