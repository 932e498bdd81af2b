import { request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import createHttpError from 'http-errors';
import request from 'supertest';
import {
  AbortedError,
  CircuitOpenError,
  ConcurrencyLimitError,
  GuardConfigError,
  InsufficientStorageError,
  InvalidInputError,
  LoadShedError,
  PayloadTooLargeError,
  RateLimitError,
  ResourceLimitError,
  TimeoutError,
  UnsupportedMediaTypeError,
  UriTooLongError,
} from '@guard-suite/core';
import type * as Core from '@guard-suite/core';
import type { Harness, SpecHandler } from './harness';
import { hostileThrownValues } from './hostile-thrown-values';
import { deferred, listen, startRequest, until } from './http-helpers';
import { createMemoryLogger } from './memory-logger';

const PROBLEM = /^application\/problem\+json/;
const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

/** Builds a thrown value of each awkward kind a handler can produce. */
function systemError(
  code: string,
  message = `${code}: something failed, open '/etc/app/secret.key'`,
) {
  return Object.assign(new Error(message), { code, errno: -2, path: '/etc/app/secret.key' });
}

function hostileGetters(): object {
  const value = {};
  for (const key of ['message', 'stack', 'status', 'code', 'name', 'expose', 'cause'])
    Object.defineProperty(value, key, {
      enumerable: true,
      get() {
        throw new Error(`getter ${key} exploded`);
      },
    });
  return value;
}

function circular(): object {
  const value: Record<string, unknown> = { message: 'circular /srv/app/x.js' };
  value.self = value;
  value.nested = { parent: value };
  return value;
}

/** What the client must see for each kind of thrown value (CONTRACT.md "What the client sees"). */
const thrownValueTable: {
  name: string;
  thrown: () => unknown;
  status: number;
  detail: string;
  headers?: Record<string, string>;
  type?: string;
  /** The body's `code` member; `null` when it must be absent. */
  code?: string | null;
}[] = [
  {
    name: 'a plain Error',
    thrown: () => new Error('boom'),
    status: 500,
    detail: 'An unexpected error occurred',
    code: null,
  },
  {
    name: 'a string',
    thrown: () => 'raw string with /home/app/.env',
    status: 500,
    detail: 'An unexpected error occurred',
  },
  { name: 'a number', thrown: () => 42, status: 500, detail: 'An unexpected error occurred' },
  {
    name: 'undefined',
    thrown: () => undefined,
    status: 500,
    detail: 'An unexpected error occurred',
  },
  { name: 'null', thrown: () => null, status: 500, detail: 'An unexpected error occurred' },
  {
    name: 'a plain object',
    thrown: () => ({ reason: 'nope', password: 'hunter2' }),
    status: 500,
    detail: 'An unexpected error occurred',
  },
  {
    name: 'an object whose getters throw',
    thrown: hostileGetters,
    status: 500,
    detail: 'An unexpected error occurred',
  },
  {
    name: 'a circular object',
    thrown: circular,
    status: 500,
    detail: 'An unexpected error occurred',
  },
  {
    name: 'an SQL error',
    thrown: () =>
      Object.assign(
        new Error('syntax error at or near "DROP" in SELECT * FROM users WHERE name = \'x\''),
        { code: '42601' },
      ),
    status: 500,
    detail: 'An unexpected error occurred',
  },
  {
    name: 'an error whose message holds a stack',
    thrown: () => new Error(new Error('inner').stack),
    status: 500,
    detail: 'An unexpected error occurred',
  },
  {
    name: 'ENOENT',
    thrown: () => systemError('ENOENT'),
    status: 404,
    detail: 'Requested resource not found',
  },
  { name: 'EACCES', thrown: () => systemError('EACCES'), status: 403, detail: 'Access denied' },
  { name: 'EPERM', thrown: () => systemError('EPERM'), status: 403, detail: 'Access denied' },
  {
    name: 'ECONNREFUSED',
    thrown: () => systemError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.7:5432'),
    status: 503,
    detail: 'Service temporarily unavailable',
  },
  {
    name: 'ECONNRESET',
    thrown: () => systemError('ECONNRESET'),
    status: 503,
    detail: 'Service temporarily unavailable',
  },
  {
    name: 'EAI_AGAIN',
    thrown: () => systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN db.internal'),
    status: 503,
    detail: 'Service temporarily unavailable',
  },
  {
    name: 'ETIMEDOUT',
    thrown: () => systemError('ETIMEDOUT'),
    status: 503,
    detail: 'Operation timed out',
  },
  {
    name: 'a body-parser entity.too.large',
    thrown: () =>
      Object.assign(createHttpError(413, 'request entity too large'), { type: 'entity.too.large' }),
    status: 413,
    detail: 'Payload too large',
  },
  {
    name: 'a body-parser parse failure echoing the input',
    thrown: () =>
      Object.assign(
        createHttpError(400, 'Unexpected token s in JSON at position 0: {"password":"hunter2"'),
        { type: 'entity.parse.failed' },
      ),
    status: 400,
    detail: 'Invalid input provided',
  },
  {
    name: 'an exposed http-errors 422',
    thrown: () => createHttpError(422, 'Email is already registered'),
    status: 422,
    detail: 'Email is already registered',
  },
  {
    name: 'a non-exposed 4xx',
    thrown: () =>
      Object.assign(new Error('internal reason /srv/x'), { status: 409, expose: false }),
    status: 409,
    detail: 'Conflict',
  },
  {
    name: 'a 5xx that claims to be exposed',
    thrown: () =>
      Object.assign(new Error('pool exhausted at /srv/db.js'), { status: 502, expose: true }),
    status: 502,
    detail: 'Bad Gateway',
  },
  {
    name: 'an out-of-range status',
    thrown: () => Object.assign(new Error('weird'), { status: 200 }),
    status: 500,
    detail: 'An unexpected error occurred',
  },
  {
    name: 'a configuration error answered late (issue 14 #10: a 500 is a 500)',
    thrown: () => new GuardConfigError('rateLimit: "limit" must be a positive integer', 'limit'),
    status: 500,
    detail: 'An unexpected error occurred',
    code: null,
  },
  {
    name: 'an ECONNREFUSED answered 503 (a failure, not a refusal: no code)',
    thrown: () => systemError('ECONNREFUSED'),
    status: 503,
    detail: 'Service temporarily unavailable',
    code: null,
  },
  {
    name: 'a RateLimitError',
    thrown: () =>
      new RateLimitError(undefined, {
        retryAfterSeconds: 42,
        headers: { RateLimit: '"default";r=0;t=42' },
      }),
    status: 429,
    detail: 'Too many requests',
    headers: { 'retry-after': '42', ratelimit: '"default";r=0;t=42' },
    type: QUOTA_EXCEEDED,
    code: 'ERR_GUARD_RATE_LIMITED',
  },
  {
    name: 'a ConcurrencyLimitError',
    thrown: () => new ConcurrencyLimitError(undefined, { retryAfterSeconds: 1 }),
    status: 503,
    detail: 'Server is busy',
    headers: { 'retry-after': '1' },
  },
  {
    name: 'a TimeoutError',
    thrown: () => new TimeoutError(),
    status: 503,
    detail: 'Operation timed out',
    code: 'ERR_GUARD_TIMEOUT',
  },
  {
    name: 'a LoadShedError',
    thrown: () => new LoadShedError(undefined, { retryAfterSeconds: 10 }),
    status: 503,
    detail: 'Server is overloaded',
    headers: { 'retry-after': '10' },
  },
  {
    name: 'a CircuitOpenError',
    thrown: () => new CircuitOpenError(undefined, { retryAfterSeconds: 29.2 }),
    status: 503,
    detail: 'Service temporarily unavailable',
    headers: { 'retry-after': '30' },
  },
  {
    name: 'a ResourceLimitError',
    thrown: () => new ResourceLimitError(),
    status: 503,
    detail: 'Insufficient resources',
  },
  {
    name: 'a UriTooLongError',
    thrown: () => new UriTooLongError(),
    status: 414,
    detail: 'URI too long',
  },
  {
    name: 'a PayloadTooLargeError',
    thrown: () => new PayloadTooLargeError(),
    status: 413,
    detail: 'Payload too large',
  },
  {
    name: 'an InvalidInputError',
    thrown: () => new InvalidInputError(),
    status: 400,
    detail: 'Invalid input provided',
    code: 'ERR_GUARD_INVALID_INPUT',
  },
  {
    name: 'an UnsupportedMediaTypeError',
    thrown: () => new UnsupportedMediaTypeError(),
    status: 415,
    detail: 'Unsupported media type',
  },
  {
    name: 'an InsufficientStorageError',
    thrown: () => new InsufficientStorageError(),
    status: 507,
    detail: 'Insufficient storage',
  },
];

/** An AbortError as Node's timers and streams make it: name AbortError, code ABORT_ERR, and a cause. */
function abortErrorCausedBy(cause: unknown): Error {
  return Object.assign(new Error('The operation was aborted', { cause }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

/** Strings that must never reach a client body. */
const LEAKS = [
  /\/(srv|etc|home)\//,
  /hunter2/,
  /\bat .+:\d+:\d+/,
  /SELECT \*/,
  /10\.0\.0\.7/,
  /db\.internal/,
  /getter .* exploded/,
];

/** The secure error handler, as the client and the log see it, on one framework. */
export function describeErrorHandler(harness: Harness): void {
  describe(`errorHandler() on ${harness.name}`, () => {
    function appWith(handler: SpecHandler, errorHandler: Record<string, unknown> = {}) {
      const memory = createMemoryLogger();
      const server = harness.mount({
        routes: [
          { method: 'get', path: '/boom', handler },
          { method: 'get', path: '/ok', handler: () => ({ ok: true }) },
        ],
        errorHandler: { logger: memory.logger, ...errorHandler },
      });
      return { server, entries: memory.entries };
    }

    it.each(thrownValueTable)(
      'answers $name with $status problem+json and logs it once under the same errorId',
      async ({ thrown, status, detail, headers, type, code }) => {
        const { server, entries } = appWith(() => {
          throw thrown();
        });
        const res = await request(server).get('/boom?session=abc');
        expect(res.status).toBe(status);
        expect(res.headers['content-type']).toMatch(PROBLEM);
        expect(res.body).toMatchObject({ type: type ?? 'about:blank', status, detail });
        expect(typeof res.body.title).toBe('string');
        expect(res.body.errorId).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.body).not.toHaveProperty('stack');
        for (const leak of LEAKS) expect(res.text).not.toMatch(leak);
        for (const [name, value] of Object.entries(headers ?? {}))
          expect(res.headers[name]).toBe(value);
        if (code === null) expect(res.body).not.toHaveProperty('code');
        else if (code !== undefined) expect(res.body.code).toBe(code);
        if (!headers?.['retry-after']) expect(res.headers['retry-after']).toBeUndefined();
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({
          errorId: res.body.errorId,
          status,
          method: 'GET',
          path: '/boom',
          level: status >= 500 ? 'error' : 'warn',
        });
      },
    );

    describe.each([false, true])(
      'with debug: %p, a hostile thrown value (issue 12 #12)',
      (debug) => {
        it.each(hostileThrownValues)(
          'answers $name with problem+json $status and logs one entry',
          async ({ thrown, status, absentHeaders = [] }) => {
            const { server, entries } = appWith(
              () => {
                throw thrown();
              },
              { debug },
            );
            const res = await request(server).get('/boom');
            expect(res.status).toBe(status);
            expect(res.headers['content-type']).toMatch(PROBLEM);
            const body = JSON.parse(res.text) as Record<string, unknown>;
            expect(body).toMatchObject({ status, errorId: expect.any(String) });
            expect(res.text.length).toBeLessThan(debug ? 200_000 : 4096);
            for (const name of absentHeaders) expect(res.headers[name]).toBeUndefined();
            expect(res.text).not.toMatch(/attacker|trap exploded/);
            expect(entries).toHaveLength(1);
            expect(entries[0]).toMatchObject({ errorId: body.errorId, status });
            // The app still answers the next request.
            expect((await request(server).get('/ok')).status).toBe(200);
          },
        );
      },
    );

    describe('a value that only looks like a guard error (issue 12 #3)', () => {
      it('is not trusted: no message, no headers, no extensions, no code', async () => {
        const { server, entries } = appWith(() => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- a plain object on purpose
          throw {
            code: 'ERR_GUARD_X',
            status: 500,
            message: 'db password hunter2',
            headers: { 'Set-Cookie': 'sid=attacker', 'Retry-After': '99999' },
            extensions: { leaked: 'hunter2' },
            expose: true,
          };
        });
        const res = await request(server).get('/boom');
        expect(res.status).toBe(500);
        expect(res.body.detail).toBe('An unexpected error occurred');
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(res.headers['retry-after']).toBeUndefined();
        expect(res.body).not.toHaveProperty('leaked');
        expect(res.body).not.toHaveProperty('code');
        expect(res.text).not.toContain('hunter2');
        expect(entries).toHaveLength(1);
      });

      it('keeps its own 4xx status but nothing else it claims', async () => {
        const { server } = appWith(() => {
          throw Object.assign(new Error('limited, see 10.0.0.7'), {
            code: 'ERR_GUARD_RATE_LIMITED',
            status: 429,
            retryAfterSeconds: 99_999,
            headers: { 'X-Evil': '1' },
            type: 'https://evil.example/phish',
            reason: 'limit_exceeded',
          });
        });
        const res = await request(server).get('/boom');
        expect(res.status).toBe(429);
        expect(res.body).toMatchObject({ type: 'about:blank', detail: 'Too many requests' });
        expect(res.headers['retry-after']).toBeUndefined();
        expect(res.headers['x-evil']).toBeUndefined();
        expect(res.body).not.toHaveProperty('reason');
        expect(res.body.code).not.toBe('ERR_GUARD_RATE_LIMITED');
      });

      it('recognises the errors of another copy of the package by their brand', async () => {
        let copy!: typeof Core;
        jest.isolateModules(() => {
          // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second copy on purpose
          copy = require('@guard-suite/core') as typeof Core;
        });
        const foreign = new copy.RateLimitError(undefined, {
          retryAfterSeconds: 7,
          headers: { RateLimit: '"default";r=0;t=7' },
        });
        expect(foreign).not.toBeInstanceOf(RateLimitError);
        const { server } = appWith(() => {
          throw foreign;
        });
        const res = await request(server).get('/boom');
        expect(res.status).toBe(429);
        expect(res.headers['retry-after']).toBe('7');
        expect(res.headers.ratelimit).toBe('"default";r=0;t=7');
        expect(res.body).toMatchObject({
          type: QUOTA_EXCEEDED,
          code: 'ERR_GUARD_RATE_LIMITED',
          reason: 'limit_exceeded',
        });
      });
    });

    it('gives every response its own errorId and keeps the full error, stack and cause in the log', async () => {
      const { server, entries } = appWith(() => {
        throw new Error('outer failure at /srv/app/service.js', {
          cause: Object.assign(new Error('db password=hunter2 rejected'), { code: 'ECONNREFUSED' }),
        });
      });
      const [a, b] = await Promise.all([
        request(server).get('/boom'),
        request(server).get('/boom'),
      ]);
      expect(a.body.errorId).not.toBe(b.body.errorId);
      const entry = entries.find((e) => e.errorId === a.body.errorId) as {
        error: { message: string; stack: string; cause: { message: string; code: string } };
      };
      expect(entry.error.message).toBe('outer failure at /srv/app/service.js');
      expect(entry.error.stack).toMatch(/at /);
      expect(entry.error.cause).toMatchObject({
        message: 'db password=hunter2 rejected',
        code: 'ECONNREFUSED',
      });
      // The chained ECONNREFUSED is the cause, not the error: the client still gets a generic 500.
      expect(a.status).toBe(500);
    });

    it('redacts secret headers and query fields in the log, and drops the query string from the path', async () => {
      const { server, entries } = appWith(() => {
        throw Object.assign(new Error('nope'), {
          config: { apiKey: 'k-123', nested: { password: 'p' } },
        });
      });
      await request(server)
        .get('/boom?token=t-123&page=2&user[password]=pw')
        .set('Authorization', 'Bearer abc.def')
        .set('Cookie', 'sid=s-123')
        .set('X-Api-Key', 'key-123')
        .set('X-Request-Id', 'req-7');
      const line = JSON.stringify(entries[0]);
      for (const secret of ['abc.def', 's-123', 'key-123', 't-123', 'k-123', '"pw"'])
        expect(line).not.toContain(secret);
      expect(entries[0]).toMatchObject({ path: '/boom', requestId: 'req-7' });
      expect(line).toContain('[REDACTED]');
      expect(line).toContain('"page":"2"');
    });

    it('cuts a 10 MB error message down in the log and never sends it', async () => {
      const { server, entries } = appWith(() => {
        throw new Error('x'.repeat(10 * 1024 * 1024));
      });
      const res = await request(server).get('/boom');
      expect(res.status).toBe(500);
      expect(res.text.length).toBeLessThan(1000);
      expect(JSON.stringify(entries[0]).length).toBeLessThan(200_000);
    });

    it('answers unknown routes with a 404 problem+json', async () => {
      const { server, entries } = appWith(() => 'unused');
      const res = await request(server).get('/nowhere/to/be/found');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 404, detail: 'Requested resource not found' });
      expect(entries[0]).toMatchObject({ errorId: res.body.errorId, status: 404, level: 'warn' });
    });

    it('uses messages[status] for generic details, but never over an exposed 4xx message', async () => {
      const messages = { 500: 'Something broke, sorry', 404: 'No such page', 422: 'never shown' };
      const generic = appWith(
        () => {
          throw new Error('secret');
        },
        { messages },
      );
      expect((await request(generic.server).get('/boom')).body.detail).toBe(
        'Something broke, sorry',
      );
      expect((await request(generic.server).get('/missing')).body.detail).toBe('No such page');
      const exposed = appWith(
        () => {
          throw createHttpError(422, 'Email is already registered');
        },
        { messages },
      );
      expect((await request(exposed.server).get('/boom')).body.detail).toBe(
        'Email is already registered',
      );
    });

    it('answers a handler that took over the raw response and threw before writing', async () => {
      const app = appWith((io) => {
        io.raw();
        throw new Error('failed before the first byte');
      });
      const res = await request(app.server).get('/boom');
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toMatch(PROBLEM);
    });

    it.each([
      ['ETIMEDOUT', () => systemError('ETIMEDOUT')],
      ['ECONNRESET', () => systemError('ECONNRESET')],
      ['a TimeoutError', () => new TimeoutError()],
      ['a CircuitOpenError', () => new CircuitOpenError()],
    ])('lets messages[503] replace the default detail of %s', async (_name, thrown) => {
      const app = appWith(
        () => {
          throw thrown();
        },
        { messages: { 503: 'Back in a minute' } },
      );
      const res = await request(app.server).get('/boom');
      expect(res.status).toBe(503);
      expect(res.body.detail).toBe('Back in a minute');
    });

    it('adds message and stack to the body only with debug: true, never because of NODE_ENV', async () => {
      const thrower = () => {
        throw new Error('debuggable failure');
      };
      const previous = process.env.NODE_ENV;
      process.env.NODE_ENV = 'development';
      try {
        const quiet = await request(appWith(thrower).server).get('/boom');
        expect(quiet.text).not.toContain('debuggable failure');
        expect(quiet.body).not.toHaveProperty('stack');
      } finally {
        process.env.NODE_ENV = previous;
      }
      const loud = await request(appWith(thrower, { debug: true }).server).get('/boom');
      expect(loud.body.message).toBe('debuggable failure');
      expect(loud.body.stack).toMatch(/at /);
    });

    describe('the log entry of a client error (issue 14 #6)', () => {
      const unsupported = () =>
        new UnsupportedMediaTypeError('The file content does not match its extension', {
          cause: new Error('sniffed image/png for .pdf'),
        });

      it.each([
        ['an unknown route (404)', '/nowhere', 404],
        ['a 415 with a cause', '/boom', 415],
      ])('is one short line without a stack for %s', async (_name, path, status) => {
        const { server, entries } = appWith(() => {
          throw unsupported();
        });
        const res = await request(server).get(path).set('X-Request-Id', 'req-1');
        expect(res.status).toBe(status);
        expect(entries).toHaveLength(1);
        const line = JSON.stringify(entries[0]);
        expect(line).not.toMatch(/stack|\bat .+:\d+:\d+/);
        expect(entries[0]).not.toHaveProperty('request');
        expect(entries[0]).toMatchObject({
          errorId: res.body.errorId,
          status,
          path,
          requestId: 'req-1',
          detail: res.body.detail,
          level: 'warn',
        });
        expect(line.length).toBeLessThan(600);
      });

      it('keeps the full entry, stack, cause and request, with clientErrorLog: full', async () => {
        const { server, entries } = appWith(
          () => {
            throw unsupported();
          },
          { clientErrorLog: 'full' },
        );
        await request(server).get('/boom?page=2');
        expect(entries[0]).toMatchObject({
          status: 415,
          error: {
            stack: expect.stringMatching(/at /),
            cause: { message: 'sniffed image/png for .pdf' },
          },
          request: { query: { page: '2' } },
        });
      });

      it('leaves 5xx entries full', async () => {
        const { server, entries } = appWith(() => {
          throw new Error('db down');
        });
        await request(server).get('/boom');
        expect(entries[0]).toMatchObject({
          status: 500,
          error: { message: 'db down', stack: expect.stringMatching(/at /) },
          request: expect.any(Object),
        });
      });

      it('refuses an unknown clientErrorLog at creation', () => {
        expect(() => harness.kit.errorHandler({ clientErrorLog: 'verbose' })).toThrow(
          /"clientErrorLog" must be one of "short", "full"/,
        );
      });
    });

    it('logs client errors at a chosen level', async () => {
      const { server, entries } = appWith(
        () => {
          throw createHttpError(400, 'bad');
        },
        { clientErrorLevel: 'info' },
      );
      await request(server).get('/boom');
      expect(entries[0]?.level).toBe('info');
    });

    it('drops headers that described the body the handler meant to send', async () => {
      const { server } = appWith((io) => {
        io.setHeader('Content-Disposition', 'attachment; filename="report.pdf"');
        throw new Error('failed while preparing the download');
      });
      const res = await request(server).get('/boom');
      expect(res.status).toBe(500);
      expect(res.headers['content-disposition']).toBeUndefined();
      expect(res.headers['content-type']).toMatch(PROBLEM);
    });

    it('closes the connection and logs once when the error comes after half a response', async () => {
      const { server, entries } = appWith(async (io) => {
        const res = io.raw();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first half of the report\n');
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('failed halfway at /srv/app/report.js');
      });
      const outcome = await request(server)
        .get('/boom')
        .then((res) => ({ status: res.status, text: res.text }))
        .catch((error: Error) => ({ error: error.message }));
      // The client sees the connection close before the response completes, never a second response.
      expect(outcome).toHaveProperty('error');
      expect(JSON.stringify(outcome)).not.toContain('/srv/app');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ status: 500, afterHeadersSent: true });
      const next = await request(server).get('/ok');
      expect(next.status).toBe(200);
    });

    it('logs an error whose client already left, writes nothing and keeps serving', async () => {
      let reached!: () => void;
      const handlerReached = new Promise<void>((resolve) => (reached = resolve));
      const { server, entries } = appWith(async (io) => {
        reached();
        await new Promise((resolve) => io.req.once('close', resolve));
        throw new Error('nobody is listening any more');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const req = httpRequest({ host: '127.0.0.1', port, path: '/boom' });
        req.on('error', () => {});
        req.end();
        await handlerReached;
        req.destroy();
        for (let i = 0; i < 100 && entries.length === 0; i++)
          await new Promise((r) => setTimeout(r, 10));
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({ status: 500 });
        const next = await request(server).get('/ok');
        expect(next.body).toEqual({ ok: true });
      } finally {
        server.close();
      }
    });

    describe('a client that leaves (issue 12 #13)', () => {
      it('is logged once as 499 at info when the handler stops through req.guard.signal', async () => {
        const memory = createMemoryLogger();
        const entered = deferred();
        const server = harness.mount({
          use: [harness.kit.guard({ loadShedding: false, rateLimit: false, timeout: false })],
          errorHandler: { logger: memory.logger },
          routes: [
            {
              method: 'get',
              path: '/wait',
              handler: async (io) => {
                entered.resolve();
                // Rejects with an AbortError whose cause is the signal's reason, our AbortedError.
                await delay(60_000, null, { signal: io.guard!.signal });
              },
            },
            { method: 'get', path: '/ok', handler: () => ({ ok: true }) },
          ],
        });
        const { port, close } = await listen(server);
        try {
          const client = startRequest(port, '/wait');
          await entered.promise;
          client.destroy();
          await until(() => memory.entries.length > 0);
          expect((await request(server).get('/ok')).status).toBe(200);
          expect(memory.entries).toEqual([
            expect.objectContaining({ status: 499, code: 'ERR_GUARD_ABORTED', level: 'info' }),
          ]);
        } finally {
          await close();
        }
      });

      it.each([
        [
          'an AbortError caused by our AbortedError',
          () => abortErrorCausedBy(new AbortedError()),
          499,
        ],
        [
          'an AbortError caused by an AbortError caused by our TimeoutError',
          () => abortErrorCausedBy(abortErrorCausedBy(new TimeoutError())),
          503,
        ],
        ['an AbortError of the application itself', () => abortErrorCausedBy(undefined), 500],
        [
          'an Error merely caused by our AbortedError',
          () => new Error('x', { cause: new AbortedError() }),
          500,
        ],
      ])(
        'classifies %s by following the cause chain through abort errors',
        async (_name, thrown, status) => {
          const { server, entries } = appWith(() => {
            throw thrown();
          });
          const res = await request(server).get('/boom');
          expect(res.status).toBe(status);
          expect(entries).toHaveLength(1);
          expect(entries[0]).toMatchObject({
            status,
            level: status === 499 ? 'info' : status >= 500 ? 'error' : 'warn',
          });
        },
      );

      it('logs 499 at the abortedLevel option', async () => {
        const { server, entries } = appWith(
          () => {
            throw new AbortedError();
          },
          { abortedLevel: 'debug' },
        );
        await request(server).get('/boom');
        expect(entries[0]).toMatchObject({ status: 499, level: 'debug' });
      });
    });

    it('gives 1,000 concurrent failing requests 1,000 distinct errorIds with no unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const { server, entries } = appWith(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('fails under load');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const agent = request(server);
        const responses = await Promise.all(Array.from({ length: 1000 }, () => agent.get('/boom')));
        const ids = new Set(responses.map((r) => r.body.errorId as string));
        expect(responses.every((r) => r.status === 500)).toBe(true);
        expect(ids.size).toBe(1000);
        expect(new Set(entries.map((e) => e.errorId))).toEqual(ids);
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
        server.close();
      }
    });

    it.each([
      [{ debug: 'yes' }, /"debug" must be a boolean/],
      [{ messages: { 200: 'fine' } }, /"messages.200"/],
      [{ logger: {} }, /"logger" must be a winston logger/],
      [{ debgu: true }, /unknown option "debgu" \(did you mean "debug"\?\)/],
    ])('rejects invalid options %p at creation', (options, message) => {
      expect(() => harness.kit.errorHandler(options)).toThrow(GuardConfigError);
      expect(() => harness.kit.errorHandler(options)).toThrow(message);
    });
  });
}
