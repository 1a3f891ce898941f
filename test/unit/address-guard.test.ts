import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { FetchError } from '../../src/errors.ts';
import {
  addressPolicy,
  assertAllowedLiteral,
  createGuardedLookup,
  isPublicAddress,
} from '../../src/ingest/address-guard.ts';

describe('isPublicAddress', () => {
  it('accepts global unicast addresses', () => {
    for (const ip of ['1.1.1.1', '8.8.8.8', '203.208.60.1', '2606:4700:4700::1111', '2001:4860:4860::8888']) {
      expect(isPublicAddress(ip), ip).toBe(true);
    }
  });

  it('refuses special IPv4 ranges', () => {
    for (const ip of [
      '127.0.0.1',
      '127.255.255.254',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '192.0.2.1',
      '198.18.0.1',
      '240.0.0.1',
    ]) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
  });

  it('refuses special IPv6 ranges and embedded private IPv4', () => {
    for (const ip of [
      '::1',
      '::',
      'fe80::1',
      'fe80::1%eth0',
      'fc00::1',
      'fd00::2',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:0:192.168.0.1',
      '::127.0.0.1',
      '64:ff9b::a00:1', // NAT64 of 10.0.0.1
      '64:ff9b:1::1',
      '2002:7f00:1::1', // 6to4 of 127.0.0.1
      '2002:c0a8:101::1', // 6to4 of 192.168.1.1
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo, client 192.0.2.45
      '2001:db8::1',
      '100::1',
      'fec0::1',
    ]) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
  });

  it('accepts IPv6 forms that embed a public IPv4', () => {
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
    expect(isPublicAddress('64:ff9b::808:808')).toBe(true);
    expect(isPublicAddress('2002:808:808::1')).toBe(true);
  });

  it('refuses anything that is not a plain address', () => {
    for (const s of ['', 'localhost', '127.1', '0x7f.0.0.1', '2130706433', '1.2.3.4.5', 'example.com']) {
      expect(isPublicAddress(s), s).toBe(false);
    }
  });
});

describe('assertAllowedLiteral', () => {
  const policy = addressPolicy(false);

  it('refuses non-public IP literals, brackets included', () => {
    for (const host of ['127.0.0.1', '[::1]', '[::ffff:7f00:1]', '10.1.2.3']) {
      expect(() => assertAllowedLiteral(host, policy), host).toThrow(FetchError);
    }
  });

  it('leaves names and public literals alone', () => {
    expect(() => assertAllowedLiteral('localhost', policy)).not.toThrow();
    expect(() => assertAllowedLiteral('8.8.8.8', policy)).not.toThrow();
    expect(() => assertAllowedLiteral('[2606:4700:4700::1111]', policy)).not.toThrow();
    expect(() => assertAllowedLiteral('127.0.0.1', addressPolicy(true))).not.toThrow();
  });
});

function lookupAll(
  lookup: ReturnType<typeof createGuardedLookup>,
  host: string,
): Promise<{ err: NodeJS.ErrnoException | null; addresses: string | LookupAddress[] }> {
  return new Promise((resolve) =>
    lookup(host, { all: true }, (err, addresses) => resolve({ err, addresses })),
  );
}

describe('createGuardedLookup', () => {
  it('refuses a name that resolves to loopback', async () => {
    const { err } = await lookupAll(createGuardedLookup(addressPolicy(false)), 'localhost');
    expect(err).toBeInstanceOf(FetchError);
    expect((err as unknown as FetchError).code).toBe('address_refused');
    expect((err as unknown as FetchError).retryable).toBe(false);
  });

  it('resolves normally when private addresses are allowed', async () => {
    const { err, addresses } = await lookupAll(createGuardedLookup(addressPolicy(true)), 'localhost');
    expect(err).toBeNull();
    expect((addresses as LookupAddress[]).map((a) => a.address)).toContain('127.0.0.1');
  });

  it('keeps only the allowed addresses, in both calling conventions', async () => {
    const onlyV4 = createGuardedLookup((ip) => ip === '127.0.0.1');
    const all = await lookupAll(onlyV4, 'localhost');
    expect(all.err).toBeNull();
    expect(all.addresses).toEqual([{ address: '127.0.0.1', family: 4 }]);
    const single = await new Promise<unknown[]>((resolve) =>
      onlyV4('localhost', {}, (...args) => resolve(args)),
    );
    expect(single).toEqual([null, '127.0.0.1', 4]);
  });

  it('passes resolver errors through', async () => {
    const { err } = await lookupAll(createGuardedLookup(addressPolicy(false)), 'no-such-host.invalid');
    expect(err).not.toBeNull();
    expect(err).not.toBeInstanceOf(FetchError);
  });
});
