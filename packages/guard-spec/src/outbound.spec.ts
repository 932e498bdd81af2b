import { join } from 'node:path';
import request from 'supertest';
import type { Redis } from 'ioredis';
import type { Harness, SpecRoute } from './harness';
import { until } from './http-helpers';
import { createMemoryLogger } from './memory-logger';
import { createTestRedis, deleteKeys, uniquePrefix } from './redis-connection';
import { describeWithRedis } from './redis';

const PROBLEM = /^application\/problem\+json/;
const ISOLATED_TASK = join(__dirname, '..', 'fixtures', 'isolated-task.cjs');

/** A dependency refusing connections, as a down upstream does (the error handler maps it to 503). */
const refused = () =>
  Promise.reject(
    Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2'), {
      code: 'ECONNREFUSED',
    }),
  );

/**
 * Outbound policies seen from the client: a route calls a dependency through
 * `wrap(createRetry(...), breaker, createTimeout(...))` (built from the adapter's own exports), and
 * failures come back as the contract's 503s, with `Retry-After` while the circuit is open.
 */
export function describeOutbound(harness: Harness): void {
  const { kit } = harness;

  describe(`outbound policies on ${harness.name}`, () => {
    function mount(routes: SpecRoute[]) {
      const memory = createMemoryLogger();
      const server = harness.mount({ routes, errorHandler: { logger: memory.logger } });
      return { server, entries: memory.entries };
    }

    function outboundRoute(dependency: () => Promise<unknown>, breakerOptions = {}) {
      const breaker = kit.createCircuitBreaker({
        name: 'upstream',
        failureThreshold: 2,
        resetTimeoutMs: 30_000,
        ...breakerOptions,
      });
      const policy = kit.wrap(
        kit.createRetry({ retries: 1, baseDelayMs: 1, maxDelayMs: 5 }),
        breaker,
        kit.createTimeout(100),
      );
      const calls: number[] = [];
      const route: SpecRoute = {
        method: 'get',
        path: '/upstream',
        handler: (io) =>
          policy.execute(
            async ({ attempt }: { attempt: number }) => {
              calls.push(attempt);
              return { data: await dependency(), attempt };
            },
            { signal: io.guard?.signal },
          ),
      };
      return { route, breaker, calls };
    }

    it('answers 200 when the dependency answers, retrying a transient failure', async () => {
      let failuresLeft = 1;
      const { route, calls } = outboundRoute(() =>
        failuresLeft-- > 0 ? refused() : Promise.resolve('fresh'),
      );
      const res = await request(mount([route]).server).get('/upstream');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: 'fresh', attempt: 2 });
      expect(calls).toEqual([1, 2]);
    });

    it('turns a failing dependency into 503, then opens the circuit: 503 + Retry-After without calling it', async () => {
      const { route, breaker, calls } = outboundRoute(refused);
      const { server, entries } = mount([route]);

      const failed = await request(server).get('/upstream');
      expect(failed.status).toBe(503);
      expect(failed.headers['content-type']).toMatch(PROBLEM);
      expect(failed.body).toMatchObject({
        status: 503,
        detail: 'Service temporarily unavailable',
      });
      expect(failed.text).not.toMatch(/hunter2|10\.0\.0\.7/);
      expect(calls).toEqual([1, 2]);
      expect(breaker.state).toBe('open');

      const open = await request(server).get('/upstream');
      expect(open.status).toBe(503);
      expect(open.headers['content-type']).toMatch(PROBLEM);
      expect(open.body).toMatchObject({ status: 503, detail: 'Service temporarily unavailable' });
      expect(Number(open.headers['retry-after'])).toBeGreaterThanOrEqual(29);
      expect(Number(open.headers['retry-after'])).toBeLessThanOrEqual(30);
      expect(calls).toEqual([1, 2]); // the open circuit never reached the dependency
      expect(entries.at(-1)).toMatchObject({ code: 'ERR_GUARD_CIRCUIT_OPEN', status: 503 });
    });

    it('answers 503 "Operation timed out" for a dependency that hangs, and aborts its signal', async () => {
      const signals: AbortSignal[] = [];
      const breaker = kit.createCircuitBreaker({ name: 'hang', failureThreshold: 5 });
      const policy = kit.wrap(kit.createRetry({ retries: 0 }), breaker, kit.createTimeout(50));
      const { server } = mount([
        {
          method: 'get',
          path: '/slow',
          handler: () =>
            policy.execute(({ signal }: { signal: AbortSignal }) => {
              signals.push(signal);
              return new Promise(() => {});
            }),
        },
      ]);
      const res = await request(server).get('/slow');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 503, detail: 'Operation timed out' });
      expect(res.headers['retry-after']).toBeUndefined();
      expect(signals).toHaveLength(1);
      expect(signals[0]?.aborted).toBe(true);
      expect(breaker.stats().failures).toBe(1);
    });

    it('answers 503 "Server is busy" + Retry-After when the bulkhead is full', async () => {
      const bulkhead = kit.createBulkhead({ max: 1, retryAfterSeconds: 2 });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const { server } = mount([
        {
          method: 'get',
          path: '/narrow',
          handler: () => bulkhead.execute(() => gate.then(() => ({ ok: true }))),
        },
      ]);
      const first = request(server)
        .get('/narrow')
        .then((r) => r);
      // Until the first request holds the one slot (issue 12, item 16: no fixed sleep).
      await until(() => bulkhead.active === 1);
      const second = await request(server).get('/narrow');
      expect(second.status).toBe(503);
      expect(second.body).toMatchObject({ detail: 'Server is busy' });
      expect(second.headers['retry-after']).toBe('2');
      release();
      expect((await first).status).toBe(200);
    });

    describe('isolated pool', () => {
      it.each([
        // Generous: the deadline also covers the next call's wait for the replacement worker.
        { input: 'spin', timeoutMs: 1500, detail: 'Operation timed out' },
        { input: 'allocate', timeoutMs: 10_000, detail: 'Insufficient resources' },
      ])(
        'answers a task that does "$input" with 503 $detail, and the next request still works',
        async ({ input, timeoutMs, detail }) => {
          const pool = kit.createIsolatedPool({
            filename: ISOLATED_TASK,
            maxWorkers: 1,
            timeoutMs,
            maxMemoryMb: 32,
          });
          try {
            const { server } = mount([
              {
                method: 'get',
                path: '/work/:input',
                handler: (io) =>
                  pool.run(io.req.url?.split('/').pop(), { signal: io.guard?.signal }),
              },
            ]);
            const res = await request(server).get(`/work/${input}`);
            expect(res.status).toBe(503);
            expect(res.headers['content-type']).toMatch(PROBLEM);
            expect(res.body).toMatchObject({ status: 503, detail });
            const next = await request(server).get('/work/21');
            expect(next.status).toBe(200);
            expect(next.body).toEqual({ doubled: 42 });
          } finally {
            await pool.close();
          }
        },
      );
    });

    describeWithRedis('breaker state shared through Redis', () => {
      const prefix = uniquePrefix(`outbound-${harness.name}`);
      const clients: Redis[] = [];
      afterAll(async () => {
        if (clients[0]) await deleteKeys(clients[0], prefix);
        await Promise.all(clients.map((c) => c.quit()));
      });

      it('a second app instance answers 503 + Retry-After once the first opened the shared circuit', async () => {
        const instance = () => {
          const redis = createTestRedis();
          clients.push(redis);
          return outboundRoute(refused, { name: 'shared-upstream', store: { redis, prefix } });
        };
        const first = instance();
        const second = instance();
        const a = mount([first.route]).server;
        const b = mount([second.route]).server;
        expect((await request(a).get('/upstream')).status).toBe(503);
        expect(first.breaker.state).toBe('open');
        // The open is published without delaying the failing call: until it has reached Redis.
        await until(
          async () => (await clients[0]?.hget(`${prefix}shared-upstream`, 'openUntil')) != null,
        );
        const res = await request(b).get('/upstream');
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ detail: 'Service temporarily unavailable' });
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(29);
        expect(second.calls).toEqual([]);
      });
    });
  });
}
