import express4 from 'express4';
import request from 'supertest';
import { createServer } from 'node:http';
import { createMemoryLogger, deferred, listen, until } from 'guard-spec';
import { z } from 'zod';
import * as kit from '../src/index';

// Typed against Express 5 here; an Express 4 user resolves their own @types/express@4.
type Handler = express4.RequestHandler;
const guard = kit.guard as unknown as (o: object) => Handler & { close(): void; active: number };
const jsonBody = kit.jsonBody as unknown as (o?: object) => Handler;
const validate = kit.validate as unknown as (s: object, o?: object) => Handler;
const notFound = kit.notFound as unknown as () => Handler;
const errorHandler = kit.errorHandler as unknown as (o: object) => express4.ErrorRequestHandler;

// guard() and the body helpers on Express 4 (a peer range of the package): the timeout's second
// next(err), a slot freed by it, and validate() replacing Express 4's plain req.query.
describe('guard() on Express 4', () => {
  it('answers a hung handler with 503 at the deadline and frees its slot', async () => {
    const protection = guard({
      rateLimit: false,
      loadShedding: false,
      concurrency: { max: 1 },
      timeout: { ms: 30 },
    });
    const app = express4();
    app.use(protection);
    app.get('/hang', () => undefined);
    app.use(notFound());
    app.use(errorHandler({ logger: createMemoryLogger().logger }));
    try {
      const res = await request(app).get('/hang');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ detail: 'Operation timed out' });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(protection.active).toBe(0);
    } finally {
      protection.close();
    }
  });

  it('logs a handler’s error raised after the 503 through errorHandler(), found in app._router (issue 12 #8)', async () => {
    const protection = guard({ rateLimit: false, loadShedding: false, timeout: { ms: 30 } });
    const memory = createMemoryLogger();
    const fail = deferred();
    const app = express4();
    app.use(protection);
    app.get(
      '/slow',
      kit.asyncHandler(async (req) => {
        const { signal } = req.guard;
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        await fail.promise;
        throw new Error('late failure');
      }) as unknown as Handler,
    );
    app.use(notFound());
    app.use(errorHandler({ logger: memory.logger }));
    try {
      expect((await request(app).get('/slow')).status).toBe(503);
      fail.resolve();
      await until(() => memory.entries.length === 2);
      expect(memory.entries[1]).toMatchObject({
        status: 500,
        afterHeadersSent: true,
        error: { message: 'late failure' },
      });
    } finally {
      protection.close();
    }
  });

  it('names the async handlers Express 4 would not catch, once, on the first request (issue 14 #5)', async () => {
    const memory = createMemoryLogger();
    const protection = guard({ rateLimit: false, loadShedding: false, logger: memory.logger });
    const app = express4();
    app.use(protection);
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the mistake under test
    app.get('/unwrapped', async (_req, res) => {
      await Promise.resolve();
      res.json({ ok: true });
    });
    app.post(
      '/wrapped',
      kit.asyncHandler(async (_req, res) => {
        await Promise.resolve();
        res.json({ ok: true });
      }) as unknown as Handler,
    );
    const router = express4.Router();
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the mistake under test
    router.put('/nested', async (_req, res) => {
      await Promise.resolve();
      res.end();
    });
    app.use('/api', router);
    app.use(notFound());
    app.use(errorHandler({ logger: memory.logger }));
    try {
      expect((await request(app).get('/unwrapped')).status).toBe(200);
      expect((await request(app).get('/unwrapped')).status).toBe(200);
      const warnings = memory.entries.filter(
        (entry) => entry.code === 'WARN_GUARD_ASYNC_HANDLER_UNWRAPPED',
      );
      expect(warnings).toHaveLength(1);
      const message = String(warnings[0]?.message);
      expect(message).toContain('GET /unwrapped');
      expect(message).toContain('PUT /nested');
      expect(message).not.toContain('/wrapped,');
      expect(message).toContain('asyncHandler(async (req, res) =>');
    } finally {
      protection.close();
    }
  });

  it('parses and validates a body and a query', async () => {
    const app = express4();
    app.post(
      '/items',
      jsonBody(),
      validate({ body: z.object({ n: z.number() }), query: z.object({ page: z.coerce.number() }) }),
      (req, res) => res.json({ body: req.body as unknown, query: req.query }),
    );
    app.use(errorHandler({ logger: createMemoryLogger().logger }));
    const ok = await request(app).post('/items?page=2').send({ n: 1 });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ body: { n: 1 }, query: { page: 2 } });
    expect((await request(app).post('/items?page=2').send({ n: 'x' })).status).toBe(400);
  });

  it('refuses shed requests before Express 4 dispatches them, past its own query and init layers', async () => {
    const protection = guard({ rateLimit: false, loadShedding: { maxHeapUsedBytes: 1 } });
    const app = express4();
    app.use(protection);
    app.get('/', (_req, res) => res.json({ ok: true }));
    app.use(notFound());
    app.use(errorHandler({ logger: createMemoryLogger().logger }));
    const server = createServer(app);
    const { port, close } = await listen(server);
    try {
      for (let i = 0; i < 3; i++) {
        const res = await request(`http://127.0.0.1:${port}`).get('/');
        expect(res.status).toBe(503);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.body).toMatchObject({ reason: 'overloaded', detail: 'Server is overloaded' });
      }
      expect((server.listeners('request')[0] as { name?: string }).name).toBe('shedBeforeDispatch');
    } finally {
      protection.close();
      await close();
    }
  });
});
