import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/common/config.js';

describe('configuration', () => {
  it('has working defaults for a fresh machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      eventLog: 'embedded',
      store: 'chdb',
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
});
