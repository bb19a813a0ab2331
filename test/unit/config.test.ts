import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/common/config.js';

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
});
