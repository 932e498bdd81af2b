import { GuardConfigError, createRateLimiter } from '@guard-suite/core';
import type { RateLimitDecision } from '@guard-suite/core';
import { createTestRedis, describeWithRedis, uniquePrefix } from 'guard-spec';
import { longKey, retainedBytes } from '../heap';

const sync = (decision: RateLimitDecision | Promise<RateLimitDecision>): RateLimitDecision => {
  if (decision instanceof Promise) throw new Error('the memory limiter must answer synchronously');
  return decision;
};

describe('createRateLimiter (memory)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('allows limit requests per window, answers synchronously, then rejects with r=0', () => {
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000 });
    expect(limiter.mode).toBe('memory');
    expect(limiter.policyHeader).toBe('"default";q=3;w=60');
    expect(sync(limiter.consume('a'))).toEqual({
      allowed: true,
      limit: 3,
      remaining: 2,
      retryAfterSeconds: 60,
      header: '"default";r=2;t=60',
    });
    sync(limiter.consume('a'));
    expect(sync(limiter.consume('a'))).toMatchObject({ allowed: true, remaining: 0 });
    expect(sync(limiter.consume('a'))).toMatchObject({
      allowed: false,
      remaining: 0,
      header: '"default";r=0;t=60',
    });
    expect(sync(limiter.consume('b')).allowed).toBe(true);
    limiter.close();
  });

  it('rounds w and t up to whole seconds', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const limiter = createRateLimiter({ limit: 1, windowMs: 1500, name: 'api' });
    expect(limiter.policyHeader).toBe('"api";q=1;w=2');
    sync(limiter.consume('k'));
    jest.advanceTimersByTime(600);
    expect(sync(limiter.consume('k'))).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
  });

  it('lets a key through again when its window rolls over', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const limiter = createRateLimiter({ limit: 2, windowMs: 10_000 });
    sync(limiter.consume('k'));
    sync(limiter.consume('k'));
    jest.advanceTimersByTime(9_999);
    expect(sync(limiter.consume('k')).allowed).toBe(false);
    jest.advanceTimersByTime(1);
    expect(sync(limiter.consume('k'))).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('keeps a key that went over the limit blocked for blockMs', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const limiter = createRateLimiter({ limit: 1, windowMs: 1000, blockMs: 30_000 });
    sync(limiter.consume('k'));
    expect(sync(limiter.consume('k'))).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
    jest.advanceTimersByTime(5_000);
    expect(sync(limiter.consume('k'))).toMatchObject({ allowed: false, retryAfterSeconds: 25 });
    jest.advanceTimersByTime(25_000);
    expect(sync(limiter.consume('k')).allowed).toBe(true);
  });

  const show = (value: unknown) =>
    typeof value === 'number'
      ? Object.is(value, -0)
        ? '-0'
        : String(value)
      : JSON.stringify(value);
  const invalid: [string, Record<string, unknown>, RegExp][] = [];
  for (const key of ['limit', 'windowMs', 'maxKeys'])
    for (const value of [0, -1, -0, 1.5, NaN, Infinity, -Infinity, '5', null, {}, [], true])
      invalid.push([`${key}: ${show(value)}`, { [key]: value }, new RegExp(`"${key}"`)]);
  for (const value of [-1, -0, 0.5, NaN, Infinity, '1000', null, {}])
    invalid.push([`blockMs: ${show(value)}`, { blockMs: value }, /"blockMs"/]);
  for (const value of ['yes', 1, null, {}])
    invalid.push([`headers: ${show(value)}`, { headers: value }, /"headers"/]);
  for (const value of ['', 'a"b', 'back\\slash', 'tab\there', 'x'.repeat(65), 5, null])
    invalid.push([`name: ${show(value)}`, { name: value }, /"name"/]);
  for (const value of ['redis', 'Memory', 5, null, [], {}, { redis: {} }, { redis: null }])
    invalid.push([`store: ${JSON.stringify(value)}`, { store: value }, /"store/]);
  invalid.push(['logger: console.log', { logger: () => undefined }, /"logger"/]);
  invalid.push([
    'an unknown option',
    { limt: 5 },
    /unknown option "limt" \(did you mean "limit"\?\)/,
  ]);

  it.each(invalid)('rejects %s at construction', (_label, options, message) => {
    let thrown: unknown;
    try {
      createRateLimiter(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GuardConfigError);
    expect(thrown).toBeInstanceOf(TypeError);
    expect(thrown).toMatchObject({ code: 'ERR_GUARD_INVALID_OPTION' });
    expect((thrown as Error).message).toMatch(/^createRateLimiter: /);
    expect((thrown as Error).message).toMatch(message);
  });

  it('rejects a non-object options value with a hint', () => {
    expect(() => createRateLimiter(createRateLimiter as never)).toThrow(
      /did you write app.use\(createRateLimiter\)/,
    );
    expect(() => createRateLimiter(5 as never)).toThrow(GuardConfigError);
  });
});

describe('issue 12 item 10: a long key costs its hash, not its length', () => {
  it('holds 100 keys of 1 MiB each in well under 1 MiB of heap (memory store)', () => {
    const { bytes, kept } = retainedBytes(() => {
      const limiter = createRateLimiter({ limit: 5, windowMs: 60_000 });
      for (let i = 0; i < 100; i++) sync(limiter.consume(longKey(i)));
      return limiter;
    });
    expect(bytes).toBeLessThan(1 << 20);
    expect(sync(kept.consume(longKey(7))).remaining).toBe(3);
  });

  describeWithRedis('with Redis', () => {
    const redis = createTestRedis();
    const prefix = uniquePrefix('rl-long-keys');
    afterAll(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });

    it('writes a bounded Redis key for a 1 MiB key, and counts it as one client', async () => {
      const limiter = createRateLimiter({
        limit: 5,
        windowMs: 60_000,
        store: { redis, prefix, timeoutMs: 10_000 },
      });
      await limiter.consume(longKey(1));
      expect((await limiter.consume(longKey(1))).remaining).toBe(3);
      expect((await limiter.consume(longKey(2))).remaining).toBe(4);
      const keys = await redis.keys(`${prefix}*`);
      expect(keys).toHaveLength(2);
      for (const key of keys) expect(key.length).toBeLessThan(prefix.length + 64);
    });
  });
});
