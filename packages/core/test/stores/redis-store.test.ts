import { GuardConfigError, createRedisStore } from '@guard-suite/core';
import {
  createTestRedis,
  deleteKeys,
  describeWithRedis,
  uniquePrefix,
  INVALID_COUNTS,
  showValue,
} from 'guard-spec';
import type { Redis } from 'ioredis';
import { runStoreContract } from './store-contract';

// Validation needs no server: a client-shaped object is enough to get past the `redis` check.
describe('issue 12 item 1: createRedisStore validates its options', () => {
  const valid = {
    redis: { evalsha() {}, eval() {}, status: 'ready' },
    keyPrefix: 'p:',
    limit: 5,
    windowMs: 60_000,
    blockMs: 0,
  };
  const cases: [string, Record<string, unknown>, RegExp][] = [];
  for (const value of INVALID_COUNTS)
    cases.push([`windowMs: ${showValue(value)}`, { ...valid, windowMs: value }, /"windowMs"/]);
  for (const key of ['limit', 'blockMs'])
    for (const value of INVALID_COUNTS.filter((value) => !Object.is(value, 0)))
      cases.push([
        `${key}: ${showValue(value)}`,
        { ...valid, [key]: value },
        new RegExp(`"${key}"`),
      ]);
  for (const value of [null, {}, 'redis://localhost'])
    cases.push([`redis: ${showValue(value)}`, { ...valid, redis: value }, /"redis"/]);
  cases.push(['keyPrefix: ""', { ...valid, keyPrefix: '' }, /"keyPrefix"/]);

  it.each(cases)('refuses %s at construction', (_label, options, message) => {
    const build = () => createRedisStore(options as never);
    expect(build).toThrow(GuardConfigError);
    expect(build).toThrow(/^createRedisStore: /);
    expect(build).toThrow(message);
  });
});

describeWithRedis('createRedisStore', () => {
  let redis: Redis;
  const prefix = uniquePrefix('redis-store');
  beforeAll(() => {
    redis = createTestRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  runStoreContract('Redis', (options) =>
    createRedisStore({ ...options, redis, keyPrefix: `${prefix}contract` }),
  );

  it('costs exactly one Redis round trip per hit', async () => {
    const store = createRedisStore({
      redis,
      keyPrefix: `${prefix}trips`,
      limit: 5,
      windowMs: 60_000,
      blockMs: 0,
    });
    // The first call may pay ioredis's one-off EVALSHA → NOSCRIPT → EVAL; count the steady state.
    await store.increment('warm-up');
    const sent: string[] = [];
    const original = redis.sendCommand.bind(redis);
    const spy = jest.spyOn(redis, 'sendCommand').mockImplementation((command, stream) => {
      sent.push(command.name);
      return original(command, stream);
    });
    try {
      for (let i = 0; i < 20; i++) await store.increment(`key-${i % 3}`);
    } finally {
      spy.mockRestore();
    }
    expect(sent).toHaveLength(20);
    expect(new Set(sent)).toEqual(new Set(['evalsha']));
  });

  it('with blockMs, costs a second round trip only on the hit that starts the block', async () => {
    const store = createRedisStore({
      redis,
      keyPrefix: `${prefix}block-trips`,
      limit: 2,
      windowMs: 60_000,
      blockMs: 60_000,
    });
    await store.increment('warm-up');
    const trips: number[] = [];
    const original = redis.sendCommand.bind(redis);
    let sent = 0;
    const spy = jest.spyOn(redis, 'sendCommand').mockImplementation((command, stream) => {
      // MULTI … EXEC is one round trip: count the EXEC, not its queued commands.
      if (!['multi', 'set', 'pttl'].includes(command.name)) sent += 1;
      return original(command, stream);
    });
    try {
      for (let i = 0; i < 5; i++) {
        sent = 0;
        await store.increment('client');
        trips.push(sent);
      }
    } finally {
      spy.mockRestore();
    }
    // Two allowed, the third goes over and starts the block (rate-limiter-flexible writes it),
    // and every hit during the block is one round trip again.
    expect(trips).toEqual([1, 1, 2, 1, 1]);
  });

  it('stores the count under prefix + name + key with the window as its TTL', async () => {
    const store = createRedisStore({
      redis,
      keyPrefix: `${prefix}ttl`,
      limit: 5,
      windowMs: 1500,
      blockMs: 0,
    });
    await store.increment('203.0.113.7');
    await store.increment('203.0.113.7');
    expect(await redis.get(`${prefix}ttl:203.0.113.7`)).toBe('2');
    // Redis windows are whole seconds: 1500 ms rounds up to 2 s.
    const ttl = await redis.pttl(`${prefix}ttl:203.0.113.7`);
    expect(ttl).toBeGreaterThan(1500);
    expect(ttl).toBeLessThanOrEqual(2000);
  });
});
