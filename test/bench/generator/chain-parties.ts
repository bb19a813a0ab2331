/**
 * The parties of a generated chain and the names of its batches: how many of each tier a chain
 * of a given size has, their ids, names, sites (GLN, site id) and responsible persons.
 */
import {
  gs1,
  type ChainParty as Member,
  type ChainSite,
} from '../../../tools/chain/chain-builder.js';

export type PartyTier =
  'farm' | 'plant' | 'premix' | 'whey' | 'brand' | 'distributor' | 'retailer' | 'lab' | 'regulator';

export interface ChainParty extends Member {
  readonly roles: ReadonlyArray<'submitter' | 'regulator'>;
  readonly tier: PartyTier;
}

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG; enough for synthetic data. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface Shape {
  readonly farms: number;
  readonly plants: number;
  readonly premixSuppliers: number;
  readonly wheySuppliers: number;
  readonly brands: number;
  readonly distributors: number;
  readonly retailers: number;
  readonly labs: number;
}

/** Party counts grow with the square root of the chain, as real chains concentrate. */
export function shapeFor(runs: number): Shape {
  const root = Math.sqrt(runs);
  return {
    farms: Math.max(10, Math.round(root * 4)),
    plants: Math.max(2, Math.round(root / 6)),
    premixSuppliers: 3,
    wheySuppliers: 2,
    brands: Math.max(3, Math.round(root / 8)),
    distributors: Math.max(4, Math.round(root / 4)),
    retailers: Math.max(20, Math.round(root * 8)),
    labs: 2,
  };
}

export type Site = ChainSite;

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明'];
const PROVINCES = ['黑龙江', '内蒙古', '河北', '山东', '江苏', '浙江', '广东', '四川', '河南'];
const TIER_NAMES: Record<PartyTier, string> = {
  farm: '牧场 (dairy farm)',
  plant: '乳粉厂 (milk-powder plant)',
  premix: '营养素预混料有限公司 (premix supplier)',
  whey: '乳清配料进口公司 (whey importer)',
  brand: '婴幼儿配方乳粉品牌 (formula brand)',
  distributor: '母婴供应链 (distributor)',
  retailer: '母婴店 (baby store)',
  lab: '食品检测实验室 (testing laboratory)',
  regulator: '市场监督管理局 (market regulation bureau)',
};

export function buildParties(shape: Shape, random: () => number) {
  const parties: ChainParty[] = [];
  const sites = new Map<string, Site>();
  const ids = (tier: PartyTier, count: number, width: number) =>
    Array.from({ length: count }, (_, i) => {
      const partyId = `${tier}-${pad(i + 1, width)}`;
      const province = PROVINCES[Math.floor(random() * PROVINCES.length)] ?? '';
      const operator = `${SURNAMES[Math.floor(random() * SURNAMES.length)] ?? ''}${
        GIVEN[Math.floor(random() * GIVEN.length)] ?? ''
      }`;
      const name = `${province}${TIER_NAMES[tier]} ${i + 1}`;
      const roles: ChainParty['roles'] =
        tier === 'regulator' ? ['regulator', 'submitter'] : ['submitter'];
      parties.push({ partyId, name, roles, tier });
      // Company prefix from the tier and index: 13-digit GLNs, unique per party.
      const prefix = `69${pad(Object.keys(TIER_NAMES).indexOf(tier), 1)}${pad(i, 5)}`;
      sites.set(partyId, {
        location: { gln: gs1(`${prefix}0001`), siteId: `${partyId}-01`, name: `${name} 1号场地` },
        operator,
      });
      return partyId;
    });
  const tiers = {
    farms: ids('farm', shape.farms, 5),
    plants: ids('plant', shape.plants, 3),
    premix: ids('premix', shape.premixSuppliers, 2),
    whey: ids('whey', shape.wheySuppliers, 2),
    brands: ids('brand', shape.brands, 3),
    distributors: ids('distributor', shape.distributors, 4),
    retailers: ids('retailer', shape.retailers, 5),
    labs: ids('lab', shape.labs, 2),
    regulator: ids('regulator', 1, 2)[0] ?? '',
  };
  const nameOf = new Map(parties.map((party) => [party.partyId, party.name]));
  return { parties, sites, nameOf, ...tiers };
}

export type Parties = ReturnType<typeof buildParties>;

/** Run `j` belongs to plant `j % plants` as that plant's run number `floor(j / plants)`. */
export function batchNames(tag: string, plants: number, brands: number) {
  const plantOf = (run: number) => run % plants;
  const plantRun = (run: number) => Math.floor(run / plants);
  return {
    plantOf,
    plantRun,
    brandOf: (run: number) => run % brands,
    raw: (run: number, i: number) => `${tag}RM-${pad(run, 7)}-${i + 1}`,
    base: (run: number) => `${tag}BP-P${pad(plantOf(run) + 1, 3)}-${pad(plantRun(run), 6)}`,
    premix: (plant: number, block: number) => `${tag}PMX-P${pad(plant + 1, 3)}-${pad(block, 5)}`,
    whey: (plant: number, block: number) => `${tag}WHEY-P${pad(plant + 1, 3)}-${pad(block, 5)}`,
    lot: (run: number, k: number) => `${tag}FL-${pad(run, 7)}-${pad(k + 1, 2)}`,
  };
}

export type Names = ReturnType<typeof batchNames>;
