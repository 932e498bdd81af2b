import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import request from 'supertest';
import type { LoadMeasurement } from '@guard-suite/core';
import type { Harness, SpecApp } from './harness';
import { listen, until } from './http-helpers';
import { createMemoryLogger } from './memory-logger';

const quiet = () => ({ logger: createMemoryLogger().logger });

/** Figures the test steers: each sample() of the shedder reads them as one 100 ms interval. */
function steeredProbe() {
  const figures = {
    eventLoopDelayMs: 0,
    eventLoopUtilization: 0.2,
    heapUsedBytes: 1000,
    rssBytes: 1000,
    intervalMs: 100,
  };
  return {
    probe: (): LoadMeasurement => ({ ...figures }),
    set: (over: Partial<typeof figures>) => Object.assign(figures, over),
  };
}

/** The class a request asks for in the test's own `x-class` header (see SpecApp.classify). */
const classOf = (req: IncomingMessage) => {
  const value = req.headers['x-class'];
  return typeof value === 'string' ? value : undefined;
};

/** The name of the server's request listener: `shedBeforeDispatch` once guard() took over. */
const listenerName = (server: Server) =>
  (server.listeners('request')[0] as { name?: string } | undefined)?.name;

/** The headers every refusal must carry, whichever path made it (helmet's, problem+json's). */
const REFUSAL_HEADERS = [
  'content-security-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
  'cross-origin-opener-policy',
  'referrer-policy',
  'content-type',
  'cache-control',
  'retry-after',
  'content-length',
];

/** Load shedding (`loadShedding()` and `guard({ loadShedding })`). */
export function describeLoadShedding(h: Harness): void {
  describe(`load shedding (${h.name})`, () => {
    const opened: { close(): void }[] = [];
    afterEach(() => {
      for (const middleware of opened.splice(0)) middleware.close();
    });
    const shedding = (options: unknown) => {
      const middleware = h.kit.loadShedding(options);
      opened.push(middleware);
      return middleware;
    };
    const app = (middleware: unknown) =>
      h.mount({
        use: [middleware],
        errorHandler: quiet(),
        routes: [
          { method: 'get', path: '/', handler: () => ({ ok: true }) },
          { method: 'get', path: '/health', handler: () => ({ healthy: true }) },
        ],
      });

    it('sheds with 503 "Server is overloaded" and Retry-After while over a threshold', async () => {
      // Any real heap is over one byte: the process is "overloaded" from the first sample.
      const middleware = shedding({ maxHeapUsedBytes: 1, retryAfterSeconds: 7 });
      const res = await request(app(middleware)).get('/');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('7');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ detail: 'Server is overloaded' });
    });

    it('exempts what skip() selects (a health check)', async () => {
      const middleware = shedding({
        maxRssBytes: 1,
        skip: (r: { url?: string; path?: string }) => (r.path ?? r.url) === '/health',
      });
      const server = app(middleware);
      expect((await request(server).get('/health')).status).toBe(200);
      expect((await request(server).get('/')).status).toBe(503);
    });

    it('lets requests through under the thresholds and exposes the current figures', async () => {
      const middleware = shedding({});
      expect((await request(app(middleware)).get('/')).status).toBe(200);
      const figures = middleware.figures as Record<string, unknown>;
      expect(figures).toMatchObject({ overloaded: false });
      expect(figures.heapUsedBytes).toBeGreaterThan(0);
      expect(figures.rssBytes).toBeGreaterThan(0);
      expect(typeof figures.eventLoopDelayMs).toBe('number');
      expect(typeof figures.eventLoopUtilization).toBe('number');
    });

    it('under a lasting high delay refuses sheddable requests before critical ones', async () => {
      const steer = steeredProbe();
      const middleware = shedding({ probe: steer.probe, sampleIntervalMs: 60_000 });
      const { shedder } = middleware as unknown as {
        shedder: {
          sample(): void;
          figures: { shedProbabilities: { sheddable: number; critical: number } };
        };
      };
      const { port, close } = await listen(
        h.mount({
          classify: classOf,
          use: [middleware],
          errorHandler: quiet(),
          routes: [{ method: 'get', path: '/', handler: () => ({ ok: true }) }],
        }),
      );
      const base = `http://127.0.0.1:${port}`;
      const send = async (criticality: string, count: number) => {
        const statuses: number[] = [];
        for (let i = 0; i < count; i++)
          statuses.push((await request(base).get('/').set('x-class', criticality)).status);
        return statuses;
      };
      try {
        // Quiet intervals with both classes: the shedder learns the traffic is half and half.
        for (let round = 0; round < 5; round++) {
          expect(await send('sheddable', 3)).toEqual([200, 200, 200]);
          expect(await send('critical', 3)).toEqual([200, 200, 200]);
          shedder.sample();
        }
        // Overload: a busy loop 400 ms late. The share rises over a few samples; the update in which
        // sheddable first reaches all of its requests leaves critical untouched.
        steer.set({ eventLoopDelayMs: 400, eventLoopUtilization: 1 });
        for (let i = 0; i < 20 && shedder.figures.shedProbabilities.sheddable < 1; i++)
          shedder.sample();
        expect(shedder.figures.shedProbabilities).toMatchObject({
          sheddable: 1,
          critical: 0,
          critical_plus: 0,
        });
        expect(await send('sheddable', 5)).toEqual(Array(5).fill(503));
        expect(await send('critical', 5)).toEqual(Array(5).fill(200));
        expect(await send('critical_plus', 3)).toEqual(Array(3).fill(200));
      } finally {
        await close();
      }
    });

    it('refuses nothing while a saturated loop keeps its delay on target', async () => {
      const steer = steeredProbe();
      const middleware = shedding({ probe: steer.probe, sampleIntervalMs: 60_000 });
      const { shedder } = middleware as unknown as { shedder: { sample(): void } };
      // Saturated (utilization 1) with the delay at its 50 ms target, for 5 s of samples.
      steer.set({ eventLoopDelayMs: 50, eventLoopUtilization: 1 });
      for (let i = 0; i < 50; i++) shedder.sample();
      const server = h.mount({
        classify: classOf,
        use: [middleware],
        errorHandler: quiet(),
        routes: [{ method: 'get', path: '/', handler: () => ({ ok: true }) }],
      });
      for (const criticality of ['sheddable', 'sheddable_plus', 'critical'])
        expect((await request(server).get('/').set('x-class', criticality)).status).toBe(200);
      expect(middleware.figures).toMatchObject({ overloaded: false, shedProbability: 0 });
    });

    it('logs refusals in aggregate: N refusals give the first five lines and one line counting N', async () => {
      const { logger, entries } = createMemoryLogger();
      let handler: { close(): void } | undefined;
      const middleware = shedding({ maxHeapUsedBytes: 1 });
      const { port, close } = await listen(
        h.mount({
          use: [middleware],
          errorHandler: { logger },
          onErrorHandler: (mounted) => (handler = mounted),
          routes: [{ method: 'get', path: '/', handler: () => ({ ok: true }) }],
        }),
      );
      try {
        const errorIds: string[] = [];
        for (let i = 0; i < 25; i++) {
          const res = await request(`http://127.0.0.1:${port}`).get('/');
          expect(res.status).toBe(503);
          errorIds.push((res.body as { errorId: string }).errorId);
        }
        expect(new Set(errorIds).size).toBe(25);
        handler?.close();
        await until(() => entries.some((entry) => entry.count !== undefined));
        const refusalLines = entries.filter((entry) => entry.code === 'ERR_GUARD_OVERLOADED');
        expect(refusalLines).toHaveLength(6);
        const individual = refusalLines.filter((entry) => entry.count === undefined);
        expect(individual.map((entry) => entry.errorId)).toEqual(errorIds.slice(0, 5));
        expect(refusalLines.at(-1)).toMatchObject({
          policy: 'load_shedding',
          name: 'default',
          reason: 'overloaded',
          status: 503,
          retryAfterSeconds: 10,
          count: 25,
          loggedIndividually: 5,
        });
      } finally {
        await close();
      }
    });

    it.each([
      ['maxEventLoopDelayMs: 0', { maxEventLoopDelayMs: 0 }],
      ['maxEventLoopDelayMs: NaN', { maxEventLoopDelayMs: NaN }],
      ['targetEventLoopDelayMs: -1', { targetEventLoopDelayMs: -1 }],
      [
        'targetEventLoopDelayMs over maxEventLoopDelayMs',
        { targetEventLoopDelayMs: 300, maxEventLoopDelayMs: 200 },
      ],
      ['probe: {}', { probe: {} }],
      ['maxEventLoopUtilization: 1.5', { maxEventLoopUtilization: 1.5 }],
      ['maxEventLoopUtilization: 0', { maxEventLoopUtilization: 0 }],
      ['maxHeapUsedBytes: -1', { maxHeapUsedBytes: -1 }],
      ['maxRssBytes: Infinity', { maxRssBytes: Infinity }],
      ['sampleIntervalMs: -0', { sampleIntervalMs: -0 }],
      ['retryAfterSeconds: "10"', { retryAfterSeconds: '10' }],
      ['skip: true', { skip: true }],
      ['an unknown key', { maxEventLoopDelay: 5 }],
      ['null', null],
    ])('refuses %s at construction', (_name, options) => {
      expect(() => h.kit.loadShedding(options)).toThrow(
        expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
      );
    });
  });

  describe(`refusals under guard() (${h.name})`, () => {
    const opened: { close(): void }[] = [];
    afterEach(() => {
      for (const middleware of opened.splice(0)) middleware.close();
    });
    /** guard() shedding every request (a heap limit of one byte), rate limit off. */
    const shedAll = (extra: Record<string, unknown> = {}) => {
      const g = h.kit.guard({
        rateLimit: false,
        loadShedding: { maxHeapUsedBytes: 1, ...extra },
      }) as { close(): void };
      opened.push(g);
      return g;
    };
    /** guard() over its heap limit (a steered probe) until `recover()` brings the process back. */
    const steeredGuard = (extra: Record<string, unknown> = {}) => {
      const steer = steeredProbe();
      steer.set({ heapUsedBytes: 10_000 });
      const g = h.kit.guard({
        rateLimit: false,
        loadShedding: { probe: steer.probe, maxHeapUsedBytes: 5000, sampleIntervalMs: 60_000 },
        ...extra,
      }) as { close(): void; shedder: { sample(): void } };
      opened.push(g);
      const recover = () => {
        steer.set({ heapUsedBytes: 10 });
        g.shedder.sample();
      };
      return { g, recover };
    };
    /** Listens on `server`, runs `body` against its base URL, and closes it whatever happens. */
    const serving = async (server: Server, body: (base: string) => Promise<void>) => {
      const { port, close } = await listen(server);
      try {
        await body(`http://127.0.0.1:${port}`);
      } finally {
        await close();
      }
    };
    const mount = (use: unknown[], more: Partial<SpecApp> = {}) =>
      h.mount({
        use,
        errorHandler: quiet(),
        routes: [{ method: 'get', path: '/', handler: () => ({ ok: true }) }],
        ...more,
      });

    it('answers every refusal alike, before dispatch or not: security headers, problem+json, Retry-After, reason', async () => {
      const server = mount([shedAll()]);
      await serving(server, async (base) => {
        const responses = [];
        for (let i = 0; i < 4; i++) responses.push(await request(base).get('/'));
        // The first refusal went through the framework and errorHandler(); the server's listener
        // now refuses before dispatch.
        expect(listenerName(server)).toBe('shedBeforeDispatch');
        for (const res of responses) {
          expect(res.status).toBe(503);
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.headers['retry-after']).toBe('10');
          expect(res.headers['x-content-type-options']).toBe('nosniff');
          expect(res.headers['x-powered-by']).toBeUndefined();
          for (const name of REFUSAL_HEADERS) expect(res.headers[name]).toBeDefined();
          expect(res.body).toEqual({
            type: 'about:blank',
            title: 'Service Unavailable',
            status: 503,
            detail: 'Server is overloaded',
            errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
            reason: 'overloaded',
            code: 'ERR_GUARD_OVERLOADED',
          });
        }
        const [first, ...later] = responses;
        const headerNames = (res: { headers: Record<string, unknown> }) =>
          Object.keys(res.headers)
            .filter((name) => name !== 'date')
            .sort();
        for (const res of later) {
          expect(headerNames(res)).toEqual(headerNames(first as never));
          expect(res.headers['content-security-policy']).toBe(
            first?.headers['content-security-policy'],
          );
        }
        expect(
          new Set(responses.map((res) => (res.body as { errorId: string }).errorId)).size,
        ).toBe(4);
      });
    });

    it('counts refusals made before dispatch in the same aggregated log line', async () => {
      const { logger, entries } = createMemoryLogger();
      let handler: { close(): void } | undefined;
      const server = mount([shedAll()], {
        errorHandler: { logger },
        onErrorHandler: (mounted) => (handler = mounted),
      });
      await serving(server, async (base) => {
        for (let i = 0; i < 30; i++) expect((await request(base).get('/')).status).toBe(503);
        expect(listenerName(server)).toBe('shedBeforeDispatch');
        handler?.close();
        await until(() => entries.some((entry) => entry.count !== undefined));
        const refusalLines = entries.filter((entry) => entry.code === 'ERR_GUARD_OVERLOADED');
        expect(refusalLines.length).toBeLessThanOrEqual(6);
        expect(refusalLines.at(-1)).toMatchObject({ policy: 'load_shedding', count: 30 });
      });
    });

    it('serves again through the same listener once the load is gone, and close() gives the server its listener back', async () => {
      const { g, recover } = steeredGuard();
      const server = mount([g]);
      await serving(server, async (base) => {
        for (let i = 0; i < 3; i++) expect((await request(base).get('/')).status).toBe(503);
        expect(listenerName(server)).toBe('shedBeforeDispatch');
        recover();
        expect((await request(base).get('/')).status).toBe(200);
        g.close();
        expect(server.listeners('request')).toHaveLength(1);
        expect(listenerName(server)).not.toBe('shedBeforeDispatch');
      });
    });

    it("refuses before dispatch with a criticality callback too: it sees the framework's request, once per request, and the refusal carries its class", async () => {
      const seen: string[] = [];
      const { g, recover } = steeredGuard({
        // `path` is Express's request getter and Koa's context getter: absent on Node's request.
        criticality: (r: { path?: string }) => {
          seen.push(String(r.path));
          return r.path === '/batch' ? 'sheddable' : undefined;
        },
      });
      const server = h.mount({
        use: [g],
        errorHandler: quiet(),
        routes: [
          { method: 'get', path: '/batch', handler: (io) => ({ class: io.guard?.criticality }) },
        ],
      });
      const records: { criticality?: string }[] = [];
      const record = (message: unknown) => records.push(message as { criticality?: string });
      diagnosticsChannel.subscribe('guard:reject', record);
      try {
        await serving(server, async (base) => {
          for (let i = 0; i < 3; i++) expect((await request(base).get('/batch')).status).toBe(503);
          expect(listenerName(server)).toBe('shedBeforeDispatch');
          expect(records.map((r) => r.criticality)).toEqual(Array(3).fill('sheddable'));
          recover();
          // Admitted: the class found before dispatch is the one the handler sees.
          const served = await request(base).get('/batch');
          expect(served.status).toBe(200);
          expect(served.body).toEqual({ class: 'sheddable' });
          expect(seen).toEqual(Array(4).fill('/batch'));
        });
      } finally {
        diagnosticsChannel.unsubscribe('guard:reject', record);
      }
    });

    it('answers 500 through errorHandler() when the criticality callback throws before dispatch, and keeps serving', async () => {
      const g = h.kit.guard({
        rateLimit: false,
        loadShedding: { maxHeapUsedBytes: 1 },
        criticality: (r: { path?: string }) => {
          if (r.path === '/boom') throw new Error('classifier bug');
          return undefined;
        },
      }) as { close(): void };
      opened.push(g);
      const server = mount([g]);
      await serving(server, async (base) => {
        for (let i = 0; i < 2; i++) expect((await request(base).get('/')).status).toBe(503);
        expect(listenerName(server)).toBe('shedBeforeDispatch');
        const failed = await request(base).get('/boom');
        expect(failed.status).toBe(500);
        expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(JSON.stringify(failed.body)).not.toContain('classifier bug');
        expect((await request(base).get('/')).status).toBe(503);
      });
    });

    it.each([
      [
        'guard() is not the first middleware',
        (g: unknown) => ({ use: [h.kit.securityHeaders(), g] }),
      ],
      [
        'the app has no errorHandler()',
        (g: unknown) => ({ use: [g], errorHandler: false as const }),
      ],
      ['loadShedding has a skip()', () => ({ use: [shedAll({ skip: () => false })] })],
      [
        'the server has a second request listener',
        (g: unknown) => ({ use: [g], secondListener: true }),
      ],
    ])('keeps refusing inside the framework when %s', async (_name, setup) => {
      const spec: { use: unknown[]; secondListener?: boolean } & Partial<SpecApp> =
        setup(shedAll());
      const server = mount(spec.use, spec);
      if (spec.secondListener) server.on('request', () => undefined);
      await serving(server, async (base) => {
        for (let i = 0; i < 4; i++) expect((await request(base).get('/')).status).toBe(503);
        expect(listenerName(server)).not.toBe('shedBeforeDispatch');
      });
    });
  });
}
