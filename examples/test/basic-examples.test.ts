import { join } from 'node:path';
import type { RequestListener } from 'node:http';
import request from 'supertest';
import { createMemoryLogger, startExampleServer } from 'guard-spec';
// @ts-expect-error -- a plain JavaScript example without type declarations
import { createApp as createExpressApp } from '../express-basic/app.mjs';
// @ts-expect-error -- a plain JavaScript example without type declarations
import { createApp as createKoaApp } from '../koa-basic/app.mjs';

type Listen = (options: { logger: unknown; loadShedding?: object }) => RequestListener;

// The test process is busy (other suites run beside it), and guard() would rightly shed it now and
// then; shedding has its own spec, so here its thresholds are out of reach.
const NEVER_SHED = { maxEventLoopDelayMs: 60_000, maxEventLoopUtilization: 1 };

/** The two small examples, one table: each builds its app and starts from its server.mjs. */
const examples: { name: string; listener: Listen }[] = [
  { name: 'express-basic', listener: (options) => (createExpressApp as Listen)(options) },
  {
    name: 'koa-basic',
    listener: (options) =>
      (createKoaApp as (o: unknown) => { callback(): RequestListener })(options).callback(),
  },
];

describe.each(examples)('examples/$name', ({ name, listener }) => {
  it('answers a bug with a generic problem+json 500 and logs the detail under its errorId', async () => {
    const { logger, entries } = createMemoryLogger();
    const server = listener({ logger, loadShedding: NEVER_SHED });
    const res = await request(server).get('/fail');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.text).not.toMatch(/hunter2|10\.0\.0\.7|\/srv\//);
    expect(JSON.stringify(entries[0])).toContain('hunter2');
    expect(entries[0]).toMatchObject({ errorId: res.body.errorId });
    expect((await request(server).get('/nowhere')).status).toBe(404);
  });

  it('runs guard() and reports its live figures at /health', async () => {
    const server = listener({ logger: createMemoryLogger().logger, loadShedding: NEVER_SHED });
    const home = await request(server).get('/');
    expect(home.status).toBe(200);
    expect(home.headers['x-content-type-options']).toBe('nosniff');
    expect(home.headers['ratelimit-policy']).toBe('"default";q=120;w=60');
    const health = await request(server).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      loadShedding: { overloaded: false },
      concurrency: { limit: 20, active: expect.any(Number), queued: 0 },
      rateLimit: { mode: 'memory' },
    });
  });

  it('starts from its built packages and prints its URL', async () => {
    const server = await startExampleServer(join(__dirname, '..', name, 'server.mjs'));
    try {
      expect((await fetch(server.url)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
