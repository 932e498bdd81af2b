import {
  ConcurrencyLimitError,
  LoadShedError,
  PayloadTooLargeError,
  RateLimitError,
} from '@guard-suite/core';
import { createErrorReporter } from '@guard-suite/core/internal';
import { createMemoryLogger } from 'guard-spec';
import { createRefusalSite } from '../../src/telemetry/refusal';
import { createTelemetry } from '../../src/telemetry/telemetry';

describe('createErrorReporter', () => {
  it('redacts secrets in the logged request body at any depth, and keeps the rest', () => {
    const { logger, entries } = createMemoryLogger();
    const reporter = createErrorReporter({ logger });
    reporter.report(new Error('x'), {
      method: 'POST',
      url: '/signup?x=1',
      body: {
        email: 'a@example.com',
        password: 'hunter2',
        profile: { ssn: '123-45-6789', cards: [{ cardNumber: '4111111111111111' }] },
        client_secret: 's3',
        refreshToken: 'rt',
      },
    });
    const line = JSON.stringify(entries[0]);
    for (const secret of ['hunter2', '123-45-6789', '4111111111111111', 's3', '"rt"'])
      expect(line).not.toContain(secret);
    expect(line).toContain('a@example.com');
    expect(entries[0]).toMatchObject({ method: 'POST', path: '/signup' });
  });

  it('survives a logger that throws', () => {
    const reporter = createErrorReporter({
      logger: {
        log() {
          throw new Error('disk full');
        },
      } as never,
    });
    expect(reporter.report(new Error('x'), {}).status).toBe(500);
  });

  it('describes circular bodies and hostile thrown values without throwing', () => {
    const { logger, entries } = createMemoryLogger();
    const body: Record<string, unknown> = { a: 1 };
    body.self = body;
    const thrown = Object.defineProperty({}, 'message', {
      enumerable: true,
      get() {
        throw new Error('trap');
      },
    });
    const response = createErrorReporter({ logger }).report(thrown, { body });
    expect(response.status).toBe(500);
    expect(JSON.stringify(entries[0])).toContain('[Circular]');
  });

  it.each([
    ['a rate-limit refusal', new RateLimitError(), 'limit_exceeded'],
    [
      'a queue timeout',
      new ConcurrencyLimitError(undefined, { reason: 'queue_timeout' }),
      'queue_timeout',
    ],
  ])('tells the client the reason of %s', (_name, error, reason) => {
    const { logger } = createMemoryLogger();
    expect(createErrorReporter({ logger }).report(error, {}).body.reason).toBe(reason);
  });

  it('sends no reason that is not one of its own words', () => {
    const { logger } = createMemoryLogger();
    const foreign = Object.assign(new Error('x'), { status: 503, reason: 'db password hunter2' });
    expect(createErrorReporter({ logger }).report(foreign, {}).body).not.toHaveProperty('reason');
  });
});

describe('createErrorReporter: refusals', () => {
  const shedRequest = { method: 'GET', url: '/', headers: {} };

  it('logs a flood of refusals as the first five lines and one counting line, each refused its own errorId', () => {
    const { logger, entries } = createMemoryLogger();
    const reporter = createErrorReporter({ logger });
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++)
      ids.add(reporter.report(new LoadShedError(), shedRequest).body.errorId);
    expect(ids.size).toBe(40);
    expect(entries).toHaveLength(5);
    reporter.close();
    expect(entries).toHaveLength(6);
    expect(entries[5]).toMatchObject({ policy: 'load_shedding', count: 40, loggedIndividually: 5 });
    expect(entries[0]).toMatchObject({ code: 'ERR_GUARD_OVERLOADED', reason: 'overloaded' });
  });

  it('logs the rejection record of a described refusal on its line and keys its count by it', () => {
    const { logger, entries } = createMemoryLogger();
    const reporter = createErrorReporter({ logger });
    const site = createRefusalSite(createTelemetry(), 'rate_limit', 'api');
    for (let i = 0; i < 7; i++)
      reporter.report(site.refuse(new RateLimitError(), { limit: 5, remaining: 0 }), shedRequest);
    reporter.close();
    expect(entries[0]).toMatchObject({
      reason: 'limit_exceeded',
      rejection: { policy: 'rate_limit', name: 'api', limit: 5, remaining: 0 },
    });
    expect(entries.at(-1)).toMatchObject({ policy: 'rate_limit', name: 'api', count: 7 });
  });

  it('still logs every other error on a line of its own', () => {
    const { logger, entries } = createMemoryLogger();
    const reporter = createErrorReporter({ logger });
    for (let i = 0; i < 12; i++) reporter.report(new Error('boom'), shedRequest);
    for (let i = 0; i < 12; i++) reporter.report(new PayloadTooLargeError(), shedRequest);
    reporter.close();
    expect(entries).toHaveLength(24);
  });

  it('takes its interval and individual count from refusalLog, or logs every refusal with false', () => {
    const counted = createMemoryLogger();
    const few = createErrorReporter({
      logger: counted.logger,
      refusalLog: { individualCount: 0, intervalMs: 60_000 },
    });
    for (let i = 0; i < 9; i++) few.report(new ConcurrencyLimitError(), shedRequest);
    expect(counted.entries).toHaveLength(0);
    few.close();
    expect(counted.entries).toEqual([expect.objectContaining({ count: 9, loggedIndividually: 0 })]);

    const each = createMemoryLogger();
    const every = createErrorReporter({ logger: each.logger, refusalLog: false });
    for (let i = 0; i < 9; i++) every.report(new ConcurrencyLimitError(), shedRequest);
    expect(each.entries).toHaveLength(9);
  });

  it.each([
    ['refusalLog: true', { refusalLog: true }],
    ['refusalLog: null', { refusalLog: null }],
    ['refusalLog.intervalMs: 0', { refusalLog: { intervalMs: 0 } }],
    ['refusalLog.intervalMs: Infinity', { refusalLog: { intervalMs: Infinity } }],
    ['refusalLog.individualCount: -1', { refusalLog: { individualCount: -1 } }],
    ['refusalLog.individualCount: 1.5', { refusalLog: { individualCount: 1.5 } }],
    ['an unknown refusalLog key', { refusalLog: { interval: 5 } }],
  ])('refuses %s at construction', (_name, options) => {
    expect(() => createErrorReporter(options)).toThrow(
      expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
    );
  });

  it('prebuilds a refusal that matches report(): status, headers, body, fresh errorId, counted', () => {
    const { logger, entries } = createMemoryLogger();
    const reporter = createErrorReporter({ logger, messages: { 503: 'Busy, come back later' } });
    const error = new LoadShedError(undefined, { retryAfterSeconds: 7 });
    const reported = reporter.report(error, shedRequest);
    const respond = reporter.refusalResponder(error, [
      ['X-Frame-Options', 'SAMEORIGIN'],
      ['X-Powered-By', undefined],
      ['Content-Type', 'text/html'], // the problem's own content type wins
    ]);
    const written: { status?: number; headers?: string[]; body?: string }[] = [];
    const fakeRes = (into: (typeof written)[number]) =>
      ({
        writeHead(status: number, headers: string[]) {
          into.status = status;
          into.headers = headers;
        },
        end(body: string) {
          into.body = body;
        },
      }) as never;
    const fakeReq = {
      method: 'GET',
      url: '/x',
      headers: {},
      socket: { remoteAddress: '::1' },
    } as never;
    for (let i = 0; i < 2; i++) respond(fakeReq, fakeRes((written[i] = {})));
    const [first, second] = written;
    expect(first?.status).toBe(503);
    expect(first?.headers).toEqual([
      'X-Frame-Options',
      'SAMEORIGIN',
      ...Object.entries(reported.headers).flat(),
      'content-length',
      String(Buffer.byteLength(first?.body ?? '')),
    ]);
    const body = JSON.parse(first?.body ?? '{}') as Record<string, unknown>;
    expect(body).toEqual({ ...reported.body, errorId: body.errorId });
    expect(body.detail).toBe('Busy, come back later');
    expect(body.errorId).not.toBe(JSON.parse(second?.body ?? '{}').errorId);
    // Three refusals so far (one reported, two prebuilt): each had its own line (first five).
    expect(entries.filter((entry) => entry.code === 'ERR_GUARD_OVERLOADED')).toHaveLength(3);
    expect(entries[1]).toMatchObject({ errorId: body.errorId, path: '/x', ip: '::1' });
    reporter.close();
  });
});
