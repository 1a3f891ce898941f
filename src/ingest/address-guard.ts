/**
 * Server-side request forgery guard: news sources are user-supplied URLs, so the fetcher may
 * only connect to public addresses. The check runs on the addresses DNS actually returned
 * (inside the socket's `lookup`, so a name cannot resolve to one address for the check and
 * another for the connection) and, for IP literals, which skip `lookup`, on the URL's host.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { FetchError } from '../errors.ts';

/** Decides whether the fetcher may connect to an IP address. */
export type AddressPolicy = (ip: string) => boolean;

function isPublicV4(addr: ipaddr.IPv4): boolean {
  return addr.range() === 'unicast';
}

function v4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function isPublicV6(addr: ipaddr.IPv6): boolean {
  const p = addr.parts;
  switch (addr.range()) {
    case 'unicast':
      // Only 2000::/3 is allocated for global unicast; everything else that ipaddr.js
      // calls unicast (e.g. IPv4-compatible ::a.b.c.d) is not a server on the internet.
      return (p[0]! & 0xe000) === 0x2000;
    case 'ipv4Mapped':
    case 'rfc6145':
      return isPublicV4(v4FromParts(p[6]!, p[7]!));
    case 'rfc6052':
      // The well-known NAT64 prefix 64:ff9b::/96 embeds the IPv4 target; the local-use
      // prefix 64:ff9b:1::/48 can translate to anything and is refused.
      return p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0 && isPublicV4(v4FromParts(p[6]!, p[7]!));
    case '6to4':
      return isPublicV4(v4FromParts(p[1]!, p[2]!));
    case 'teredo':
      // Both the Teredo server (bits 32–63) and the client (last 32 bits, inverted) must be public.
      return (
        isPublicV4(v4FromParts(p[2]!, p[3]!)) && isPublicV4(v4FromParts(~p[6]! & 0xffff, ~p[7]! & 0xffff))
      );
    default:
      return false;
  }
}

/**
 * True only for a globally routable unicast address. Refused: loopback, private (RFC 1918),
 * link-local, unique-local, unspecified, broadcast, carrier-grade NAT, multicast, reserved,
 * documentation, benchmarking and other special ranges, and IPv6 forms that embed a refused
 * IPv4 address (IPv4-mapped, IPv4-translated, NAT64, 6to4, Teredo). Anything that is not a
 * plain IPv4 / IPv6 address string (e.g. `127.1`) is refused too.
 */
export function isPublicAddress(ip: string): boolean {
  if (isIP(ip) === 0) return false;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(ip);
  } catch {
    return false;
  }
  return addr.kind() === 'ipv4' ? isPublicV4(addr as ipaddr.IPv4) : isPublicV6(addr as ipaddr.IPv6);
}

/** The policy the fetcher applies: public addresses only, or everything when private is allowed. */
export function addressPolicy(allowPrivate: boolean): AddressPolicy {
  return allowPrivate ? () => true : isPublicAddress;
}

function refused(host: string, ip: string): FetchError {
  return new FetchError('address_refused', `refused to connect to ${host}: ${ip} is not a public address`, {
    retryable: false,
    params: { host },
  });
}

/**
 * Checks a URL host that is an IP literal (`127.0.0.1`, `[::1]`), which the socket connects to
 * without calling `lookup`. Names are left to {@link createGuardedLookup}.
 *
 * @throws FetchError `address_refused` when the literal is not allowed.
 */
export function assertAllowedLiteral(hostname: string, policy: AddressPolicy): void {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (isIP(host) !== 0 && !policy(host)) throw refused(hostname, host);
}

/**
 * A `lookup` for `net.connect` / undici's `connect: { lookup }` that resolves with the system
 * resolver and keeps only the addresses the policy allows. When none is left, it fails with
 * FetchError `address_refused` (not retryable), so the connection is never attempted.
 * Supports both the single-address and the `all: true` (happy eyeballs) calling conventions.
 */
export function createGuardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options: LookupOptions, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) {
        callback(err, options.all ? [] : '');
        return;
      }
      const allowed = addresses.filter((a) => policy(a.address));
      const first = allowed[0];
      if (first === undefined) {
        callback(refused(hostname, addresses[0]?.address ?? 'no address'), options.all ? [] : '');
        return;
      }
      if (options.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}
