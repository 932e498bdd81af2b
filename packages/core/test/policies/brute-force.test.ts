import { GuardConfigError, RateLimitError, createBruteForceProtection } from '@guard-suite/core';
import type { BruteForceDecision } from '@guard-suite/core';
import { createTestRedis, describeWithRedis, uniquePrefix } from 'guard-spec';
import { longKey, retainedBytes } from '../heap';

const sync = (decision: BruteForceDecision | Promise<BruteForceDecision>): BruteForceDecision => {
  if (decision instanceof Promise) throw new Error('the memory store must answer synchronously');
  return decision;
};

describe('createBruteForceProtection', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('lets N attempts through, refuses the next until blockMs has passed', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const guard = createBruteForceProtection({ maxConsecutiveFailures: 2, blockMs: 10_000 });
    expect(guard.check('alice', '203.0.113.1')).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(guard.check('alice', '203.0.113.1')).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(guard.check('alice', '203.0.113.1')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    jest.advanceTimersByTime(9_999);
    expect(guard.check('alice', '203.0.113.1')).toMatchObject({ allowed: false });
    jest.advanceTimersByTime(1);
    expect(guard.check('alice', '203.0.113.1')).toMatchObject({ allowed: true });
    guard.close();
  });

  it('forgets attempts older than failureWindowMs', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const guard = createBruteForceProtection({
      maxConsecutiveFailures: 1,
      failureWindowMs: 60_000,
    });
    expect(guard.check('bob', '203.0.113.2')).toMatchObject({ allowed: true });
    jest.advanceTimersByTime(60_000);
    expect(guard.check('bob', '203.0.113.2')).toMatchObject({ allowed: true });
    expect(guard.check('bob', '203.0.113.2')).toMatchObject({ allowed: false });
  });

  it('keeps usernames apart even when they hold the separator', () => {
    const guard = createBruteForceProtection({ maxConsecutiveFailures: 1 });
    expect(guard.check('x|y', '203.0.113.3')).toMatchObject({ allowed: true });
    expect(guard.check('x|y', '203.0.113.3')).toMatchObject({ allowed: false });
    expect(guard.check('y', '203.0.113.3|x')).toMatchObject({ allowed: true });
    expect(guard.check(undefined, '203.0.113.3')).toMatchObject({ allowed: true });
  });

  it('clears the pair on success and gives its attempt back to the address, never more', async () => {
    const guard = createBruteForceProtection({
      maxConsecutiveFailures: 3,
      maxFailuresPerAddress: 3,
    });
    const from = '198.51.100.1';
    sync(guard.check('a', from));
    sync(guard.check('a', from));
    await guard.reportSuccess('a', from); // pair a: 0; address: 1 (two attempts, one success)
    expect(sync(guard.check('a', from)).allowed).toBe(true); // address 2
    expect(sync(guard.check('b', from)).allowed).toBe(true); // address 3
    expect(sync(guard.check('c', from))).toMatchObject({ allowed: false }); // address over
    expect(sync(guard.check('a', '198.51.100.2')).allowed).toBe(true);
  });

  it('does not count an attempt its pair refused against the address', () => {
    const guard = createBruteForceProtection({
      maxConsecutiveFailures: 1,
      maxFailuresPerAddress: 3,
    });
    const from = '198.51.100.3';
    expect(sync(guard.check('victim', from)).allowed).toBe(true);
    for (let i = 0; i < 20; i++) expect(sync(guard.check('victim', from)).allowed).toBe(false);
    expect(sync(guard.check('other', from)).allowed).toBe(true);
    expect(sync(guard.check('third', from)).allowed).toBe(true);
    expect(sync(guard.check('fourth', from)).allowed).toBe(false);
  });

  it('rejects with a 429 RateLimitError carrying Retry-After', () => {
    const guard = createBruteForceProtection({});
    const error = guard.reject({ allowed: false, retryAfterSeconds: 42 });
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      status: 429,
      retryAfterSeconds: 42,
      code: 'ERR_GUARD_RATE_LIMITED',
    });
    expect(guard.mode).toBe('memory');
  });

  it.each([['yes'], [1], [null], [{}]])('refuses normalizeUsername: %j', (value) => {
    expect(() => createBruteForceProtection({ normalizeUsername: value as never })).toThrow(
      GuardConfigError,
    );
  });
});

describe('issue 12 item 2: attempts are counted when checked', () => {
  it('lets exactly maxConsecutiveFailures of 50 guesses through, however they interleave', () => {
    // In memory each check counts and decides in one synchronous step: nothing can come between.
    const guard = createBruteForceProtection({ maxConsecutiveFailures: 5 });
    const decisions = Array.from({ length: 50 }, () => sync(guard.check('alice', '203.0.113.9')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it('lets exactly maxFailuresPerAddress of 50 guesses on 50 usernames through', () => {
    const guard = createBruteForceProtection({ maxFailuresPerAddress: 7 });
    const decisions = Array.from({ length: 50 }, (_, i) =>
      sync(guard.check(`user${i}`, '203.0.113.10')),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
  });

  it('counts one username however it is spelt: NFKC and case-folded by default', () => {
    const guard = createBruteForceProtection({ maxConsecutiveFailures: 3 });
    const from = '203.0.113.11';
    for (const spelling of ['Alice', 'ALICE', 'ａｌｉｃｅ'])
      expect(sync(guard.check(spelling, from)).allowed).toBe(true);
    expect(sync(guard.check('alice', from)).allowed).toBe(false);
    // ß folds to ss, as Unicode case folding does.
    expect(sync(guard.check('Straße', from)).allowed).toBe(true);
    expect(sync(guard.check('STRASSE', from)).allowed).toBe(true);
    expect(sync(guard.check('strasse', from)).allowed).toBe(true);
    expect(sync(guard.check('straße', from)).allowed).toBe(false);
  });

  it('counts usernames as sent with normalizeUsername: false', () => {
    const guard = createBruteForceProtection({
      maxConsecutiveFailures: 1,
      normalizeUsername: false,
    });
    for (const spelling of ['Alice', 'ALICE', 'ａｌｉｃｅ', 'alice'])
      expect(sync(guard.check(spelling, '203.0.113.12')).allowed).toBe(true);
    expect(sync(guard.check('Alice', '203.0.113.12')).allowed).toBe(false);
  });

  it('issue 12 item 10: holds 100 usernames of 1 MiB in well under 1 MiB of heap', () => {
    const { bytes, kept } = retainedBytes(() => {
      const guard = createBruteForceProtection({
        maxConsecutiveFailures: 1,
        maxFailuresPerAddress: 1000,
      });
      for (let i = 0; i < 100; i++) sync(guard.check(longKey(i), '203.0.113.13'));
      return guard;
    });
    // Unbounded (the whole username in the key), this was 100 MiB or more.
    expect(bytes).toBeLessThan(1 << 20);
    expect(sync(kept.check(longKey(5), '203.0.113.13')).allowed).toBe(false);
    expect(sync(kept.check(longKey(500), '203.0.113.13')).allowed).toBe(true);
  });

  describeWithRedis('with Redis', () => {
    const redis = createTestRedis();
    const prefix = uniquePrefix('bf-core');
    // A generous wait for Redis: on a loaded machine the default 250 ms would hand the counting to
    // each instance's insurance store, which is the fallback working, not what is tested here.
    const store = { redis, prefix, timeoutMs: 10_000 };
    afterAll(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });

    it('lets exactly 5 of 50 simultaneous guesses through, from two instances sharing Redis', async () => {
      const options = { maxConsecutiveFailures: 5, store };
      const instances = [createBruteForceProtection(options), createBruteForceProtection(options)];
      const decisions = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          Promise.resolve(instances[i % 2]!.check('alice', '203.0.113.20')),
        ),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
      expect(instances[0]!.mode).toBe('redis');
    });

    it('clears the pair in Redis on success and gives the address its attempt back', async () => {
      const guard = createBruteForceProtection({
        maxConsecutiveFailures: 2,
        maxFailuresPerAddress: 2,
        store,
      });
      const from = '203.0.113.21';
      expect((await guard.check('carol', from)).allowed).toBe(true);
      await guard.reportSuccess('carol', from);
      expect((await guard.check('carol', from)).allowed).toBe(true);
      expect((await guard.check('carol', from)).allowed).toBe(true);
      expect((await guard.check('dave', from)).allowed).toBe(false);
      expect((await guard.check('carol', from)).allowed).toBe(false);
    });

    it('writes bounded Redis keys for a 1 MiB username', async () => {
      const own = uniquePrefix('bf-core-long');
      const guard = createBruteForceProtection({
        store: { redis, prefix: own, timeoutMs: 10_000 },
      });
      await guard.check(longKey(1), '203.0.113.22');
      const keys = await redis.keys(`${own}*`);
      try {
        expect(keys).toHaveLength(2);
        for (const key of keys) expect(key.length).toBeLessThan(own.length + 100);
      } finally {
        if (keys.length > 0) await redis.del(...keys);
      }
    });
  });
});
