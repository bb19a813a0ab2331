import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  blockedReason,
  checkWebhookTarget,
  pinnedLookup,
} from '../../../../services/common/webhooks/webhook-target.js';

const noLookup = () => Promise.reject(new Error('no name resolution in unit tests'));
const check = (url: string, allowPrivate = false) =>
  checkWebhookTarget(url, { allowPrivate, resolve: noLookup });

describe('checkWebhookTarget', () => {
  it.each([
    ['http://127.0.0.1/hook', 'loopback'],
    ['http://127.9.9.9:8080/hook', 'loopback'],
    ['https://10.1.2.3/hook', 'private'],
    ['https://172.16.0.1/hook', 'private'],
    ['https://172.31.255.255/hook', 'private'],
    ['https://192.168.1.20/hook', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://100.64.0.1/hook', 'carrier-grade NAT'],
    ['https://100.127.255.255/hook', 'carrier-grade NAT'],
    ['http://0.0.0.0/hook', 'unspecified'],
    ['http://[::1]/hook', 'loopback'],
    ['http://[::]/hook', 'unspecified'],
    ['http://[fe80::1]/hook', 'link-local'],
    ['http://[febf::1]/hook', 'link-local'],
    ['http://[fd12:3456::1]/hook', 'unique-local'],
    ['http://[fc00::1]/hook', 'unique-local'],
    ['http://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['http://[::ffff:10.0.0.1]/hook', 'private'],
    // WHATWG URL parsing turns these spellings into 127.0.0.1 before the check.
    ['http://2130706433/hook', 'loopback'],
    ['http://0x7f.1/hook', 'loopback'],
  ])('refuses %s (%s) permanently, naming the reason', async (url, kind) => {
    const result = await check(url);
    expect(result).toMatchObject({ allowed: false, permanent: true });
    expect(result.allowed === false && result.reason).toContain(`${kind} address`);
  });

  it.each([
    'https://8.8.8.8/hook',
    'http://172.32.0.1/hook',
    'https://100.128.0.1/hook',
    'https://192.169.0.1/hook',
    'https://[2001:4860:4860::8888]/hook',
  ])('allows the public address %s and pins it', async (url) => {
    const result = await check(url);
    expect(result).toMatchObject({ allowed: true });
    if (result.allowed) expect(result.addresses).toHaveLength(1);
  });

  it('refuses other schemes and unparsable URLs', async () => {
    for (const url of ['ftp://8.8.8.8/x', 'file:///etc/passwd', 'not a url']) {
      expect(await check(url)).toMatchObject({ allowed: false, permanent: true });
    }
  });

  it('allows loopback and private addresses when allowPrivate is set, without any lookup', async () => {
    expect(await check('http://127.0.0.1:9/hook', true)).toMatchObject({
      allowed: true,
      addresses: undefined,
    });
    expect(await check('http://internal.example/hook', true)).toMatchObject({ allowed: true });
  });

  it('refuses a host when any address it resolves to is blocked', async () => {
    const resolve = (): Promise<LookupAddress[]> =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ]);
    const result = await checkWebhookTarget('https://mixed.example/hook', {
      allowPrivate: false,
      resolve,
    });
    expect(result).toMatchObject({ allowed: false, permanent: true });
    expect(result.allowed === false && result.reason).toContain('mixed.example');
  });

  it('pins the resolved addresses of an allowed host', async () => {
    const addresses = [{ address: '93.184.216.34', family: 4 }];
    const result = await checkWebhookTarget('https://public.example/hook', {
      allowPrivate: false,
      resolve: () => Promise.resolve(addresses),
    });
    expect(result).toMatchObject({ allowed: true, addresses });
  });

  it('treats a failed lookup as a failure worth retrying', async () => {
    const resolve = () =>
      Promise.reject(Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' }));
    const result = await checkWebhookTarget('https://flaky.example/hook', {
      allowPrivate: false,
      resolve,
    });
    expect(result).toMatchObject({ allowed: false, permanent: false });
    expect(result.allowed === false && result.reason).toContain('EAI_AGAIN');
  });
});

describe('blockedReason', () => {
  it('names the range, and passes public addresses', () => {
    expect(blockedReason('192.168.0.1')).toBe('private address 192.168.0.1 (192.168.0.0/16)');
    expect(blockedReason('1.1.1.1')).toBeUndefined();
    expect(blockedReason('2606:4700:4700::1111')).toBeUndefined();
  });
});

describe('pinnedLookup', () => {
  const addresses = [
    { address: '93.184.216.34', family: 4 },
    { address: '2606:2800:220:1::1', family: 6 },
  ];
  const lookup = pinnedLookup(addresses);

  it('answers only with the checked addresses, by family', () => {
    const answers: unknown[] = [];
    lookup('ignored.example', { all: true }, (_err, all) => answers.push(all));
    lookup('ignored.example', { family: 6 }, (_err, address, family) =>
      answers.push([address, family]),
    );
    expect(answers).toEqual([addresses, ['2606:2800:220:1::1', 6]]);
  });
});
