/**
 * The events of a generated chain, one plant run at a time, in causal order: supplier lots, the
 * raw milk of the run, the base powder made from them, the brand's consumer lots, then their
 * shipments to distributors and retailers. Every choice comes from one seeded stream, so the
 * same input yields the same events; the events are written by the one chain builder
 * (tools/chain/chain-builder.ts), as the demo's are.
 */
import type { SuyuanEvent } from '../../../services/common/events/event-types.generated.js';
import {
  createChainBuilder,
  gs1,
  type Finding,
  type InspectionSpec,
  type Line,
} from '../../../tools/chain/chain-builder.js';
import { mulberry32, pad, type Names, type Parties } from './chain-parties.js';

/** Runs of one plant that share a premix lot: its downstream trace is the ~1 000-node answer. */
export const PREMIX_RUNS = 60;
export const WHEY_RUNS = 40;
export const RAW_PER_RUN = 5;
export const LOTS_PER_RUN = 12;
/** Average events per plant run (see the stages below), for progress estimates only. */
export const EVENTS_PER_RUN = 91;
const START_MS = Date.parse('2025-01-01T00:00:00Z');
/** The whole chain spans this long, whatever its size. */
const SPAN_MS = 300 * 24 * 3600 * 1000;

const RAW_MILK = { id: gs1('0693100000011'), name: '生鲜乳 (raw cow milk)' };
const BASE_POWDER = { id: gs1('0693210000021'), name: '基粉 (base milk powder, 25 kg bags)' };
const PREMIX = { id: gs1('0693220000031'), name: '维生素矿物质预混料 (vitamin-mineral premix)' };
const WHEY = { id: gs1('0693230000041'), name: '脱盐乳清粉 D90 (demineralised whey D90)' };
const STAGES = ['1段 0-6月龄 (stage 1)', '2段 6-12月龄 (stage 2)', '3段 12-36月龄 (stage 3)'];
const CRONOBACTER = '克罗诺杆菌属 (Cronobacter spp.)';
const NOT_DETECTED = '未检出 (not detected)';

export interface GenerateInput {
  readonly runs: number;
  readonly seed: number;
  readonly tag: string;
  readonly parties: Parties;
  readonly names: Names;
  readonly estimatedEvents: number;
}

type InspectionKind = InspectionSpec['kind'];

/**
 * The seeded stream, and the one chain builder (tools/chain) stamping each event from it: an id
 * drawn from the stream, a clock that steps evenly over the chain's span, and an upload delay.
 */
function createWriter(input: GenerateInput) {
  const { parties, tag } = input;
  const random = mulberry32(input.seed);
  const hex = () => (Math.floor(random() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
  // Random UUIDs (version 4 layout) from the seeded stream: unique per seed, the same per run.
  const uuid = () => {
    const [a, b, c, d] = [hex(), hex(), hex(), hex()];
    const variant = (8 + (parseInt(c[0] ?? '0', 16) & 3)).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  };
  const stepMs = Math.max(1000, Math.floor(SPAN_MS / Math.max(1, input.estimatedEvents)));
  let clock = START_MS;
  let shipments = 0;
  const builder = createChainBuilder(parties.sites, () => {
    clock += stepMs;
    const eventId = uuid();
    const eventTime = new Date(clock).toISOString();
    // Ingest stamps this; here a plausible upload delay of one to five minutes.
    const recordedAt = new Date(clock + 60_000 + Math.floor(random() * 240_000)).toISOString();
    return { eventId, eventTime, recordedAt };
  });
  return {
    random,
    pick: <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T,
    produce: builder.produce,
    /** A shipment and, unless still in transit, its receipt. */
    *ship(from: string, to: string, lines: Line[], delivered = true): Generator<SuyuanEvent> {
      const shipment = builder.ship(
        from,
        `${tag}SH-${from}-${pad((shipments += 1), 8)}`,
        to,
        lines,
      );
      yield shipment;
      if (delivered) yield builder.receive(shipment);
    },
    inspect(
      party: string,
      batchId: string,
      kind: InspectionKind,
      standard: string,
      findings: Finding[],
      result: 'PASS' | 'FAIL' = 'PASS',
    ): SuyuanEvent {
      const id = `QC-${batchId}-${kind}`;
      const report = `${party.toUpperCase()}-${kind}-${batchId}`;
      return builder.inspect(party, batchId, { id, kind, result, standard, report, findings });
    },
  };
}

type Writer = ReturnType<typeof createWriter>;

export function* generateEvents(input: GenerateInput): Generator<SuyuanEvent> {
  const writer = createWriter(input);
  const previousBase = new Map<number, string>();
  for (let run = 0; run < input.runs; run += 1) {
    const { premixId, wheyId } = yield* supplierLots(writer, input, run);
    const raw = yield* rawMilk(writer, input, run);
    const base = yield* plantRun(writer, input, run, [...raw, premixId, wheyId]);
    const brandIndex = input.names.brandOf(run);
    const lots = yield* canning(writer, input, run, base, previousBase.get(brandIndex));
    previousBase.set(brandIndex, base.batchId);
    yield* distribution(writer, input, lots);
  }
}

/** The premix and whey lots of the run's block; produced, tested and shipped when it starts. */
function* supplierLots(writer: Writer, { parties, names }: GenerateInput, run: number) {
  const plantIndex = names.plantOf(run);
  const plantRun = names.plantRun(run);
  const plant = parties.plants[plantIndex] ?? '';
  const premixId = names.premix(plantIndex, Math.floor(plantRun / PREMIX_RUNS));
  const wheyId = names.whey(plantIndex, Math.floor(plantRun / WHEY_RUNS));
  const { random } = writer;
  if (plantRun % PREMIX_RUNS === 0) {
    const supplier = parties.premix[plantIndex % parties.premix.length] ?? '';
    yield writer.produce(supplier, premixId, PREMIX, 2000, 'kg', []);
    yield writer.inspect(writer.pick(parties.labs), premixId, 'THIRD_PARTY', 'GB 14880-2012', [
      ['维生素A (vitamin A)', (410 + random() * 40).toFixed(0), '≥ 380', 'µg/100g'],
      ['铅 (lead)', (0.02 + random() * 0.05).toFixed(2), '≤ 0.5', 'mg/kg'],
    ]);
    yield* writer.ship(supplier, plant, [{ batchId: premixId, quantity: 2000, unit: 'kg' }]);
  }
  if (plantRun % WHEY_RUNS === 0) {
    const importer = parties.whey[plantIndex % parties.whey.length] ?? '';
    yield writer.produce(importer, wheyId, WHEY, 20_000, 'kg', []);
    yield writer.inspect(importer, wheyId, 'IMPORT', 'GB 11674-2010', [
      ['蛋白质 (protein)', (12 + random()).toFixed(1), '≥ 10.0', 'g/100g'],
      ['灰分 (ash)', (0.8 + random() * 0.4).toFixed(1), '≤ 1.5', 'g/100g'],
    ]);
    yield* writer.ship(importer, plant, [{ batchId: wheyId, quantity: 20_000, unit: 'kg' }]);
  }
  return {
    premixId: { batchId: premixId, quantity: 25, unit: 'kg' },
    wheyId: { batchId: wheyId, quantity: 500, unit: 'kg' },
  };
}

/** Five farms of the plant milk; each ships a tanker, which the plant receives and checks. */
function* rawMilk(writer: Writer, { parties, names }: GenerateInput, run: number) {
  const plantIndex = names.plantOf(run);
  const plant = parties.plants[plantIndex] ?? '';
  const plants = parties.plants.length;
  const plantFarms = Math.ceil((parties.farms.length - plantIndex) / plants);
  const { random } = writer;
  const lines: Line[] = [];
  for (let i = 0; i < RAW_PER_RUN; i += 1) {
    const farm = parties.farms[plantIndex + plants * Math.floor(random() * plantFarms)] ?? '';
    const batchId = names.raw(run, i);
    const kg = 18_000 + Math.floor(random() * 9000);
    yield writer.produce(farm, batchId, RAW_MILK, kg, 'kg', []);
    yield* writer.ship(farm, plant, [{ batchId, quantity: kg, unit: 'kg' }]);
    // About one tanker in 400 fails the plant's intake check (rejected, but recorded).
    const fail = random() < 0.0025;
    const findings: Finding[] = [
      ['蛋白质 (protein)', (2.9 + random() * 0.4).toFixed(2), '≥ 2.8', 'g/100g'],
      ['菌落总数 (aerobic plate count)', fail ? '3.1×10^6' : '1.2×10^5', '≤ 2×10^6', 'CFU/g'],
    ];
    const result = fail ? 'FAIL' : 'PASS';
    yield writer.inspect(plant, batchId, 'SELF_CHECK', 'GB 19301-2010', findings, result);
    lines.push({ batchId, quantity: kg, unit: 'kg' });
  }
  return lines;
}

/** The plant dries raw milk, premix and whey into one base-powder batch and ships it to a brand. */
function* plantRun(writer: Writer, { parties, names }: GenerateInput, run: number, inputs: Line[]) {
  const plant = parties.plants[names.plantOf(run)] ?? '';
  const brand = parties.brands[names.brandOf(run)] ?? '';
  const batchId = names.base(run);
  const kg = 11_000 + Math.floor(writer.random() * 3000);
  yield writer.produce(plant, batchId, BASE_POWDER, kg, 'kg', inputs);
  yield writer.inspect(plant, batchId, 'SELF_CHECK', 'GB 19644-2024', [
    ['水分 (moisture)', (3 + writer.random()).toFixed(1), '≤ 5.0', 'g/100g'],
    ['脂肪 (fat)', (26 + writer.random() * 2).toFixed(1), '≥ 26.0', 'g/100g'],
  ]);
  yield* writer.ship(plant, brand, [{ batchId, quantity: kg, unit: 'kg' }]);
  return { batchId, brand };
}

/** The brand cans the base powder into consumer lots; some also use its previous base batch. */
function* canning(
  writer: Writer,
  { parties, names }: GenerateInput,
  run: number,
  base: { batchId: string; brand: string },
  previousBase: string | undefined,
) {
  const brandIndex = names.brandOf(run);
  const brandName = parties.nameOf.get(base.brand);
  const product = {
    id: gs1(`0693330${pad(brandIndex, 3)}${pad(run % STAGES.length, 3)}`),
    name: `${brandName ?? base.brand} 婴幼儿配方乳粉 ${STAGES[run % STAGES.length] ?? ''} 800 g`,
  };
  const lots: string[] = [];
  for (let k = 0; k < LOTS_PER_RUN; k += 1) {
    const lotId = names.lot(run, k);
    const inputs = [{ batchId: base.batchId, quantity: 800, unit: 'kg' }];
    if (previousBase && writer.random() < 0.3) {
      inputs.push({ batchId: previousBase, quantity: 120, unit: 'kg' });
    }
    yield writer.produce(base.brand, lotId, product, 1000, 'can', inputs);
    if (k % 4 === 0) {
      yield writer.inspect(base.brand, lotId, 'SELF_CHECK', 'GB 10765-2021, GB 29921-2021', [
        [CRONOBACTER, NOT_DETECTED, 'n=3, c=0, m=0', '/100g'],
      ]);
    }
    lots.push(lotId);
  }
  return { brand: base.brand, lots };
}

/**
 * Half the lots to each of two distributors in one shipment each; each lot then goes on to one
 * to three retailers (about one shipment in 50 still in transit), and now and then a market
 * regulator samples a lot at a store (监督抽查), which rarely fails.
 */
function* distribution(
  writer: Writer,
  { parties }: GenerateInput,
  { brand, lots }: { brand: string; lots: string[] },
) {
  const { random, pick } = writer;
  const distributors = [pick(parties.distributors), pick(parties.distributors)];
  const half = LOTS_PER_RUN / 2;
  for (const [index, distributor] of distributors.entries()) {
    const lines = lots
      .slice(index * half, (index + 1) * half)
      .map((batchId) => ({ batchId, quantity: 1000, unit: 'can' }));
    yield* writer.ship(brand, distributor, lines);
  }
  for (const [index, lotId] of lots.entries()) {
    const distributor = distributors[index < half ? 0 : 1] ?? '';
    const stores = 1 + (random() < 0.5 ? 1 : 0) + (random() < 0.5 ? 1 : 0);
    for (let s = 0; s < stores; s += 1) {
      const line = { batchId: lotId, quantity: 24 * (1 + Math.floor(random() * 10)), unit: 'can' };
      yield* writer.ship(distributor, pick(parties.retailers), [line], random() >= 0.02);
    }
    if (random() < 0.01) {
      const fail = random() < 0.1;
      const value = fail ? '检出 (detected)' : NOT_DETECTED;
      const standard = 'GB 10765-2021, GB 29921-2021';
      const findings: Finding[] = [[CRONOBACTER, value, 'n=3, c=0, m=0', '/100g']];
      const result = fail ? 'FAIL' : 'PASS';
      yield writer.inspect(
        parties.regulator,
        lotId,
        'SUPERVISORY_SAMPLING',
        standard,
        findings,
        result,
      );
    }
  }
}
