import request from 'supertest';
import type { Harness } from './harness';
import { createMemoryLogger } from './memory-logger';

const PROBLEM = /^application\/problem\+json/;
/** A stack frame, as Node prints one. */
const STACK_FRAME = /\n\s+at .+/;

/** The factories an app mounts with `app.use(x())`, each of which works without options. */
const FACTORIES = [
  'guard',
  'securityHeaders',
  'loadShedding',
  'rateLimit',
  'concurrencyLimit',
  'timeout',
  'inputLimits',
  'jsonBody',
] as const;

/** Captures what the default logger (JSON lines on stdout) writes while `run` runs. */
async function stdoutLines(run: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    for (const line of String(chunk).split('\n'))
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

/**
 * Issue 14 #5: a factory mounted without being called, or the error handler mounted where it cannot
 * work, gets a clear coded message naming the fix, at start-up or on the first request, and the
 * client never a stack.
 */
export function describeMisuse(h: Harness): void {
  describe(`misuse (${h.name})`, () => {
    it.each(FACTORIES)(
      'answers app.use(%s) (not called) with a plain 500 and logs how to fix it',
      async (name) => {
        const memory = createMemoryLogger();
        const server = h.mount({
          use: [h.kit[name]],
          errorHandler: { logger: memory.logger },
          routes: [{ method: 'get', path: '/ok', handler: () => ({ ok: true }) }],
        });
        const res = await request(server).get('/ok');
        expect(res.status).toBe(500);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.body).toMatchObject({ detail: 'An unexpected error occurred' });
        expect(res.body).not.toHaveProperty('code');
        expect(res.text).not.toMatch(/at .+:\d+:\d+|_events/);
        expect(memory.entries).toHaveLength(1);
        const error = memory.entries[0]?.error as { message: string; code: string; stack: string };
        expect(error.code).toBe('ERR_GUARD_INVALID_OPTION');
        expect(error.message).toContain(`call it: app.use(${name}())`);
        expect(error.message).not.toContain('_events');
        // The message is the whole story: no stack frames into the framework.
        expect(error.stack).not.toMatch(STACK_FRAME);
      },
    );

    it('handles errors safely when errorHandler itself is mounted without being called, and says so once', async () => {
      const lines = await stdoutLines(async () => {
        const server = h.mount({
          errorHandler: false,
          errorHandlerMiddleware: h.kit.errorHandler,
          routes: [
            {
              method: 'get',
              path: '/boom',
              handler: () => {
                throw new Error('db password hunter2 at /srv/app/db.js');
              },
            },
          ],
        });
        for (let i = 0; i < 2; i += 1) {
          const res = await request(server).get('/boom');
          expect(res.status).toBe(500);
          expect(res.headers['content-type']).toMatch(PROBLEM);
          expect(res.text).not.toMatch(/hunter2|\/srv\/app|at .+:\d+:\d+/);
        }
      });
      const warnings = lines.filter((line) => line.code === 'WARN_GUARD_FACTORY_NOT_CALLED');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 'warn' });
      expect(String(warnings[0]?.message)).toContain('call it: app.use(errorHandler())');
      // The errors themselves are logged like any other, under their errorIds.
      expect(lines.filter((line) => line.status === 500)).toHaveLength(2);
    });

    it('says where the error handler belongs when it is mounted before the routes', async () => {
      const memory = createMemoryLogger();
      const server = h.mount({
        use: [h.kit.guard({ logger: memory.logger, loadShedding: false, rateLimit: false })],
        errorHandler: { logger: memory.logger },
        errorHandlerFirst: true,
        routes: [{ method: 'get', path: '/ok', handler: () => ({ ok: true }) }],
      });
      expect((await request(server).get('/ok')).status).toBe(200);
      expect((await request(server).get('/ok')).status).toBe(200);
      const warnings = memory.entries.filter(
        (entry) => entry.code === 'WARN_GUARD_ERROR_HANDLER_MISPLACED',
      );
      if (h.name === 'express') {
        // The Koa habit: in Express, errors raised after it never reach it.
        expect(warnings).toHaveLength(1);
        expect(String(warnings[0]?.message)).toContain(
          'mount errorHandler() after your routes in Express',
        );
      } else {
        // Koa's error handler belongs first.
        expect(warnings).toHaveLength(0);
      }
    });

    it('says nothing when the error handler is where it belongs', async () => {
      const memory = createMemoryLogger();
      const server = h.mount({
        use: [h.kit.guard({ logger: memory.logger, loadShedding: false, rateLimit: false })],
        errorHandler: { logger: memory.logger },
        routes: [{ method: 'get', path: '/ok', handler: () => ({ ok: true }) }],
      });
      expect((await request(server).get('/ok')).status).toBe(200);
      expect(memory.entries).toEqual([]);
    });
  });
}
