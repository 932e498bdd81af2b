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
