import { GuardConfigError, createMemoryStore } from '@guard-suite/core';
import { longKey, retainedBytes } from '../heap';
import { INVALID_COUNTS, showValue } from 'guard-spec';
import { runStoreContract } from './store-contract';

runStoreContract('memory', (options) => createMemoryStore({ ...options, maxKeys: 1000 }));

describe('createMemoryStore', () => {
  it('starts a new window once the old one is over', () => {
    let time = 1_000_000;
    const store = createMemoryStore({
      limit: 2,
      windowMs: 1000,
      blockMs: 0,
      maxKeys: 10,
      now: () => time,
    });
    expect(store.increment('a').count).toBe(1);
    time += 400;
    expect(store.increment('a')).toEqual({ count: 2, resetMs: 600 });
    time += 599;
    expect(store.increment('a').count).toBe(3);
    time += 1;
    expect(store.increment('a')).toEqual({ count: 1, resetMs: 1000 });
  });

  it('stays within maxKeys under 1,000,000 unique keys', () => {
    const store = createMemoryStore({ limit: 5, windowMs: 60_000, blockMs: 0, maxKeys: 10_000 });
    let largest = 0;
    for (let i = 0; i < 1_000_000; i++) {
      store.increment(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      if ((i & 1023) === 0) largest = Math.max(largest, store.size);
    }
    expect(Math.max(largest, store.size)).toBeLessThanOrEqual(10_000);
    expect(store.size).toBeGreaterThan(5_000);
    store.close();
  });

  it('keeps a key in use through a flood of unique keys, and forgets untouched ones', () => {
    const store = createMemoryStore({ limit: 1000, windowMs: 60_000, blockMs: 0, maxKeys: 100 });
    store.increment('busy');
    store.increment('idle');
    for (let i = 0; i < 1000; i++) {
      store.increment(`flood-${i}`);
      if (i % 40 === 0) store.increment('busy');
    }
    expect(store.increment('busy').count).toBe(2 + Math.ceil(1000 / 40));
    expect(store.increment('idle').count).toBe(1);
    expect(store.size).toBeLessThanOrEqual(100);
  });

  it.each([1, 2, 3, 7])('never holds more than maxKeys = %i', (maxKeys) => {
    const store = createMemoryStore({ limit: 10, windowMs: 60_000, blockMs: 0, maxKeys });
    for (let i = 0; i < 100; i++) {
      store.increment(`k${i % 13}`);
      expect(store.size).toBeLessThanOrEqual(maxKeys);
    }
  });
});

describe('issue 12 item 1: createMemoryStore validates its options', () => {
  const valid = { limit: 5, windowMs: 60_000, blockMs: 0, maxKeys: 100 };
  const cases: [string, Record<string, unknown>, RegExp][] = [];
  for (const key of ['maxKeys', 'windowMs'])
    for (const value of INVALID_COUNTS)
      cases.push([
        `${key}: ${showValue(value)}`,
        { ...valid, [key]: value },
        new RegExp(`"${key}"`),
      ]);
  for (const key of ['limit', 'blockMs'])
    for (const value of INVALID_COUNTS.filter((value) => !Object.is(value, 0)))
      cases.push([
        `${key}: ${showValue(value)}`,
        { ...valid, [key]: value },
        new RegExp(`"${key}"`),
      ]);
  cases.push(['maxKeys left out', { limit: 5, windowMs: 1000, blockMs: 0 }, /"maxKeys"/]);
  cases.push(['now: 5', { ...valid, now: 5 }, /"now" must be a function/]);
  cases.push(['an unknown option', { ...valid, maxkeys: 5 }, /did you mean "maxKeys"/]);

  it.each(cases)('refuses %s at construction', (_label, options, message) => {
    const build = () => createMemoryStore(options as never);
    expect(build).toThrow(GuardConfigError);
    expect(build).toThrow(/^createMemoryStore: /);
    expect(build).toThrow(message);
  });

  it('accepts a store that counts only (limit 0) and counts to its limit', () => {
    const store = createMemoryStore({ ...valid, limit: 0 });
    expect(store.increment('a').count).toBe(1);
    expect(store.increment('a').count).toBe(1);
  });
});

describe('issue 12 item 10: keys are bounded in bytes, not only in number', () => {
  it('holds 100 keys of 1 MiB each in well under 1 MiB of heap', () => {
    const { bytes, kept } = retainedBytes(() => {
      const store = createMemoryStore({ limit: 5, windowMs: 60_000, blockMs: 0, maxKeys: 1000 });
      for (let i = 0; i < 100; i++) store.increment(longKey(i));
      return store;
    });
    // Unbounded, the store kept every key: 100 MiB.
    expect(bytes).toBeLessThan(1 << 20);
    expect(kept.size).toBe(100);
  });

  it('still counts each long key on its own, and peek and reset find it', () => {
    const store = createMemoryStore({ limit: 5, windowMs: 60_000, blockMs: 0, maxKeys: 1000 });
    store.increment(longKey(1, 1000));
    store.increment(longKey(1, 1000));
    expect(store.increment(longKey(2, 1000)).count).toBe(1);
    expect(store.peek(longKey(1, 1000))?.count).toBe(2);
    store.reset(longKey(1, 1000));
    expect(store.peek(longKey(1, 1000))).toBeUndefined();
  });
});
