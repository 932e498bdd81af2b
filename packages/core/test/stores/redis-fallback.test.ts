import { WarningCodes } from '@guard-suite/core';
import { createMemoryLogger } from 'guard-spec';
import { createRedisFallback } from '../../src/stores/redis-fallback';

/** A Redis command whose outcome the test decides. */
function command() {
  let resolve!: (value: string) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { run: () => promise, resolve, reject };
}

describe('createRedisFallback (one Redis-with-fallback for the rate limiter and the breaker, issue 12 #6)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  function setUp(status = 'ready') {
    const client = { status };
    const { logger, entries } = createMemoryLogger();
    const redis = createRedisFallback({
      client,
      timeoutMs: 100,
      probeIntervalMs: 1000,
      label: 'test "x"',
      fields: { breaker: 'x' },
      logger: () => logger,
      unavailable: { code: WarningCodes.BREAKER_STORE_UNAVAILABLE, message: 'Redis failed' },
      recovered: { code: WarningCodes.BREAKER_STORE_RECOVERED, message: 'Redis is back' },
    });
    return { client, redis, entries };
  }
  const ok = () => Promise.resolve('redis');
  const fallback = () => 'fallback';

  it('answers with Redis while it answers', async () => {
    const { redis, entries } = setUp();
    await expect(redis.run(() => '', ok, fallback)).resolves.toBe('redis');
    expect(redis.degraded).toBe(false);
    expect(entries).toEqual([]);
  });

  it('falls back on a command that misses timeoutMs, and hands its late answer to onLate', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { redis, entries } = setUp();
    const slow = command();
    const late = jest.fn();
    const answer = redis.run(() => '', slow.run, fallback, late);
    jest.advanceTimersByTime(100);
    await expect(answer).resolves.toBe('fallback');
    expect(redis.degraded).toBe(true);
    slow.resolve('granted late');
    await Promise.resolve();
    await Promise.resolve();
    expect(late).toHaveBeenCalledWith('granted late');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 'warn',
      code: 'WARN_GUARD_BREAKER_STORE_UNAVAILABLE',
      breaker: 'x',
      message: 'test "x": Redis failed',
      error: { message: 'Redis did not answer within 100 ms' },
    });
  });

  it('logs the failure as a serialized error (stack and cause), once per outage, and the recovery once', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { redis, entries } = setUp();
    const cause = new Error('ECONNRESET');
    for (let i = 0; i < 5; i++) {
      await redis.run(
        () => '',
        () => Promise.reject(new Error('write failed', { cause })),
        fallback,
      );
      jest.advanceTimersByTime(1000);
    }
    await redis.run(() => '', ok, fallback);
    await redis.run(() => '', ok, fallback);
    expect(entries.map((e) => [e.level, e.code])).toEqual([
      ['warn', 'WARN_GUARD_BREAKER_STORE_UNAVAILABLE'],
      ['info', 'WARN_GUARD_BREAKER_STORE_RECOVERED'],
    ]);
    expect(entries[0]?.error).toMatchObject({
      message: 'write failed',
      stack: expect.stringContaining('write failed') as unknown,
      cause: { message: 'ECONNRESET' },
    });
  });

  it('skips Redis synchronously while failing, and lets one call per probeIntervalMs try again', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { redis } = setUp();
    await redis.run(
      () => '',
      () => Promise.reject(new Error('down')),
      fallback,
    );
    const tried = jest.fn(ok);
    expect(redis.run(() => '', tried, fallback)).toBe('fallback');
    jest.advanceTimersByTime(999);
    expect(redis.run(() => '', tried, fallback)).toBe('fallback');
    expect(tried).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    const probe = redis.run(() => '', tried, fallback);
    // While the probe is out, the other calls keep to the fallback.
    expect(redis.run(() => '', tried, fallback)).toBe('fallback');
    await expect(probe).resolves.toBe('redis');
    expect(tried).toHaveBeenCalledTimes(1);
    expect(redis.degraded).toBe(false);
  });

  it('fails at once, without sending, when the client lost its connection', () => {
    const { client, redis, entries } = setUp();
    client.status = 'reconnecting';
    const sent = jest.fn(ok);
    expect(redis.run(() => '', sent, fallback)).toBe('fallback');
    expect(sent).not.toHaveBeenCalled();
    expect(entries[0]).toMatchObject({ error: { message: 'Redis connection is reconnecting' } });
  });

  it('keeps failures per server: a Cluster node down leaves the keys of the others on Redis', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { redis, entries } = setUp();
    await redis.run(
      () => '127.0.0.1:7001',
      () => Promise.reject(new Error('down')),
      fallback,
    );
    const healthy = jest.fn(ok);
    await expect(redis.run(() => '127.0.0.1:7002', healthy, fallback)).resolves.toBe('redis');
    expect(redis.run(() => '127.0.0.1:7001', healthy, fallback)).toBe('fallback');
    expect(redis.degraded).toBe(true);
    // One warning for the outage; no recovery line while a server still fails.
    expect(entries.map((e) => e.code)).toEqual(['WARN_GUARD_BREAKER_STORE_UNAVAILABLE']);
  });

  it('forgets a failed server no call asks for any more (a primary replaced in a failover), and then logs the recovery', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { redis, entries } = setUp();
    await redis.run(
      () => '127.0.0.1:7001',
      () => Promise.reject(new Error('down')),
      fallback,
    );
    jest.advanceTimersByTime(1000);
    await redis.run(() => '127.0.0.1:7002', ok, fallback);
    expect(redis.degraded).toBe(true);
    jest.advanceTimersByTime(1001);
    await redis.run(() => '127.0.0.1:7002', ok, fallback);
    expect(redis.degraded).toBe(false);
    expect(entries.map((e) => e.code)).toEqual([
      'WARN_GUARD_BREAKER_STORE_UNAVAILABLE',
      'WARN_GUARD_BREAKER_STORE_RECOVERED',
    ]);
  });
});
