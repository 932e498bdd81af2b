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

    it('refuses helmet options helmet itself refuses, at construction', () => {
      expect(() =>
        h.kit.securityHeaders({ contentSecurityPolicy: { directives: { 'default-src': 'self' } } }),
      ).toThrow();
    });
  });
}
