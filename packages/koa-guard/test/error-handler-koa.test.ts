import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import Koa from 'koa';
import request from 'supertest';
import { createMemoryLogger } from 'guard-spec';
import { errorHandler, timeout } from '../src/index';

// Koa mechanics the shared table cannot see: its app-level 'error' event and streamed bodies.
describe('koa errorHandler() and the app error event', () => {
  function appStreamingThenFailing() {
    const memory = createMemoryLogger();
    const app = new Koa();
    app.use(errorHandler({ logger: memory.logger }));
    app.use((ctx) => {
      let sent = false;
      ctx.type = 'text/plain';
      ctx.body = new Readable({
        read() {
          if (sent) {
            this.destroy(new Error('stream broke at /srv/app/export.js'));
            return;
          }
          sent = true;
          this.push('first chunk\n');
        },
      });
    });
    const callback = app.callback();
    return {
      app,
      server: createServer((req, res) => void callback(req, res)),
      entries: memory.entries,
    };
  }

  it('logs a stream that fails after the headers once, through the logger, not to stderr', async () => {
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { server, entries } = appStreamingThenFailing();
      const outcome = await request(server)
        .get('/export')
        .then((res) => ({ text: res.text }))
        .catch((error: Error) => ({ error: error.message }));
      expect(JSON.stringify(outcome)).not.toContain('/srv/app');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ status: 500, afterHeadersSent: true, path: '/export' });
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
  });

  it('replaces Koa’s default error printer once, however many requests arrive', async () => {
    const { app, server } = appStreamingThenFailing();
    await Promise.all(
      [1, 2, 3].map(() =>
        request(server)
          .get('/')
          .catch(() => undefined),
      ),
    );
    expect(app.listenerCount('error')).toBe(1);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- comparing references only
    expect(app.listeners('error')).not.toContain(app.onerror);
  });

  it('answers ctx.throw with its exposed message and status', async () => {
    const memory = createMemoryLogger();
    const app = new Koa();
    app.use(errorHandler({ logger: memory.logger }));
    app.use((ctx) => ctx.throw(409, 'Name already taken'));
    const callback = app.callback();
    const res = await request(createServer((req, res) => void callback(req, res))).get('/');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, detail: 'Name already taken' });
  });

  it('sends the 503 of a timed-out request whole, whatever its abandoned handler assigns later', async () => {
    const memory = createMemoryLogger();
    const app = new Koa();
    app.use(errorHandler({ logger: memory.logger }));
    app.use(timeout({ ms: 30 }));
    const late: Readable[] = [];
    app.use(async (ctx) => {
      const signal = (ctx.state as { guard: { signal: AbortSignal } }).guard.signal;
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      // The abandoned handler answers anyway, a microtask after its signal aborted: a large
      // download with its own length, which must neither reach the client nor stay open.
      await Promise.resolve();
      const stream = new Readable({ read() {} });
      late.push(stream);
      ctx.response.status = 200;
      ctx.body = stream;
      ctx.set({ 'Content-Length': '4194304', 'Content-Disposition': 'attachment' });
    });
    const callback = app.callback();
    const res = await request(createServer((req, res) => void callback(req, res))).get('/');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 503, detail: 'Operation timed out' });
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.headers['content-disposition']).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(late.map((stream) => stream.destroyed)).toEqual([true]);
  });
});
