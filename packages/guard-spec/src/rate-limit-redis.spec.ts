import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { Harness } from './harness';
import { createMemoryLogger } from './memory-logger';
import { REDIS_URL, createTestRedis, deleteKeys, uniquePrefix } from './redis-connection';
import { describeWithRedis } from './redis';
import { createTcpProxy } from './tcp-proxy';
import type { TcpProxy } from './tcp-proxy';

const ok = () => ({ ok: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client through the fault proxy: fails fast instead of queueing, reconnects quickly. */
function proxiedRedis(proxy: TcpProxy): Redis {
  const client = new Redis(proxy.port, '127.0.0.1', {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    retryStrategy: () => 20,
  });
  client.on('error', () => {});
  return client;
}

async function ready(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise((resolve) => client.once('ready', resolve));
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Ends a client for good, leaving no reconnect or connect timer behind. ioredis emits 'end' only when
 * it closes a socket: a client waiting between two reconnects (no socket) would stay 'reconnecting'
 * forever, so wait for its next attempt and end that.
 */
async function endClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  await waitFor(() => client.status !== 'reconnecting' && client.status !== 'close', 'a socket');
  const ended = new Promise((resolve) => client.once('end', resolve));
  client.disconnect();
  await ended;
}

/** Rate limiting on a real Redis: shared limits and real faults (run by describeRateLimit). */
export function describeRateLimitRedis(harness: Harness): void {
  const { kit } = harness;

  describeWithRedis(`rateLimit() with Redis on ${harness.name}`, () => {
    const clients: Redis[] = [];
    const proxies: TcpProxy[] = [];
    const prefixes: string[] = [];
    const target = new URL(REDIS_URL);
    /** A key prefix for one scenario, whose keys afterAll deletes. */
    const prefixFor = (label: string) => {
      const prefix = uniquePrefix(label);
      prefixes.push(prefix);
      return prefix;
    };
    const redis = () => {
      const client = createTestRedis();
      clients.push(client);
      return client;
    };
    const proxy = async () => {
      const created = await createTcpProxy({
        host: target.hostname,
        port: Number(target.port || 6379),
      });
      proxies.push(created);
      return created;
    };
    const app = (middleware: unknown): Server =>
      harness.mount({
        use: [middleware],
        routes: [{ method: 'get', path: '/', handler: ok }],
        errorHandler: { logger: createMemoryLogger().logger },
      });

    afterAll(async () => {
      const cleanup = createTestRedis();
      for (const prefix of prefixes) await deleteKeys(cleanup, prefix);
      await cleanup.quit();
      await Promise.all(clients.map(endClient));
      await Promise.all(proxies.map((p) => p.close()));
    });

    it('shares one limit between two app instances on one Redis', async () => {
      const prefix = prefixFor(`rl-shared-${harness.name}`);
      const first = app(kit.rateLimit({ limit: 4, store: { redis: redis(), prefix } }));
      const second = app(kit.rateLimit({ limit: 4, store: { redis: redis(), prefix } }));
      const seen: number[] = [];
      for (const server of [first, second, first, second, first, second])
        seen.push((await request(server).get('/')).status);
      expect(seen).toEqual([200, 200, 200, 200, 429, 429]);
      const last = await request(second).get('/');
      expect(last.headers.ratelimit).toMatch(/^"default";r=0;t=(59|60)$/);
      expect(last.headers['retry-after']).toMatch(/^(59|60)$/);
    });

    it('keeps apart policies with different names on one Redis', async () => {
      const prefix = prefixFor(`rl-names-${harness.name}`);
      const client = redis();
      const login = app(
        kit.rateLimit({ name: 'login', limit: 1, store: { redis: client, prefix } }),
      );
      const api = app(kit.rateLimit({ name: 'api', limit: 1, store: { redis: client, prefix } }));
      await request(login).get('/').expect(200);
      await request(api).get('/').expect(200);
      await request(login).get('/').expect(429);
    });

    it('answers from the insurance limiter when Redis is unreachable, and warns once', async () => {
      const dead = await proxy();
      dead.kill();
      const client = proxiedRedis(dead);
      clients.push(client);
      const { logger, entries } = createMemoryLogger();
      const middleware = kit.rateLimit({
        limit: 3,
        logger,
        store: { redis: client, prefix: prefixFor('rl-dead') },
      });
      const server = app(middleware);
      const seen: number[] = [];
      for (let i = 0; i < 5; i++) seen.push((await request(server).get('/')).status);
      expect(seen).toEqual([200, 200, 200, 429, 429]);
      expect(middleware.limiter.mode).toBe('insurance');
      const warnings = entries.filter((e) => e.code === 'WARN_GUARD_RATE_LIMIT_STORE_UNAVAILABLE');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 'warn' });
    });

    it('survives Redis stalling and dying under load with no 5xx, then takes the shared limit back', async () => {
      const fault = await proxy();
      const client = proxiedRedis(fault);
      clients.push(client);
      await ready(client);
      const { logger, entries } = createMemoryLogger();
      const middleware = kit.rateLimit({
        limit: 1000,
        logger,
        store: {
          redis: client,
          prefix: prefixFor('rl-fault'),
          // Generous: on a loaded CI machine a healthy Redis must never look stalled.
          timeoutMs: 300,
          probeIntervalMs: 50,
        },
      });
      const server = app(middleware);
      server.listen(0, '127.0.0.1');
      try {
        const load = async (count: number) =>
          (await Promise.all(Array.from({ length: count }, () => request(server).get('/')))).map(
            (r) => r.status,
          );

        expect(new Set(await load(20))).toEqual(new Set([200]));
        expect(middleware.limiter.mode).toBe('redis');

        // Frozen Redis: commands hang past timeoutMs.
        const stalled = load(40);
        fault.stall();
        const afterStall = await stalled;
        expect(afterStall.filter((s) => s >= 500)).toEqual([]);
        expect(new Set(await load(20))).toEqual(new Set([200]));
        expect(middleware.limiter.mode).toBe('insurance');

        // Crashed Redis: connections dropped mid-load, new ones refused.
        const dying = load(40);
        fault.kill();
        expect((await dying).filter((s) => s >= 500)).toEqual([]);
        expect((await load(40)).filter((s) => s >= 500)).toEqual([]);
        expect(middleware.limiter.mode).toBe('insurance');

        fault.restore();
        await ready(client);
        await waitFor(() => {
          void request(server)
            .get('/')
            .then(
              () => undefined,
              () => undefined,
            );
          return middleware.limiter.mode === 'redis';
        }, 'the limiter to return to Redis');
        expect(new Set(await load(10))).toEqual(new Set([200]));
        expect(middleware.limiter.mode).toBe('redis');

        const switches = entries.filter(
          (e) => e.code === 'WARN_GUARD_RATE_LIMIT_STORE_UNAVAILABLE',
        );
        const recoveries = entries.filter(
          (e) => e.code === 'WARN_GUARD_RATE_LIMIT_STORE_RECOVERED',
        );
        // One outage (stall then crash, no recovery between): one warning, one recovery line.
        expect(switches).toHaveLength(1);
        expect(recoveries).toHaveLength(1);
        expect(recoveries[0]).toMatchObject({ level: 'info' });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
}
