import express4 from 'express4';
import request from 'supertest';
import { createServer } from 'node:http';
import { createMemoryLogger, listen } from 'guard-spec';
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
