import { ConcurrencyLimitError, RateLimitError } from '@guard-suite/core';
import { createErrorReporter } from '@guard-suite/core/internal';
import { createMemoryLogger } from 'guard-spec';

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
