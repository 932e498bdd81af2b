import express4 from 'express4';
import request from 'supertest';
import { createMemoryLogger } from 'guard-spec';
import * as guard from '../src/index';

// This package's types come from the Express 5 typings installed here; a user on Express 4 resolves
// `express` to their own @types/express@4, so only this test needs to restate the types.
const asyncHandler = guard.asyncHandler as unknown as (
  fn: (...args: unknown[]) => unknown,
) => express4.RequestHandler;
const notFound = guard.notFound as unknown as () => express4.RequestHandler;
const errorHandler = guard.errorHandler as unknown as (o: object) => express4.ErrorRequestHandler;

// Express 4 does not catch async rejections itself; asyncHandler forwards them to errorHandler().
describe('asyncHandler() on Express 4', () => {
  it('turns an async rejection into the secure problem+json response', async () => {
    const memory = createMemoryLogger();
    const app = express4();
    app.get(
      '/orders',
      asyncHandler(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('orders table missing at /srv/db/orders.sql');
      }),
    );
    app.get(
      '/sync',
      asyncHandler(() => {
        throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      }),
    );
    app.use(notFound());
    app.use(errorHandler({ logger: memory.logger }));

    const res = await request(app).get('/orders');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.text).not.toContain('/srv/db');
    expect(memory.entries[0]).toMatchObject({ errorId: res.body.errorId, route: '/orders' });

    expect((await request(app).get('/sync')).status).toBe(404);
    expect((await request(app).get('/elsewhere')).body.detail).toBe('Requested resource not found');
  });

  it('names the fix when mounted without a handler: app.use(asyncHandler) (issue 14 #5)', () => {
    expect(() => asyncHandler(undefined as never)).toThrow(
      expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
    );
    const req = { socket: {}, headers: {}, method: 'GET' };
    expect(() =>
      (guard.asyncHandler as (...args: unknown[]) => unknown)(req, {}, () => {}),
    ).toThrow(/asyncHandler: .*asyncHandler\(async \(req, res\) =>/);
  });
});
