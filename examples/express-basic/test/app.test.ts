import { join } from 'node:path';
import request from 'supertest';
import { createMemoryLogger, startExampleServer } from 'guard-spec';
// @ts-expect-error -- a plain JavaScript example without type declarations
import { createApp } from '../app.mjs';

describe('examples/express-basic', () => {
  it('answers a bug with a generic problem+json 500 and logs the detail under its errorId', async () => {
    const { logger, entries } = createMemoryLogger();
    const app = createApp({ logger });
    const server = app;
    const res = await request(server).get('/fail');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.text).not.toMatch(/hunter2|10\.0\.0\.7|\/srv\//);
    expect(JSON.stringify(entries[0])).toContain('hunter2');
    expect(entries[0]).toMatchObject({ errorId: res.body.errorId });
    expect((await request(server).get('/nowhere')).status).toBe(404);
  });

  it('starts from its built packages and prints its URL', async () => {
    const server = await startExampleServer(join(__dirname, '..', 'server.mjs'));
    try {
      expect((await fetch(server.url)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
