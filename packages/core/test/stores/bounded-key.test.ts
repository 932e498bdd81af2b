import { boundedKey } from '../../src/stores/bounded-key';

describe('boundedKey', () => {
  it('keeps keys of up to 64 characters as they are', () => {
    for (const key of ['203.0.113.7', '2001:db8:1:2::/64', 'k'.repeat(64)])
      expect(boundedKey(key)).toBe(key);
  });

  it('turns a longer key into a 44-character hash, the same one for the same key', () => {
    const key = 'u'.repeat(1 << 20);
    expect(boundedKey(key)).toMatch(/^#[\w-]{43}$/);
    expect(boundedKey(key)).toBe(boundedKey('u'.repeat(1 << 20)));
    expect(boundedKey(boundedKey(key))).toBe(boundedKey(key));
  });

  it('tells apart long keys that differ in one code unit, lone surrogates included', () => {
    const base = 'k'.repeat(100);
    const keys = [`${base}a`, `${base}b`, `${base}\uD800`, `${base}\uDC00`, `${base}\uFFFD`];
    expect(new Set(keys.map(boundedKey)).size).toBe(keys.length);
  });
});
