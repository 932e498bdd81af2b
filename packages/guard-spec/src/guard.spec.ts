import request from 'supertest';
import type { Harness } from './harness';
import { deferred, listen, rawRequest, until } from './http-helpers';
import { createMemoryLogger } from './memory-logger';

const quiet = () => ({ logger: createMemoryLogger().logger });

/** `guard()`: one middleware, sections in the contract's order, each `false`-able, live status. */
export function describeGuard(h: Harness): void {
  describe(`guard() (${h.name})`, () => {
    const opened: { close(): void }[] = [];
    afterEach(() => {
      for (const g of opened.splice(0)) g.close();
    });
    const guard = (options?: unknown) => {
      const g = h.kit.guard(options);
      opened.push(g);
      return g;
    };
    function app(g: unknown, hold?: { entered(): void; gate: Promise<void> }) {
      return h.mount({
        use: [g],
        errorHandler: quiet(),
        maxHeaderSize: 64 * 1024,
        routes: [
          { method: 'get', path: '/', handler: (io) => ({ deadline: io.guard?.deadline ?? null }) },
          { method: 'post', path: '/', handler: () => ({ ok: true }) },
          {
            method: 'get',
            path: '/hold',
            handler: async () => {
              hold?.entered();
              await hold?.gate;
              return { held: true };
            },
          },
        ],
      });
    }

    it('runs every section with its defaults when called without options', async () => {
      // Shedding thresholds out of reach: a busy CI machine must not shed this request.
      const g = guard({
        rateLimit: false,
        loadShedding: { maxEventLoopUtilization: 1, maxEventLoopDelayMs: 60_000 },
      });
      const res = await request(app(g)).get('/');
      expect(res.status).toBe(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      // The default 30 s timeout set a finite deadline.
      expect((res.body as { deadline: number }).deadline).toBeGreaterThan(Date.now());
    });

    it('refuses cheap things before taking a concurrency slot (input limits, load shedding), with helmet headers on', async () => {
      const release = deferred();
      const entered = deferred();
      const g = guard({
        rateLimit: false,
        loadShedding: false,
        concurrency: { max: 1 },
        inputLimits: { maxUrlLength: 100, maxBodyBytes: 10 },
      });
      const { port, close } = await listen(
        app(g, { entered: entered.resolve, gate: release.promise }),
      );
      try {
        const holding = rawRequest(port, { path: '/hold' });
        await entered.promise;
        expect(g.active).toBe(1);
        // Slot taken: an ordinary request is busy…
        expect((await rawRequest(port, { path: '/' })).status).toBe(503);
        // …but input limits answer first, without waiting for or taking the slot.
        const longUrl = await rawRequest(port, { path: `/?${'a'.repeat(200)}` });
        expect(longUrl.status).toBe(414);
        expect(longUrl.headers['x-content-type-options']).toBe('nosniff');
        const big = await rawRequest(port, {
          method: 'POST',
          path: '/',
          headers: { 'content-length': '1000' },
        });
        expect(big.status).toBe(413);
        expect(g.active).toBe(1);
        release.resolve();
        await holding;
        await until(() => g.active === 0 && g.queued === 0);
      } finally {
        await close();
      }
    });

    it('sheds load before the input limits and the concurrency limit', async () => {
      const g = guard({
        rateLimit: false,
        loadShedding: { maxHeapUsedBytes: 1 },
        inputLimits: { maxUrlLength: 10 },
      });
      const res = await request(app(g)).get(`/?${'a'.repeat(50)}`);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ detail: 'Server is overloaded' });
      expect(res.headers['retry-after']).toBe('10');
      expect(g.active).toBe(0);
    });

    it('applies the rate limit after load shedding and before the input limits and the slot', async () => {
      const g = guard({
        rateLimit: { limit: 1, windowMs: 60_000 },
        loadShedding: false,
        inputLimits: { maxUrlLength: 20 },
        concurrency: { max: 1 },
      });
      const server = app(g);
      const first = await request(server).get('/');
      expect(first.status).toBe(200);
      expect(first.headers['ratelimit-policy']).toBe('"default";q=1;w=60');
      // Over the limit: 429 although the URL is also too long (rate limit runs first).
      const second = await request(server).get(`/?${'a'.repeat(50)}`);
      expect(second.status).toBe(429);
      expect(second.headers['retry-after']).toBeDefined();
      expect(g.active).toBe(0);
      expect((g.status() as { rateLimit: unknown }).rateLimit).toEqual({ mode: 'memory' });

      const shedFirst = guard({
        rateLimit: { limit: 1, windowMs: 60_000 },
        loadShedding: { maxHeapUsedBytes: 1 },
      });
      const shed = await request(app(shedFirst)).get('/');
      expect(shed.status).toBe(503);
      expect(shed.headers['ratelimit']).toBeUndefined();
    });

    it('turns every section off with false and still gives req.guard (deadline Infinity)', async () => {
      const g = guard({
        helmet: false,
        loadShedding: false,
        rateLimit: false,
        inputLimits: false,
        concurrency: false,
        timeout: false,
      });
      const res = await request(app(g)).get(`/?${'a'.repeat(5000)}`);
      expect(res.status).toBe(200);
      expect(res.headers['x-content-type-options']).toBeUndefined();
      expect(res.body).toEqual({ deadline: null }); // JSON renders Infinity as null
      const status = g.status() as Record<string, unknown>;
      expect(status).toEqual({
        loadShedding: undefined,
        concurrency: undefined,
        rateLimit: undefined,
      });
    });

    it('exposes live figures through status() for a health endpoint', async () => {
      const g = guard({
        rateLimit: false,
        loadShedding: { maxEventLoopUtilization: 1, maxEventLoopDelayMs: 60_000 },
        concurrency: { max: 3 },
      });
      await request(app(g)).get('/');
      const status = g.status() as {
        loadShedding: { overloaded: boolean; heapUsedBytes: number };
        concurrency: { limit: number; active: number; queued: number };
      };
      expect(status.loadShedding.overloaded).toBe(false);
      expect(status.loadShedding.heapUsedBytes).toBeGreaterThan(0);
      expect(status.concurrency).toEqual({ limit: 3, active: 0, queued: 0 });
    });

    it.each([
      ['a number', 5],
      ['a string', 'strict'],
      ['null', null],
      ['an unknown section (did you mean)', { timout: { ms: 5 } }],
      ['helmet: true', { helmet: true }],
      ['concurrency: { max: 0 }', { concurrency: { max: 0 } }],
      ['concurrency: []', { concurrency: [] }],
      ['timeout: { ms: -1 }', { timeout: { ms: -1 } }],
      ['timeout: { ms: NaN }', { timeout: { ms: NaN } }],
      [
        'loadShedding: { maxEventLoopUtilization: 2 }',
        { loadShedding: { maxEventLoopUtilization: 2 } },
      ],
      ['loadShedding: { skip: "health" }', { loadShedding: { skip: 'health' } }],
      ['inputLimits: { maxUrlLength: Infinity }', { inputLimits: { maxUrlLength: Infinity } }],
      ['inputLimits: { maxBodyBytes: -0 }', { inputLimits: { maxBodyBytes: -0 } }],
      ['logger: {}', { logger: {} }],
    ])('refuses %s at construction', (_name, options) => {
      expect(() => h.kit.guard(options)).toThrow(
        expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
      );
    });

    it('names the nested option path and catches app.use(guard)', () => {
      expect(() => h.kit.guard({ timeout: { ms: -1 } })).toThrow(/guard: "timeout.ms" must be/);
      expect(() => h.kit.guard({ rateLimit: { limit: 0 } })).toThrow(
        /guard: "rateLimit.limit" must be/,
      );
      expect(() => h.kit.guard({ rateLimit: { store: { redis: {} } } })).toThrow(
        /guard: "rateLimit.store.redis" must be/,
      );
      expect(() => h.kit.guard({ concurrency: { max: 1, maxQeue: 2 } })).toThrow(
        /"concurrency.maxQeue" \(did you mean "concurrency.maxQueue"|"concurrency.maxQeue".*maxQueue/,
      );
      expect(() => h.kit.guard({ timout: {} })).toThrow(/did you mean "timeout"/);
      expect(() => h.kit.guard(h.kit.guard)).toThrow(/did you write app.use\(guard\)/);
    });
  });
}
