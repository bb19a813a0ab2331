/**
 * Which IP addresses a webhook may reach: only globally reachable unicast ones. The special-purpose
 * ranges come from ipaddr.js, which keeps the IANA special-purpose address registries for IPv4 and
 * IPv6 as data (loopback, private, link-local, shared, benchmarking, documentation, multicast,
 * reserved, …); a hand list here missed several of them. On top of that registry:
 *
 * - an IPv6 address that carries an IPv4 destination (IPv4-mapped, IPv4-translated, NAT64
 *   64:ff9b::/96, 6to4, the deprecated IPv4-compatible ::a.b.c.d) is judged by that IPv4 address,
 *   since the network delivers it there;
 * - IPv6 outside the global unicast space 2000::/3 is reserved by the IETF, so refused;
 * - the host's own interface addresses are refused whatever their range: a public address of this
 *   machine reaches its own services as surely as 127.0.0.1 does.
 */
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type RangeTable = Readonly<Record<string, [Address, number] | [Address, number][]>>;

/** Readable names for the registry's range names; others are shown as the library spells them. */
const RANGE_NAMES: Readonly<Record<string, string>> = {
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade NAT',
  uniqueLocal: 'unique-local',
  deprecatedSiteLocal: 'site-local',
  rfc6052: 'NAT64 local-use',
  teredo: 'Teredo',
  as112: 'AS112',
  as112v6: 'AS112',
  amt: 'AMT',
  discard: 'discard-only',
  deprecatedOrchid: 'ORCHID',
  orchid2: 'ORCHIDv2',
  droneRemoteIdProtocolEntityTags: 'DRIP',
  segmentRouting: 'SRv6 SID',
};

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR('2002::/16');
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');

export interface AddressPolicy {
  /** This host's interface addresses, normalised; `os.networkInterfaces()` by default. */
  readonly hostAddresses?: ReadonlySet<string>;
}

/** Why a webhook may not reach `address`, or undefined when it may. */
export function blockedReason(address: string, policy: AddressPolicy = {}): string | undefined {
  let parsed: Address;
  try {
    parsed = ipaddr.parse(address.replace(/%.*$/, ''));
  } catch {
    return `address ${address} is not an IP address`;
  }
  const judged = embeddedIPv4(parsed) ?? parsed;
  const range = judged.range();
  if (range !== 'unicast') {
    return describe(
      judged,
      address,
      `${RANGE_NAMES[range] ?? range} address`,
      cidrOf(judged, range),
    );
  }
  if (judged.kind() === 'ipv6' && !judged.match(GLOBAL_UNICAST_V6)) {
    return describe(judged, address, 'reserved address', 'outside the global unicast 2000::/3');
  }
  const own = policy.hostAddresses ?? hostAddresses();
  if (own.has(normalised(judged)) || own.has(normalised(parsed))) {
    return describe(judged, address, 'address', 'an interface of this host');
  }
  return undefined;
}

function describe(judged: Address, original: string, kind: string, detail: string): string {
  const shown = judged.toString();
  const itself = shown === ipaddr.parse(original.replace(/%.*$/, '')).toString();
  return `${kind} ${shown} (${detail})${itself ? '' : ` embedded in ${original}`}`;
}

/** The IPv4 address an IPv6 address delivers to, for the forms that carry one. */
export function embeddedIPv4(address: Address): ipaddr.IPv4 | undefined {
  if (address.kind() !== 'ipv6') return undefined;
  const v6 = address as ipaddr.IPv6;
  const parts = v6.parts;
  const fromParts = (high: number, low: number) =>
    new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const range = v6.range();
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated), 64:ff9b::a.b.c.d (NAT64).
  if (range === 'ipv4Mapped' || range === 'rfc6145' || v6.match(NAT64_WELL_KNOWN)) {
    return fromParts(parts[6] ?? 0, parts[7] ?? 0);
  }
  // 2002:aabb:ccdd::/48: the 6to4 relay delivers to a.b.c.d.
  if (v6.match(SIX_TO_FOUR)) return fromParts(parts[1] ?? 0, parts[2] ?? 0);
  // ::a.b.c.d, but not :: and ::1, which are IPv6's own unspecified and loopback addresses.
  if (v6.match(IPV4_COMPATIBLE) && range !== 'unspecified' && range !== 'loopback') {
    return fromParts(parts[6] ?? 0, parts[7] ?? 0);
  }
  return undefined;
}

/** The registry range `name` that holds `address`, as CIDR text. */
function cidrOf(address: Address, name: string): string {
  const table = (Object.getPrototypeOf(address) as { SpecialRanges?: RangeTable }).SpecialRanges;
  const entry = table?.[name];
  if (!entry) return name;
  const subnets = (Array.isArray(entry[0]) ? entry : [entry]) as [Address, number][];
  const found = subnets.find(([network, bits]) => address.match(network, bits));
  return found ? `${found[0].toString()}/${found[1]}` : name;
}

const normalised = (address: Address): string =>
  address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address().toString()
    : address.toNormalizedString();

const HOST_ADDRESSES_TTL_MS = 5_000;
let remembered: { readonly at: number; readonly addresses: ReadonlySet<string> } | undefined;

/**
 * The addresses of this host's network interfaces. Interfaces come and go, so they are read again
 * after a few seconds; reading them for each of a recall's thousands of deliveries would cost more.
 */
export function hostAddresses(now = Date.now()): ReadonlySet<string> {
  if (remembered && now - remembered.at < HOST_ADDRESSES_TTL_MS) return remembered.addresses;
  remembered = { at: now, addresses: readHostAddresses() };
  return remembered.addresses;
}

function readHostAddresses(): ReadonlySet<string> {
  const own = new Set<string>();
  for (const entries of Object.values(networkInterfaces())) {
    for (const { address } of entries ?? []) {
      try {
        own.add(normalised(ipaddr.parse(address.replace(/%.*$/, ''))));
      } catch {
        // An address the library cannot read is not one a URL can name either.
      }
    }
  }
  return own;
}
