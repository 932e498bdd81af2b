import { RateLimitError, createBruteForceProtection } from '@guard-suite/core';

describe('createBruteForceProtection', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('blocks after N consecutive failures until blockMs has passed', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const guard = createBruteForceProtection({ maxConsecutiveFailures: 2, blockMs: 10_000 });
    expect(guard.check('alice', '203.0.113.1')).toEqual({ allowed: true, retryAfterSeconds: 0 });
    await guard.reportFailure('alice', '203.0.113.1');
    expect(guard.check('alice', '203.0.113.1')).toMatchObject({ allowed: true });
    await guard.reportFailure('alice', '203.0.113.1');
    expect(guard.check('alice', '203.0.113.1')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    jest.advanceTimersByTime(9_999);
    expect(guard.check('alice', '203.0.113.1')).toMatchObject({ allowed: false });
    jest.advanceTimersByTime(1);
    expect(guard.check('alice', '203.0.113.1')).toMatchObject({ allowed: true });
    guard.close();
  });

  it('forgets failures older than failureWindowMs', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const guard = createBruteForceProtection({
      maxConsecutiveFailures: 2,
      failureWindowMs: 60_000,
    });
    await guard.reportFailure('bob', '203.0.113.2');
    jest.advanceTimersByTime(60_000);
    await guard.reportFailure('bob', '203.0.113.2');
    expect(guard.check('bob', '203.0.113.2')).toMatchObject({ allowed: true });
  });

  it('keeps usernames apart even when they hold the separator', async () => {
    const guard = createBruteForceProtection({ maxConsecutiveFailures: 1 });
    await guard.reportFailure('x|y', '203.0.113.3');
    expect(guard.check('x|y', '203.0.113.3')).toMatchObject({ allowed: false });
    expect(guard.check('y', '203.0.113.3|x')).toMatchObject({ allowed: true });
    expect(guard.check(undefined, '203.0.113.3')).toMatchObject({ allowed: true });
  });

  it('clears the pair on success but never the address count', async () => {
    const guard = createBruteForceProtection({
      maxConsecutiveFailures: 3,
      maxFailuresPerAddress: 3,
    });
    await guard.reportFailure('a', '198.51.100.1');
    await guard.reportFailure('a', '198.51.100.1');
    await guard.reportSuccess('a', '198.51.100.1');
    await guard.reportFailure('a', '198.51.100.1');
    expect(guard.check('a', '198.51.100.1')).toMatchObject({ allowed: false });
    expect(guard.check('someone-else', '198.51.100.1')).toMatchObject({ allowed: false });
    expect(guard.check('a', '198.51.100.2')).toMatchObject({ allowed: true });
  });

  it('rejects with a 429 RateLimitError carrying Retry-After', () => {
    const guard = createBruteForceProtection({});
    const error = guard.reject({ allowed: false, retryAfterSeconds: 42 });
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      status: 429,
      retryAfterSeconds: 42,
      code: 'ERR_GUARD_RATE_LIMITED',
    });
    expect(guard.mode).toBe('memory');
  });
});
