import { Agent } from 'node:http';
import request from 'supertest';
import type { Harness } from './harness';
import { deferred, listen, rawRequest, sleep, startRequest, until } from './http-helpers';
import { abortStorm } from './abort-storm';
import { createMemoryLogger } from './memory-logger';

const quiet = () => ({ logger: createMemoryLogger().logger });

interface Counts {
  readonly active: number;
  readonly queued: number;
}
const idle = (limit: Counts) => limit.active === 0 && limit.queued === 0;

/** The concurrency limit (`concurrencyLimit()` and `guard({ concurrency })`): slots, queue, release. */
export function describeConcurrencyLimit(h: Harness): void {
  describe(`concurrency limit (${h.name})`, () => {
    /** An app whose /hold route waits for `gate`; /throw fails; /hang never answers. */
    function holdingApp(limit: unknown, gate: Promise<void>, entered?: () => void) {
      return h.mount({
        use: [limit],
        errorHandler: quiet(),
        routes: [
          {
            method: 'get',
            path: '/hold',
            handler: async () => {
              entered?.();
              await gate;
              return { done: true };
            },
          },
          { method: 'get', path: '/ok', handler: () => ({ ok: true }) },
          {
            method: 'get',
            path: '/throw',
            handler: () => {
              throw new Error('handler failed');
            },
          },
          { method: 'get', path: '/hang', handler: () => new Promise(() => undefined) },
          {
            method: 'get',
            path: '/destroy',
            handler: (io) => {
              io.raw().destroy();
              return undefined;
            },
          },
        ],
      });
    }

    /**
     * Starts `holdingApp(limit)` and one GET /hold that takes a slot and waits: resolves once the
     * handler is running, with `release()` to let it finish and `holding`, its response.
     */
    async function holdOneSlot(limit: unknown) {
      const gate = deferred();
      const entered = deferred();
      const { port, close } = await listen(holdingApp(limit, gate.promise, entered.resolve));
      const holding = rawRequest(port, { path: '/hold' });
      await entered.promise;
      return { port, close, holding, release: () => gate.resolve() };
    }

    it('answers 503 "Server is busy" with Retry-After when every slot is taken and there is no queue', async () => {
      const limit = h.kit.concurrencyLimit({ max: 1 });
      const { port, close, holding, release } = await holdOneSlot(limit);
      try {
        expect(limit.active).toBe(1);
        const busy = await rawRequest(port, { path: '/ok' });
        expect(busy.status).toBe(503);
        expect(busy.headers['retry-after']).toBe('1');
        expect(busy.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(JSON.parse(busy.body)).toMatchObject({ detail: 'Server is busy' });
        // The refused request held nothing, so it released nothing.
        expect(limit.active).toBe(1);
        release();
        expect((await holding).status).toBe(200);
        await until(() => idle(limit));
      } finally {
        await close();
      }
    });

    it('queues up to maxQueue in FIFO order and serves them as slots free up', async () => {
      const limit = h.kit.concurrencyLimit({ max: 1, maxQueue: 2, queueTimeoutMs: 5000 });
      const { port, close, holding, release } = await holdOneSlot(limit);
      try {
        const a = rawRequest(port, { path: '/ok' });
        const b = rawRequest(port, { path: '/ok' });
        await until(() => limit.queued === 2);
        const overflow = await rawRequest(port, { path: '/ok' });
        expect(overflow.status).toBe(503);
        release();
        expect((await holding).status).toBe(200);
        expect((await a).status).toBe(200);
        expect((await b).status).toBe(200);
        await until(() => idle(limit));
      } finally {
        await close();
      }
    });

    it('answers 503 when the queue wait runs past queueTimeoutMs', async () => {
      const limit = h.kit.concurrencyLimit({ max: 1, maxQueue: 1, queueTimeoutMs: 50 });
      const { port, close, holding, release } = await holdOneSlot(limit);
      try {
        const waited = await rawRequest(port, { path: '/ok' });
        expect(waited.status).toBe(503);
        expect(JSON.parse(waited.body)).toMatchObject({ detail: 'Server is busy' });
        expect(limit.queued).toBe(0);
        release();
        await holding;
        await until(() => idle(limit));
      } finally {
        await close();
      }
    });

    it.each([
      ['a normal finish', '/ok'],
      ['a thrown error', '/throw'],
      ['a destroyed socket', '/destroy'],
    ])('releases the slot exactly once after %s', async (_name, path) => {
      const limit = h.kit.concurrencyLimit({ max: 1 });
      const { port, close } = await listen(holdingApp(limit, Promise.resolve()));
      try {
        for (let i = 0; i < 3; i++) {
          await rawRequest(port, { path });
          await until(() => idle(limit));
        }
        expect((await rawRequest(port, { path: '/ok' })).status).toBe(200);
      } finally {
        await close();
      }
    });

    it('releases the slot when the client aborts, and frees a queued place when a queued client leaves', async () => {
      const limit = h.kit.concurrencyLimit({ max: 1, maxQueue: 1, queueTimeoutMs: 5000 });
      const entered = deferred();
      const { port, close } = await listen(
        holdingApp(limit, new Promise(() => undefined), entered.resolve),
      );
      try {
        const holder = startRequest(port, '/hold');
        await entered.promise;
        const waiter = startRequest(port, '/ok');
        await until(() => limit.queued === 1);
        waiter.destroy();
        await until(() => limit.queued === 0);
        expect(limit.active).toBe(1);
        holder.destroy();
        await until(() => idle(limit));
      } finally {
        await close();
      }
    });

    it('frees the slot of a handler that never ends its response when the timeout fires', async () => {
      const g = h.kit.guard({
        concurrency: { max: 1 },
        timeout: { ms: 30 },
        loadShedding: false,
        rateLimit: false,
      });
      const { port, close } = await listen(holdingApp(g, Promise.resolve()));
      try {
        const res = await rawRequest(port, { path: '/hang' });
        expect(res.status).toBe(503);
        expect(JSON.parse(res.body)).toMatchObject({ detail: 'Operation timed out' });
        await until(() => idle(g));
        expect((await rawRequest(port, { path: '/ok' })).status).toBe(200);
      } finally {
        g.close();
        await close();
      }
    });

    it('ends 10,000 requests with random aborts and timeouts at active === 0 && queued === 0', async () => {
      const g = h.kit.guard({
        concurrency: { max: 16, maxQueue: 16, queueTimeoutMs: 200 },
        timeout: { ms: 10 },
        loadShedding: false,
        rateLimit: false,
        helmet: false,
      });
      const server = h.mount({
        use: [g],
        errorHandler: quiet(),
        routes: [
          {
            method: 'get',
            path: '/work',
            handler: async (io) => {
              const ms = Number(new URL(io.req.url ?? '', 'http://x').searchParams.get('ms'));
              if (ms > 0) await sleep(ms);
              if (ms === 3) throw new Error('random failure');
              return { ok: true };
            },
          },
        ],
      });
      const { port, close } = await listen(server);
      const agent = new Agent({ keepAlive: true, maxSockets: 64 });
      try {
        const statuses = await abortStorm({
          port,
          agent,
          requests: 10_000,
          clients: 40,
          seed: 42,
          // 0 ms answers at once, 3 ms fails, 25 ms runs past the 10 ms timeout.
          plan: (random) => ({
            ms: [0, 0, 0, 1, 3, 25][Math.floor(random() * 6)] ?? 0,
            abortAfterMs: random() < 0.2 ? Math.floor(random() * 10) : -1,
          }),
        });
        await until(() => idle(g));
        expect(g.active).toBe(0);
        expect(g.queued).toBe(0);
        const total = [...statuses.values()].reduce((a, b) => a + b, 0);
        expect(total).toBe(10_000);
        // Every kind of ending happened.
        expect(statuses.get('200')).toBeGreaterThan(0);
        expect(statuses.get('500')).toBeGreaterThan(0);
        expect(statuses.get('503')).toBeGreaterThan(0);
        expect(statuses.get('aborted')).toBeGreaterThan(0);
      } finally {
        agent.destroy();
        g.close();
        await close();
      }
    }, 60_000);

    it('exposes live active and queued counts on the middleware', async () => {
      const limit = h.kit.concurrencyLimit({ max: 2 });
      expect(limit.active).toBe(0);
      expect(limit.queued).toBe(0);
      const res = await request(holdingApp(limit, Promise.resolve())).get('/ok');
      expect(res.status).toBe(200);
    });

    it.each([
      ['max: 0', { max: 0 }],
      ['max: -1', { max: -1 }],
      ['max: NaN', { max: NaN }],
      ['max: Infinity', { max: Infinity }],
      ['max: "10"', { max: '10' }],
      ['max: null', { max: null }],
      ['maxQueue: -1', { max: 1, maxQueue: -1 }],
      ['maxQueue: -0', { max: 1, maxQueue: -0 }],
      ['queueTimeoutMs: 0', { max: 1, queueTimeoutMs: 0 }],
      ['queueTimeoutMs: {}', { max: 1, queueTimeoutMs: {} }],
      ['an unknown key', { max: 1, maxQeue: 3 }],
      ['an array', []],
      ['a string', 'ten'],
    ])('refuses %s at construction', (_name, options) => {
      expect(() => h.kit.concurrencyLimit(options)).toThrow(
        expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
      );
    });

    it('says which option is wrong', () => {
      expect(() => h.kit.concurrencyLimit({ max: 1, maxQeue: 3 })).toThrow(
        /unknown option "maxQeue" \(did you mean "maxQueue"\?\)/,
      );
      expect(() => h.kit.concurrencyLimit(h.kit.concurrencyLimit)).toThrow(
        /did you write app.use\(concurrencyLimit\)/,
      );
    });
  });
}
