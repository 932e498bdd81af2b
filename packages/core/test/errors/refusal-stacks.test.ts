import {
  createCircuitBreaker,
  createConcurrencyLimiter,
  createLoadShedder,
} from '@guard-suite/core';

// Refusals under load are answers, not bugs: they are made without capturing a stack trace,
// which is most of the cost of making an error (see errors/without-stack.ts).
describe('refusal errors under load', () => {
  const stackFrames = (error: unknown) =>
    String((error as Error).stack)
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at ')).length;

  it('the concurrency limit refuses without a stack trace', async () => {
    const limiter = createConcurrencyLimiter({ max: 1 });
    const held = await limiter.acquire();
    const error: unknown = await limiter.acquire().catch((failure: unknown) => failure);
    held.release();
    expect((error as Error).name).toBe('ConcurrencyLimitError');
    expect(stackFrames(error)).toBe(0);
  });

  it('an open breaker refuses without a stack trace', async () => {
    const breaker = createCircuitBreaker({ name: 'db', failureThreshold: 1 });
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    const error: unknown = await breaker.execute(() => 'ok').catch((failure: unknown) => failure);
    expect((error as Error).name).toBe('CircuitOpenError');
    expect(stackFrames(error)).toBe(0);
  });

  it('the load shedder refuses without a stack trace', () => {
    const shedder = createLoadShedder({ sampleIntervalMs: 60_000 });
    try {
      const error = shedder.error();
      expect(error.name).toBe('LoadShedError');
      expect(stackFrames(error)).toBe(0);
    } finally {
      shedder.close();
    }
  });
});
