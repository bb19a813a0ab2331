/**
 * The rules of risk early warning (风险预警): which signal, computed from the projection over a
 * sliding window, raises a warning of which level (一级 act now, 二级 act within a set time,
 * 三级 study further). Read from `SUYUAN_WARNING_RULES` (JSON) and checked at start; the defaults
 * below, with why each is what it is, apply without it.
 */
import { z } from 'zod';

export const WARNING_SIGNALS = [
  'failure-rate-by-product',
  'failure-rate-by-producer',
  'failure-rate-by-region',
  'failure-rate-by-hazard',
  'failures-by-producer',
  'defects-by-product',
  'illness-complaints-by-product',
  'complaints-by-region',
  'failed-outputs-by-upstream-batch',
] as const;
export type WarningSignal = (typeof WARNING_SIGNALS)[number];

/** Signals whose value is a share of the samples (0–1); the others count. */
export const RATE_SIGNALS: ReadonlySet<WarningSignal> = new Set([
  'failure-rate-by-product',
  'failure-rate-by-producer',
  'failure-rate-by-region',
  'failure-rate-by-hazard',
]);

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export const warningRuleSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be 1 to 64 of a-z, 0-9 and -'),
    signal: z.enum(WARNING_SIGNALS),
    window: z
      .string()
      .regex(DURATION, 'must be a duration like 30d, 72h or 90m')
      .meta({ description: 'The sliding window: events since now minus this' }),
    minSamples: z.number().int().min(1).default(1),
    threshold: z.number().positive(),
    level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  })
  .refine((rule) => !RATE_SIGNALS.has(rule.signal) || rule.threshold <= 1, {
    message: 'a rate threshold must be at most 1',
    path: ['threshold'],
  });

export type WarningRule = z.output<typeof warningRuleSchema>;

export const warningRulesSchema = z
  .array(warningRuleSchema)
  .refine((rules) => new Set(rules.map((rule) => rule.id)).size === rules.length, {
    message: 'rule ids must be unique',
  });

export const windowMs = (rule: WarningRule): number => {
  const [, amount = '0', unit = 'd'] = DURATION.exec(rule.window) ?? [];
  return Number(amount) * (UNIT_MS[unit] ?? 0);
};

/**
 * The defaults. Rates need five tests in thirty days before a fifth failing counts (one bad sample
 * in a large series is noise, not a trend); three failures of one producer in ninety days are a
 * pattern whatever its volume; three defect or complaint reports on one product in a month are a
 * cluster; three failed batches sharing one upstream batch point at that batch as the common cause
 * of contamination, which is why that rule alone is 一级. By region and by hazard the bar is ten
 * tests, since a division or a hazard spans many producers, and the level is 三级 (study further):
 * a region's or a hazard's rate names no one to act on, only where to look. Consumer complaints
 * (DefectReported v2) that report an injury or illness are 一级 at two on one product in a month:
 * two or more people falling ill after eating the same food is what a foodborne outbreak
 * (食源性疾病暴发) is, while one may be coincidence. Five complaints from consumers in one division
 * in a month are 三级: like a region's failure rate they say where to look, not whom to act on.
 */
export const DEFAULT_WARNING_RULES: readonly WarningRule[] = Object.freeze([
  {
    id: 'product-failure-rate',
    signal: 'failure-rate-by-product',
    window: '30d',
    minSamples: 5,
    threshold: 0.2,
    level: 2,
  },
  {
    id: 'producer-failure-rate',
    signal: 'failure-rate-by-producer',
    window: '30d',
    minSamples: 5,
    threshold: 0.2,
    level: 2,
  },
  {
    id: 'region-failure-rate',
    signal: 'failure-rate-by-region',
    window: '30d',
    minSamples: 10,
    threshold: 0.2,
    level: 3,
  },
  {
    id: 'hazard-failure-rate',
    signal: 'failure-rate-by-hazard',
    window: '30d',
    minSamples: 10,
    threshold: 0.2,
    level: 3,
  },
  {
    id: 'producer-repeated-failures',
    signal: 'failures-by-producer',
    window: '90d',
    minSamples: 1,
    threshold: 3,
    level: 2,
  },
  {
    id: 'product-defect-cluster',
    signal: 'defects-by-product',
    window: '30d',
    minSamples: 1,
    threshold: 3,
    level: 2,
  },
  {
    id: 'product-illness-complaints',
    signal: 'illness-complaints-by-product',
    window: '30d',
    minSamples: 1,
    threshold: 2,
    level: 1,
  },
  {
    id: 'region-complaints',
    signal: 'complaints-by-region',
    window: '30d',
    minSamples: 1,
    threshold: 5,
    level: 3,
  },
  {
    id: 'common-upstream-cause',
    signal: 'failed-outputs-by-upstream-batch',
    window: '30d',
    minSamples: 1,
    threshold: 3,
    level: 1,
  },
] as const satisfies WarningRule[]);
