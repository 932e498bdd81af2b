import { createServer } from 'node:http';
import helmet from 'helmet';
import request from 'supertest';
import type { Harness } from './harness';
import { createMemoryLogger } from './memory-logger';

const quiet = () => ({ logger: createMemoryLogger().logger });

/** Security headers: helmet in both frameworks (`securityHeaders()` and `guard({ helmet })`). */
export function describeSecurityHeaders(h: Harness): void {
  describe(`security headers (${h.name})`, () => {
    const app = (middleware: unknown) =>
      h.mount({
        use: [middleware],
        errorHandler: quiet(),
        routes: [
          { method: 'get', path: '/', handler: () => ({ ok: true }) },
          {
            method: 'get',
            path: '/fail',
            handler: () => {
              throw new Error('boom');
            },
          },
        ],
      });

    it("sets helmet's default headers", async () => {
      const res = await request(app(h.kit.securityHeaders())).get('/');
      expect(res.status).toBe(200);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('sets them on error responses too', async () => {
      const res = await request(app(h.kit.securityHeaders())).get('/fail');
      expect(res.status).toBe(500);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it("passes helmet's own options through", async () => {
      const res = await request(
        app(
          h.kit.securityHeaders({
            contentSecurityPolicy: false,
            xFrameOptions: { action: 'deny' },
          }),
        ),
      ).get('/');
      expect(res.headers['content-security-policy']).toBeUndefined();
      expect(res.headers['x-frame-options']).toBe('DENY');
    });

    it('is the first section of guard(), and off with helmet: false', async () => {
      const on = h.kit.guard({ loadShedding: false, rateLimit: false });
      // (load shedding is off so a busy test machine cannot turn these into 503s)
      const off = h.kit.guard({ helmet: false, loadShedding: false, rateLimit: false });
      try {
        expect((await request(app(on)).get('/')).headers['x-content-type-options']).toBe('nosniff');
        expect(
          (await request(app(off)).get('/')).headers['x-content-type-options'],
        ).toBeUndefined();
      } finally {
        on.close();
        off.close();
      }
    });

    /** The headers helmet itself sets with `options` on a bare node:http response. */
    const helmetsOwn = async (options: Parameters<typeof helmet>[0]) => {
      const apply = helmet(options);
      const server = createServer((req, res) => {
        res.setHeader('X-Powered-By', 'Express');
        apply(req, res, () => res.end());
      });
      const res = await request(server).get('/');
      return res.headers;
    };
    const helmetHeaders = (headers: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(headers).filter(
          ([name]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(name),
        ),
      );

    type HelmetOptions = Parameters<typeof helmet>[0];
    it.each<[string, HelmetOptions]>([
      ['the defaults', undefined],
      [
        'custom options',
        {
          contentSecurityPolicy: { directives: { 'script-src': ["'self'", 'cdn.example'] } },
          strictTransportSecurity: { maxAge: 600, preload: true },
          referrerPolicy: { policy: ['origin', 'unsafe-url'] },
          xFrameOptions: false,
        },
      ],
    ])('sets exactly the headers helmet itself sets, with %s', async (_label, options) => {
      const expected = helmetHeaders(await helmetsOwn(options));
      const res = await request(app(h.kit.securityHeaders(options))).get('/');
      const own = Object.keys(expected);
      expect(own.length).toBeGreaterThan(5);
      for (const name of own) expect([name, res.headers[name]]).toEqual([name, expected[name]]);
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it.each([
      ['an array', (nonce: () => string) => ["'self'", nonce]],
      ['a Set', (nonce: () => string) => new Set(["'self'", nonce])],
    ])(
      'runs helmet per request when a directive holds a function in %s (a CSP nonce)',
      async (_label, directive) => {
        let served = 0;
        const middleware = h.kit.securityHeaders({
          contentSecurityPolicy: {
            directives: { 'script-src': directive(() => `'nonce-n${(served += 1)}'`) },
          },
        });
        const server = app(middleware);
        const first = await request(server).get('/');
        const second = await request(server).get('/');
        expect(first.headers['content-security-policy']).toContain("'nonce-n1'");
        expect(second.headers['content-security-policy']).toContain("'nonce-n2'");
        expect(second.headers['x-content-type-options']).toBe('nosniff');
      },
    );

    it('answers 500 through the error handler when a per-request directive fails', async () => {
      const middleware = h.kit.securityHeaders({
        contentSecurityPolicy: { directives: { 'script-src': ["'self'", () => 'bad;value'] } },
      });
      const res = await request(app(middleware)).get('/');
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(res.body)).not.toContain('bad;value');
    });

    it('refuses helmet options helmet itself refuses, at construction', () => {
      expect(() =>
        h.kit.securityHeaders({ contentSecurityPolicy: { directives: { 'default-src': 'self' } } }),
      ).toThrow();
    });
  });
}
