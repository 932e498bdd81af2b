import ipaddr from 'ipaddr.js';
import type { OptionReader } from '../options/option-reader';

/**
 * The key every request without a resolvable address shares. Sharing one bucket means such requests
 * are still limited (together), never waved through: a missing address must not be a bypass.
 */
export const UNKNOWN_CLIENT_KEY = 'unknown';

/** How Node writes an IPv4-mapped IPv6 address. */
const MAPPED_PREFIX = '::ffff:';

/**
 * A dotted IPv4 address in its one canonical spelling: four decimal octets of at most 255, no leading
 * zeros. Anything else (`127.000.0.1`, `0x7f.0.0.1`, `2130706433`) is not accepted as a key, so one
 * client cannot get fresh buckets by spelling its address differently in a trusted X-Forwarded-For.
 * One regular expression, where ipaddr.js's general parser (octal, hex and short forms) cost about
 * 0.35 µs of every request on the Koa bench (bench/guard.mjs, CPU profile).
 */
const CANONICAL_IPV4 =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The IPv6 prefix length a client is keyed by unless told otherwise (docs/rate-limit.md says why). */
export const DEFAULT_IPV6_SUBNET = 64;

/**
 * The rate-limit key of a client address as the framework resolved it (`req.ip` / `ctx.ip`).
 * IPv4 stays as it is; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) becomes the IPv4 address it
 * is; any other IPv6 address is keyed by its prefix of `ipv6Subnet` bits (default 64, the block one
 * subscriber is always given), so rotating through the addresses of one's own prefix gains nothing.
 * An empty, missing or unparsable address gets `UNKNOWN_CLIENT_KEY`.
 * @example clientKey('2001:db8::1') === clientKey('2001:db8::2'); // both '2001:db8:0:0::/64'
 * @example clientKey('2001:db8:0:ff::1', 56) === '2001:db8:0:0::/56'
 */
export function clientKey(address: string | undefined, ipv6Subnet = DEFAULT_IPV6_SUBNET): string {
  if (!address) return UNKNOWN_CLIENT_KEY;
  // The common case, a plain dotted IPv4 address, needs no parsing beyond this check.
  if (address.indexOf(':') === -1) {
    return CANONICAL_IPV4.test(address) ? address : UNKNOWN_CLIENT_KEY;
  }
  // A dual-stack server (Node's default `::` listener) sees every IPv4 client as `::ffff:a.b.c.d`:
  // the string check spares it a full IPv6 parse on each request (0.3 µs instead of 3.3 µs).
  if (address.startsWith(MAPPED_PREFIX)) {
    const ipv4 = address.slice(MAPPED_PREFIX.length);
    if (CANONICAL_IPV4.test(ipv4)) return ipv4;
  }
  // Node reports zone-scoped link-local addresses as `fe80::1%eth0`; the zone names our
  // interface, not the client.
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  if (!ipaddr.IPv6.isValid(bare)) return UNKNOWN_CLIENT_KEY;
  const ip = ipaddr.IPv6.parse(bare);
  if (ip.isIPv4MappedAddress()) return ip.toIPv4Address().toString();
  return prefixKey(ip.parts, ipv6Subnet);
}

/**
 * The first `bits` bits of an address as its groups (the /64 prefix is the first four) and `::/bits`,
 * the spelling /64 keys have always had, so Redis keys written by an earlier version still match.
 */
function prefixKey(parts: readonly number[], bits: number): string {
  const groups: string[] = [];
  for (let i = 0; i * 16 < bits; i++) {
    const kept = Math.min(16, bits - i * 16);
    const mask = (0xffff << (16 - kept)) & 0xffff;
    groups.push(((parts[i] ?? 0) & mask).toString(16));
  }
  return `${groups.join(':')}${groups.length < 8 ? '::' : ''}/${bits}`;
}

/**
 * Reads an `ipv6Subnet` option: an integer from 32 to 128. A prefix shorter than /32 would put a
 * whole provider's customers in one bucket, so it is taken for a mistake.
 */
export function readIpv6Subnet(read: OptionReader<'ipv6Subnet'>): number {
  const bits = read.positiveInteger('ipv6Subnet', DEFAULT_IPV6_SUBNET, 'prefix bits');
  if (bits < 32 || bits > 128)
    read.fail('ipv6Subnet', 'an integer from 32 to 128 (prefix bits)', bits);
  return bits;
}
