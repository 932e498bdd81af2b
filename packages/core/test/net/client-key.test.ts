import { clientKey } from '@guard-suite/core';
import { UNKNOWN_CLIENT_KEY } from '@guard-suite/core/internal';

describe('clientKey', () => {
  it.each(['203.0.113.7', '0.0.0.0', '255.255.255.255', '10.0.0.1', '199.249.230.99'])(
    'keys the IPv4 address %s as itself',
    (address) => {
      expect(clientKey(address)).toBe(address);
    },
  );

  it('keys an IPv4-mapped IPv6 address as the IPv4 address it is, one key per client', () => {
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.8')).toBe('203.0.113.8');
  });

  it('keys every address of one IPv6 /64 alike and other /64s apart', () => {
    const key = clientKey('2001:db8:1:2::1');
    expect(key).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe(key);
    expect(clientKey('2001:db8:1:2:abcd::9')).toBe(key);
    expect(clientKey('2001:db8:1:3::1')).not.toBe(key);
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it.each([
    undefined,
    '',
    'not-an-ip',
    '1.2.3',
    '999.1.1.1',
    '1.2.3.4.5',
    ':::',
    '2001:db8::g',
    '::ffff:999.1.1.1',
    '::ffff:1.2.3.4.5',
    // Other spellings of 127.0.0.1 (leading zeros, hex, one number) would be fresh buckets.
    '127.000.0.1',
    '0127.0.0.1',
    '0x7f.0.0.1',
    '2130706433',
    '256.0.0.1',
    ' 1.2.3.4',
    '1.2.3.4\n',
  ])('gives %p the one shared key, never a bypass', (address) => {
    expect(clientKey(address)).toBe(UNKNOWN_CLIENT_KEY);
  });
});

describe('issue 12 item 15: clientKey with an ipv6Subnet', () => {
  it('keeps the /64 spelling of earlier versions by default', () => {
    expect(clientKey('2001:db8:1:2::1', 64)).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
  });

  it.each([
    [56, '2001:db8:1:2ff::1', '2001:db8:1:200::/56'],
    [60, '2001:db8:1:2ff::1', '2001:db8:1:2f0::/60'],
    [48, '2001:db8:1:ffff::1', '2001:db8:1::/48'],
    [32, '2001:db8:1:2::1', '2001:db8::/32'],
    [33, '2001:db8:ffff::1', '2001:db8:8000::/33'],
    [128, '2001:db8::1', '2001:db8:0:0:0:0:0:1/128'],
  ])('keys by the first %i bits', (bits, address, key) => {
    expect(clientKey(address, bits)).toBe(key);
  });

  it('puts two /64s of one /56 together and the next /56 apart', () => {
    expect(clientKey('2001:db8:1:200::1', 56)).toBe(clientKey('2001:db8:1:2ab:ffff::1', 56));
    expect(clientKey('2001:db8:1:300::1', 56)).not.toBe(clientKey('2001:db8:1:200::1', 56));
  });

  it('leaves IPv4 and mapped addresses alone whatever the subnet', () => {
    expect(clientKey('203.0.113.7', 48)).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7', 48)).toBe('203.0.113.7');
  });
});
