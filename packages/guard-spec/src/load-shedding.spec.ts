import request from 'supertest';
import type { Harness } from './harness';
import { createMemoryLogger } from './memory-logger';

const quiet = () => ({ logger: createMemoryLogger().logger });

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

    it.each([
      ['maxEventLoopDelayMs: 0', { maxEventLoopDelayMs: 0 }],
      ['maxEventLoopDelayMs: NaN', { maxEventLoopDelayMs: NaN }],
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
}
