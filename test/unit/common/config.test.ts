import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentSchema, loadConfig } from '../../../services/common/config.js';
import { PROJECT_ROOT } from '../../../services/common/project-paths.js';

/** The README's configuration table: variable → the default it states (— for none). */
function readmeConfiguration(): Map<string, string> {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## Configuration\n')[1]?.split('\n## ')[0] ?? '';
  const rows = section.split('\n').filter((line) => /^\| `[A-Z_]+`/.test(line));
  return new Map(
    rows.map((row) => {
      const [variable = '', fallback = ''] = row
        .split('|')
        .slice(1, 3)
        .map((cell) => cell.trim());
      return [variable.replaceAll('`', ''), fallback.replaceAll('`', '')];
    }),
  );
}

describe('configuration', () => {
  it('has working defaults for a fresh machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      eventLog: { kind: 'embedded' },
      store: { kind: 'chdb' },
      adminKey: undefined,
    });
    expect(config.dataDir).toMatch(/\/data$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('logs readable lines on a terminal and JSON lines when piped, unless LOG_PRETTY says', () => {
    expect(loadConfig({}, true).logPretty).toBe(true);
    expect(loadConfig({}, false).logPretty).toBe(false);
    expect(loadConfig({ LOG_PRETTY: 'false' }, true).logPretty).toBe(false);
    expect(loadConfig({ LOG_PRETTY: 'true' }, false).logPretty).toBe(true);
    expect(() => loadConfig({ LOG_PRETTY: 'yes' })).toThrow(/LOG_PRETTY="yes"/);
  });

  it('stops on a bad value with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty"/);
    expect(() => loadConfig({ EVENT_LOG: 'zookeeper' })).toThrow(/EVENT_LOG="zookeeper"/);
    expect(() => loadConfig({ SUYUAN_ADMIN_KEY: 'short' })).toThrow(
      /SUYUAN_ADMIN_KEY=.*at least 24 characters/,
    );
    expect(() => loadConfig({ TRACE_MAX_NODES: '0' })).toThrow(/TRACE_MAX_NODES/);
  });

  it('validates the recall policy and the webhook retry schedule at start', () => {
    expect(loadConfig({}).recallPolicy.defectSeverity.CRITICAL).toBe(1);
    const custom = loadConfig({
      SUYUAN_RECALL_POLICY:
        '{"defectSeverity":{"CRITICAL":1,"MAJOR":1,"MINOR":3},"failedSupervisorySampling":null}',
    });
    expect(custom.recallPolicy).toEqual({
      defectSeverity: { CRITICAL: 1, MAJOR: 1, MINOR: 3 },
      failedSupervisorySampling: null,
    });
    expect(() => loadConfig({ SUYUAN_RECALL_POLICY: '{"defectSeverity":{"CRITICAL":4}}' })).toThrow(
      /SUYUAN_RECALL_POLICY=.*defectSeverity/,
    );
    expect(() => loadConfig({ SUYUAN_RECALL_POLICY: 'level one' })).toThrow(
      /SUYUAN_RECALL_POLICY=.*not valid JSON/,
    );
    expect(
      loadConfig({ SUYUAN_WEBHOOK_RETRY_SCHEDULE: '50ms,2s,1h' }).webhooks.retrySchedule,
    ).toEqual([50, 2000, 3_600_000]);
    expect(() => loadConfig({ SUYUAN_WEBHOOK_RETRY_SCHEDULE: 'soon' })).toThrow(
      /SUYUAN_WEBHOOK_RETRY_SCHEDULE="soon"/,
    );
  });

  it('is documented in the README, every variable with its default', () => {
    const documented = readmeConfiguration();
    const defaults: Record<string, string | number | boolean | undefined> = environmentSchema.parse(
      {},
    );
    expect([...documented.keys()].sort()).toEqual(Object.keys(environmentSchema.shape).sort());
    for (const [variable, stated] of documented) {
      const value = defaults[variable];
      const expected = value === undefined ? '—' : value === '' ? 'empty' : String(value);
      expect({ variable, default: stated }).toEqual({ variable, default: expected });
    }
  });

  it('reads the failed-authentication limit and the proxies to trust', () => {
    expect(loadConfig({}).rateLimit.authFailures).toEqual({ max: 20, windowMs: 60_000 });
    expect(loadConfig({}).trustProxy).toBeUndefined();
    expect(loadConfig({ SUYUAN_TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).trustProxy).toBe(
      'loopback, 10.0.0.0/8,fd00::1',
    );
    expect(() => loadConfig({ SUYUAN_TRUST_PROXY: 'the gateway' })).toThrow(
      /SUYUAN_TRUST_PROXY="the gateway"/,
    );
    expect(() => loadConfig({ SUYUAN_AUTH_FAILURE_LIMIT_MAX: '0' })).toThrow(
      /SUYUAN_AUTH_FAILURE_LIMIT_MAX/,
    );
  });

  it('reads the gap checks: one duration, and a positive yield', () => {
    expect(loadConfig({}).gaps).toEqual({ unreceivedAfterMs: 72 * 3_600_000, maxYield: 1 });
    expect(
      loadConfig({ SUYUAN_GAP_UNRECEIVED_AFTER: '5d', SUYUAN_GAP_MAX_YIELD: '1.2' }).gaps,
    ).toEqual({ unreceivedAfterMs: 5 * 86_400_000, maxYield: 1.2 });
    expect(() => loadConfig({ SUYUAN_GAP_UNRECEIVED_AFTER: '3 days' })).toThrow(
      /SUYUAN_GAP_UNRECEIVED_AFTER="3 days"/,
    );
    expect(() => loadConfig({ SUYUAN_GAP_UNRECEIVED_AFTER: '1h,2h' })).toThrow(
      /SUYUAN_GAP_UNRECEIVED_AFTER/,
    );
    expect(() => loadConfig({ SUYUAN_GAP_MAX_YIELD: '0' })).toThrow(/SUYUAN_GAP_MAX_YIELD/);
    expect(() => loadConfig({ SUYUAN_GAP_MAX_YIELD: 'much' })).toThrow(/SUYUAN_GAP_MAX_YIELD/);
  });

  it('reads the warning rules, refusing a bad one naming the variable and the field', () => {
    expect(loadConfig({}).warningRules.map((rule) => [rule.id, rule.level])).toEqual([
      ['product-failure-rate', 2],
      ['producer-failure-rate', 2],
      ['region-failure-rate', 3],
      ['hazard-failure-rate', 3],
      ['producer-repeated-failures', 2],
      ['product-defect-cluster', 2],
      ['product-illness-complaints', 1],
      ['region-complaints', 3],
      ['common-upstream-cause', 1],
    ]);
    const rule = {
      id: 'milk',
      signal: 'failure-rate-by-product',
      window: '7d',
      threshold: 0.5,
      level: 1,
    };
    expect(loadConfig({ SUYUAN_WARNING_RULES: JSON.stringify([rule]) }).warningRules).toEqual([
      { ...rule, minSamples: 1 },
    ]);
    expect(() =>
      loadConfig({ SUYUAN_WARNING_RULES: JSON.stringify([{ ...rule, threshold: 2 }]) }),
    ).toThrow(/SUYUAN_WARNING_RULES=.*threshold/);
    expect(() =>
      loadConfig({ SUYUAN_WARNING_RULES: JSON.stringify([{ ...rule, window: 'a week' }]) }),
    ).toThrow(/SUYUAN_WARNING_RULES=.*window/);
    expect(() => loadConfig({ SUYUAN_WARNING_RULES: JSON.stringify([rule, rule]) })).toThrow(
      /SUYUAN_WARNING_RULES=.*unique/,
    );
    expect(() => loadConfig({ SUYUAN_WARNING_RULES: '[' })).toThrow(/not valid JSON/);
  });
});
