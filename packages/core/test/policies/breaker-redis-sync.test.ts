import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Redis } from 'ioredis';
import {
  REDIS_URL,
  createMemoryLogger,
  createTestRedis,
  deleteKeys,
  describeWithRedis,
  uniquePrefix,
} from 'guard-spec';
import { CircuitOpenError, createCircuitBreaker } from '../../src/index';
import { BREAKER_STORE_FALLBACK } from '../../src/internal';
import type { CircuitBreakerOptions, RedisClient } from '../../src/index';

const prefix = uniquePrefix('breaker-redis-sync');
const fail = () => Promise.reject(new Error('dependency down'));
const succeed = () => Promise.resolve('ok');

/**
 * Resolves once `check` holds, asking again every few milliseconds: the tests wait for the shared
 * state to change (a fire-and-forget publish landing, an open period ending), never a fixed time,
 * so a loaded machine only makes them slower (issue 12, item 16).
 */
async function eventually(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A TCP proxy in front of the real Redis, so a test can stop "Redis" for one client only (closing the
 * proxy resets its connections; pausing it swallows commands) without touching the shared server.
 */
async function startRedisProxy() {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  let paused = false;
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (!paused) upstream.write(chunk);
    });
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pause() {
      paused = true;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describeWithRedis('circuit breaker state shared through Redis', () => {
  const clients: Redis[] = [];
  const client = () => {
    const redis = createTestRedis();
    clients.push(redis);
    return redis;
  };
  const ready = (redis: Redis) =>
    redis.status === 'ready' ? Promise.resolve() : new Promise((r) => redis.once('ready', r));

  const observer = createTestRedis();
  /** The breaker's hash in Redis and the Redis clock, in epoch ms. */
  async function shared(name: string) {
    const [hash, [seconds = 0, micros = 0]] = await Promise.all([
      observer.hgetall(`${prefix}${name}`),
      observer.time(),
    ]);
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const openUntil = hash.openUntil === undefined ? undefined : Number(hash.openUntil);
    return { hash, now, openUntil };
  }
  /** Until the shared state is open (a publishOpen has landed). */
  const sharedOpen = (name: string) =>
    eventually(async () => {
      const { now, openUntil } = await shared(name);
      return openUntil !== undefined && openUntil > now;
    });
  /** Until the shared open period is over by the Redis clock, so the next admit is a trial. */
  const openPeriodOver = (name: string) =>
    eventually(async () => {
      const { now, openUntil } = await shared(name);
      return openUntil !== undefined && openUntil <= now && Date.now() >= openUntil;
    });
  /** Until the shared state is closed (a publishClose has landed). */
  const sharedClosed = (name: string) =>
    eventually(async () => Object.keys((await shared(name)).hash).length === 0);

  afterAll(async () => {
    await observer.quit();
    const cleanup = createTestRedis();
    await deleteKeys(cleanup, prefix);
    await cleanup.quit();
    const open = clients.filter((c) => c.status !== 'end');
    await Promise.all(open.map((c) => c.quit().catch(() => 'already closed')));
  });

  async function pair(name: string, extra: Partial<CircuitBreakerOptions> = {}) {
    const a = client();
    const b = client();
    await Promise.all([ready(a), ready(b)]);
    const options = { name, failureThreshold: 2, resetTimeoutMs: 300, ...extra };
    return [
      createCircuitBreaker({ ...options, store: { redis: a, prefix } }),
      createCircuitBreaker({ ...options, store: { redis: b, prefix } }),
    ] as const;
  }

  /**
   * A client whose next command is held back, as by a short Redis stall: `send(true)` lets Redis run
   * it and its answer arrive late; `send(false)` lets Redis run it and loses the answer.
   */
  function stallable(real: Redis) {
    let holdNext = false;
    let held: ((deliver: boolean) => Promise<void>) | undefined;
    const stalled: RedisClient = {
      get status() {
        return real.status;
      },
      evalsha(...args: Parameters<RedisClient['evalsha']>) {
        if (!holdNext) return real.evalsha(...args);
        holdNext = false;
        return new Promise((resolve, reject) => {
          held = (deliver) =>
            real.evalsha(...args).then(
              (value) => {
                if (deliver) resolve(value);
              },
              (error: Error) => {
                if (deliver) reject(error);
              },
            );
        });
      },
      eval: (...args: Parameters<RedisClient['eval']>) => real.eval(...args),
      defineCommand: () => {},
      multi: () => real.multi(),
      del: (...keys: string[]) => real.del(...keys),
    };
    return {
      client: stalled,
      holdNext() {
        holdNext = true;
      },
      async send(deliver: boolean) {
        await (held as (deliver: boolean) => Promise<void>)(deliver);
        // What the late answer sets off (the lease given back) is sent on this connection before
        // the next turn of the event loop; a PING after it returns once Redis has run it.
        await new Promise((resolve) => setImmediate(resolve));
        await real.ping();
      },
    };
  }

  /** Waits until the shared state of `name` is open and its reset time (Redis clock) has passed. */
  async function halfOpenInRedis(redis: Redis, name: string): Promise<void> {
    for (;;) {
      const [openUntil] = await redis.hmget(`${prefix}${name}`, 'openUntil');
      const [seconds, micros] = await redis.time();
      if (openUntil && Number(seconds) * 1000 + Number(micros) / 1000 >= Number(openUntil)) return;
      await sleep(10);
    }
  }

  async function staleLeaseSetUp(name: string) {
    const realA = client();
    const b = client();
    await Promise.all([ready(realA), ready(b)]);
    const a = stallable(realA);
    const { logger } = createMemoryLogger();
    // timeoutMs (the per-call deadline) is the lease time: long, so a stale lease would be seen.
    const options = { name, failureThreshold: 1, resetTimeoutMs: 100, timeoutMs: 10_000 };
    const breakerA = createCircuitBreaker({
      ...options,
      // probeIntervalMs: 1, so A's next call asks Redis again (it was marked failing by the stall).
      store: { redis: a.client, prefix, logger, timeoutMs: 50, probeIntervalMs: 1 },
    });
    const breakerB = createCircuitBreaker({ ...options, store: { redis: b, prefix, logger } });
    await breakerA.execute(fail).catch(() => {});
    await halfOpenInRedis(b, name);
    // A asks for the trial; Redis stalls; A gives up after 50 ms and runs its trial alone.
    a.holdNext();
    await expect(breakerA.execute(succeed)).resolves.toBe('ok');
    return { a, breakerA, breakerB };
  }

  it('gives back a trial lease granted by an admission that answered after its timeout (issue 12 #11)', async () => {
    const { a, breakerA, breakerB } = await staleLeaseSetUp('late-lease');
    await a.send(true);
    // B needs no wait for a lease nobody will use: it runs the trial, which closes the breaker.
    await expect(breakerB.execute(succeed)).resolves.toBe('ok');
    // B's close is fire and forget, on its own connection: A asking before it lands is told that
    // B holds the trial.
    await sharedClosed('late-lease');
    await expect(breakerA.execute(succeed)).resolves.toBe('ok');
    expect([breakerA.state, breakerB.state]).toEqual(['closed', 'closed']);
  });

  it('voids, on its next call, a lease an instance got without hearing of it (issue 12 #11)', async () => {
    const { a, breakerA, breakerB } = await staleLeaseSetUp('lost-lease');
    await a.send(false);
    await sleep(2); // A's probe interval
    // Nobody told A of its lease, so A's next admission replaces it instead of refusing.
    await expect(breakerA.execute(succeed)).resolves.toBe('ok');
    await expect(breakerB.execute(succeed)).resolves.toBe('ok');
    expect([breakerA.state, breakerB.state]).toEqual(['closed', 'closed']);
  });

  it("opens for every instance when one instance's failures open it", async () => {
    const [a, b] = await pair('open-for-all');
    await expect(b.execute(succeed)).resolves.toBe('ok');
    await expect(a.execute(fail)).rejects.toThrow('dependency down');
    await expect(a.execute(fail)).rejects.toThrow('dependency down');
    expect(a.state).toBe('open');
    // The open is published without delaying the failing call: wait until it has landed.
    await sharedOpen('open-for-all');
    const dependency = jest.fn(succeed);
    const error = await b.execute(dependency).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).retryAfterSeconds).toBe(1);
    expect(dependency).not.toHaveBeenCalled();
    expect(b.state).toBe('open');
  });

  it('grants the half-open trial to one instance at a time, and its success closes it for all', async () => {
    const [a, b] = await pair('one-trial');
    await a.execute(fail).catch(() => {});
    await a.execute(fail).catch(() => {});
    await sharedOpen('one-trial');
    await openPeriodOver('one-trial');
    let reached = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const trial = async () => {
      reached++;
      await gate;
      return 'trial ok';
    };
    const calls = [a, b, a, b, b, a].map((breaker) => breaker.execute(trial));
    const settled = Promise.allSettled(calls);
    // Every call but the trial is refused while the trial waits at the gate.
    let refused = 0;
    for (const call of calls) call.catch(() => refused++);
    await eventually(() => refused === 5);
    expect(reached).toBe(1);
    release();
    const outcomes = await settled;
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(
      outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof CircuitOpenError),
    ).toHaveLength(5);
    await sharedClosed('one-trial');
    await expect(a.execute(succeed)).resolves.toBe('ok');
    await expect(b.execute(succeed)).resolves.toBe('ok');
    expect([a.state, b.state]).toEqual(['closed', 'closed']);
  });

  it('re-opens for all when the trial fails, whichever instance ran it', async () => {
    const [a, b] = await pair('trial-fails');
    await b.execute(fail).catch(() => {});
    await b.execute(fail).catch(() => {});
    await sharedOpen('trial-fails');
    await openPeriodOver('trial-fails');
    await expect(a.execute(fail)).rejects.toThrow('dependency down');
    await sharedOpen('trial-fails');
    await expect(b.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(a.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('falls back to local state when Redis stops mid-run, and says so once', async () => {
    const proxy = await startRedisProxy();
    const { logger, entries } = createMemoryLogger();
    const redis = new Redis({
      port: proxy.port,
      host: '127.0.0.1',
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    redis.on('error', () => {});
    clients.push(redis);
    await ready(redis);
    const breaker = createCircuitBreaker({
      name: 'redis-stops',
      failureThreshold: 3,
      resetTimeoutMs: 60_000,
      store: { redis, prefix, logger, timeoutMs: 100 },
    });
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    await proxy.stop();
    // Every call still runs: the dependency decides, not Redis.
    for (let i = 0; i < 5; i++) await expect(breaker.execute(succeed)).resolves.toBe('ok');
    // And the local state machine still protects it.
    for (let i = 0; i < 3; i++) await breaker.execute(fail).catch(() => {});
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    const warnings = entries.filter((e) => e.code === BREAKER_STORE_FALLBACK);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', breaker: 'redis-stops' });
    // The client ended itself when its connection dropped (no reconnect strategy).
    expect(redis.status).toBe('end');
  });

  it('does not wait on a Redis that stopped answering longer than store.timeoutMs', async () => {
    const proxy = await startRedisProxy();
    const { logger, entries } = createMemoryLogger();
    const redis = new Redis({ port: proxy.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    clients.push(redis);
    await ready(redis);
    const breaker = createCircuitBreaker({
      name: 'redis-hangs',
      store: { redis, prefix, logger, timeoutMs: 100 },
    });
    proxy.pause();
    const started = Date.now();
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    // Generous bound: the point is "not forever", not a latency figure.
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(entries.filter((e) => e.code === BREAKER_STORE_FALLBACK)).toHaveLength(1);
    redis.disconnect();
    await proxy.stop();
  });
});

describe('circuit breaker Redis sync: the shared Redis fallback (issue 12 #6)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('logs its switches with WarningCodes and the serialized error, and probes every store.probeIntervalMs', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    let down = true;
    const evalsha = jest.fn(() =>
      down ? Promise.reject(new Error('ECONNRESET on write')) : Promise.resolve([0, 0]),
    );
    const redis = { status: 'ready', evalsha, eval: jest.fn() } as unknown as RedisClient;
    const { logger, entries } = createMemoryLogger();
    const breaker = createCircuitBreaker({
      name: 'probing',
      store: { redis, logger, probeIntervalMs: 5000 },
    });
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    jest.advanceTimersByTime(4999);
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(evalsha).toHaveBeenCalledTimes(1);
    down = false;
    jest.advanceTimersByTime(1);
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(evalsha).toHaveBeenCalledTimes(3);
    expect(entries.map((e) => [e.level, e.code, e.breaker])).toEqual([
      ['warn', 'WARN_GUARD_BREAKER_STORE_UNAVAILABLE', 'probing'],
      ['info', 'WARN_GUARD_BREAKER_STORE_RECOVERED', 'probing'],
    ]);
    expect(entries[0]?.error).toMatchObject({
      message: 'ECONNRESET on write',
      stack: expect.stringContaining('ECONNRESET on write') as unknown,
    });
    expect(BREAKER_STORE_FALLBACK).toBe('WARN_GUARD_BREAKER_STORE_UNAVAILABLE');
  });

  it('sends an open decided while Redis failed once Redis answers again, for what is left of the open time', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    let down = false;
    const sent: string[] = [];
    // The admission answers "closed"; the open script's arguments are recorded.
    const evalsha = jest.fn((_sha: string, _keys: number, _key: string, ...args: unknown[]) => {
      if (down) return Promise.reject(new Error('ECONNRESET'));
      if (args.length === 1) sent.push(`open ${String(args[0])}`);
      return Promise.resolve(args.length === 1 ? 1 : [0, 0]);
    });
    const redis = { status: 'ready', evalsha, eval: jest.fn() } as unknown as RedisClient;
    const breaker = createCircuitBreaker({
      name: 'resend',
      failureThreshold: 1,
      resetTimeoutMs: 10_000,
      store: { redis, logger: createMemoryLogger().logger, probeIntervalMs: 1000 },
    });
    // Redis answers the admission, then fails as the failure opens the breaker: the open is lost.
    evalsha.mockImplementationOnce(() => Promise.resolve([0, 0]));
    down = true;
    await breaker.execute(fail).catch(() => {});
    expect(breaker.state).toBe('open');
    await jest.advanceTimersByTimeAsync(1000); // a retry, Redis still down
    expect(sent).toEqual([]);
    down = false;
    await jest.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual(['open 8000']);
    await jest.advanceTimersByTimeAsync(5000); // taken: not sent again
    expect(sent).toEqual(['open 8000']);
    breaker.close();
  });

  it.each([
    ['the open time is over', 2500, false],
    ['the breaker is closed', 60_000, true],
  ])('stops re-sending once %s', async (_when, resetTimeoutMs, closeIt) => {
    jest.useFakeTimers({ now: 1_000_000 });
    const evalsha = jest.fn(() => Promise.reject(new Error('ECONNRESET')));
    const redis = { status: 'ready', evalsha, eval: jest.fn() } as unknown as RedisClient;
    const breaker = createCircuitBreaker({
      name: 'stops',
      failureThreshold: 1,
      resetTimeoutMs,
      store: { redis, logger: createMemoryLogger().logger, probeIntervalMs: 1000 },
    });
    // The admission fails; the open right after is skipped (Redis just failed), then tried again
    // once a second.
    await breaker.execute(fail).catch(() => {});
    await jest.advanceTimersByTimeAsync(1000);
    expect(evalsha).toHaveBeenCalledTimes(2);
    if (closeIt) breaker.close();
    await jest.advanceTimersByTimeAsync(60_000);
    // One more try within the 2.5 s; none after close().
    expect(evalsha).toHaveBeenCalledTimes(closeIt ? 2 : 3);
    breaker.close();
  });

  it.each([0, -1, 1.5, NaN, '1000'])('refuses store.probeIntervalMs %p', (probeIntervalMs) => {
    const redis = { status: 'ready', evalsha() {}, eval() {} } as unknown as RedisClient;
    expect(() =>
      createCircuitBreaker({
        name: 'x',
        store: { redis, probeIntervalMs: probeIntervalMs as number },
      }),
    ).toThrow(/"store.probeIntervalMs" must be/);
  });
});
