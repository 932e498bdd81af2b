import request from 'supertest';
import type { Harness, SpecHandler } from './harness';
import { createMemoryLogger } from './memory-logger';

/** The secure error handler, as the client and the log see it, on one framework. */
export function describeErrorHandler(harness: Harness): void {
  describe(`errorHandler() on ${harness.name}`, () => {
    function appThrowing(handler: SpecHandler, errorHandler: Record<string, unknown> = {}) {
      const memory = createMemoryLogger();
      const server = harness.mount({
        routes: [{ method: 'get', path: '/boom', handler }],
        errorHandler: { logger: memory.logger, ...errorHandler },
      });
      return { server, entries: memory.entries };
    }

    it('answers an unexpected error with a generic problem+json 500 and logs it under the same errorId', async () => {
      const { server, entries } = appThrowing(() => {
        throw new Error('db password=hunter2 at /srv/app/db.js');
      });
      const res = await request(server).get('/boom?token=abc');
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'An unexpected error occurred',
      });
      expect(res.text).not.toMatch(/hunter2|\/srv\/app|at /);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        errorId: res.body.errorId,
        status: 500,
        path: '/boom',
        level: 'error',
      });
    });
  });
}
