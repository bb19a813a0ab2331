import type { LookupAddress } from 'node:dns';
import { networkInterfaces } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blockedReason,
  hostAddresses,
} from '../../../../services/common/webhooks/special-addresses.js';
import {
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
    // IPv6 forms that deliver to an IPv4 address are judged by that address.
    ['http://[::127.0.0.1]/hook', 'loopback'],
    ['http://[64:ff9b::7f00:1]/hook', 'loopback'],
    ['http://[64:ff9b::a9fe:a9fe]/hook', 'link-local'],
    ['http://[2002:7f00:1::]/hook', 'loopback'],
    ['http://[2002:a00:1::1]/hook', 'private'],
    ['http://[::ffff:0:7f00:1]/hook', 'loopback'],
    // The rest of the IANA special-purpose registries.
    ['http://198.18.0.1/hook', 'reserved'],
    ['http://198.19.255.254/hook', 'reserved'],
    ['http://240.0.0.1/hook', 'reserved'],
    ['http://224.0.0.1/hook', 'multicast'],
    ['http://239.255.255.250/hook', 'multicast'],
    ['http://255.255.255.255/hook', 'broadcast'],
    ['http://192.0.0.8/hook', 'reserved'],
    ['http://192.0.2.1/hook', 'reserved'],
    ['http://[fec0::1]/hook', 'site-local'],
    ['http://[ff02::1]/hook', 'multicast'],
    ['http://[2001:db8::1]/hook', 'reserved'],
    ['http://[64:ff9b:1::1]/hook', 'NAT64 local-use'],
    ['http://[100::1]/hook', 'discard-only'],
    ['http://[4000::1]/hook', 'reserved'],
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

  it.each(['10.0.0.7', '64:ff9b::a00:7', '2002:7f00:1::', '198.18.0.1', 'fec0::1'])(
    'refuses a host when any address it resolves to is blocked (%s)',
    async (blocked) => {
      const resolve = (): Promise<LookupAddress[]> =>
        Promise.resolve([
          { address: '93.184.216.34', family: 4 },
          { address: blocked, family: blocked.includes(':') ? 6 : 4 },
        ]);
      const result = await checkWebhookTarget('https://mixed.example/hook', {
        allowPrivate: false,
        resolve,
      });
      expect(result).toMatchObject({ allowed: false, permanent: true });
      expect(result.allowed === false && result.reason).toContain('mixed.example');
    },
  );

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
  const none = { hostAddresses: new Set<string>() };

  it('names the range, and passes public addresses', () => {
    expect(blockedReason('192.168.0.1', none)).toBe('private address 192.168.0.1 (192.168.0.0/16)');
    expect(blockedReason('64:ff9b::7f00:1', none)).toBe(
      'loopback address 127.0.0.1 (127.0.0.0/8) embedded in 64:ff9b::7f00:1',
    );
    expect(blockedReason('1.1.1.1', none)).toBeUndefined();
    expect(blockedReason('2606:4700:4700::1111', none)).toBeUndefined();
  });

  it("refuses this host's own interface addresses, whatever their range", () => {
    const policy = { hostAddresses: new Set(['8.8.4.4', '2001:4860:4860:0:0:0:0:8844']) };
    expect(blockedReason('8.8.4.4', policy)).toMatch(/an interface of this host/);
    expect(blockedReason('::ffff:8.8.4.4', policy)).toMatch(/an interface of this host/);
    expect(blockedReason('2001:4860:4860::8844', policy)).toMatch(/an interface of this host/);
    expect(blockedReason('8.8.8.8', policy)).toBeUndefined();
  });

  it("reads this host's interfaces, and refuses every one of their addresses", () => {
    const own = Object.values(networkInterfaces()).flatMap((entries) =>
      (entries ?? []).map(({ address }) => address),
    );
    expect(own.length).toBeGreaterThan(0);
    for (const address of own) expect(blockedReason(address), address).toBeDefined();
    expect(hostAddresses().size).toBeGreaterThan(0);
  });

  /** Each IPv6 form that carries an IPv4 destination, built from that IPv4 address. */
  const hex = (octets: readonly number[], at: number) =>
    (((octets[at] ?? 0) << 8) | (octets[at + 1] ?? 0)).toString(16);
  const TRANSITION_FORMS: Record<string, (octets: readonly number[]) => string> = {
    'IPv4-mapped ::ffff:0:0/96': (o) => `::ffff:${o.join('.')}`,
    'IPv4-translated ::ffff:0:0:0/96': (o) => `::ffff:0:${hex(o, 0)}:${hex(o, 2)}`,
    'NAT64 64:ff9b::/96': (o) => `64:ff9b::${hex(o, 0)}:${hex(o, 2)}`,
    '6to4 2002::/16': (o) => `2002:${hex(o, 0)}:${hex(o, 2)}::1`,
    'IPv4-compatible ::/96': (o) => `::${o.join('.')}`,
  };

  it.each(Object.entries(TRANSITION_FORMS))(
    'judges an IPv4 address inside %s as the IPv4 address itself',
    (_form, embed) => {
      const octets = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
      // Loopback, private and other special IPv4 addresses are drawn often, not left to chance.
      const special = fc.constantFrom<readonly number[]>(
        [127, 0, 0, 1],
        [10, 1, 2, 3],
        [169, 254, 169, 254],
        [192, 168, 1, 1],
        [100, 64, 0, 1],
        [0, 0, 0, 0],
        [0, 0, 0, 2],
        [255, 255, 255, 255],
        [8, 8, 8, 8],
      );
      fc.assert(
        fc.property(fc.oneof(octets, special), (ipv4) => {
          const plain = blockedReason(ipv4.join('.'), none) !== undefined;
          const wrapped = blockedReason(embed(ipv4), none) !== undefined;
          expect(wrapped, embed(ipv4)).toBe(plain);
        }),
        { numRuns: 500 },
      );
    },
  );
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
