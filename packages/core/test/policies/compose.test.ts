import {
  AbortedError,
  CircuitOpenError,
  GuardConfigError,
  TimeoutError,
  createBulkhead,
  createCircuitBreaker,
  createRetry,
  createTimeout,
  wrap,
} from '../../src/index';
import type { Policy } from '../../src/index';

describe('wrap', () => {
  it('runs policies outermost first and hands the retry attempt to the innermost fn', async () => {
    const order: string[] = [];
    const tracer = (label: string): Policy => ({
      async execute(fn, options) {
        order.push(label);
        return fn({
          signal: options?.signal ?? new AbortController().signal,
          attempt: options?.attempt ?? 1,
        });
      },
    });
    const attempts: number[] = [];
    const policy = wrap(
      createRetry({ retries: 2, baseDelayMs: 0, maxDelayMs: 0 }),
      tracer('a'),
      tracer('b'),
    );
    await expect(
      policy.execute(({ attempt }) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Error('again');
        return 'ok';
      }),
    ).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('flows one signal through: the caller abort reaches the innermost fn', async () => {
    const caller = new AbortController();
    let inner: AbortSignal | undefined;
    const pending = wrap(createRetry({ retries: 0 }), createTimeout(10_000)).execute(
      ({ signal }) => {
        inner = signal;
        return new Promise(() => {});
      },
      { signal: caller.signal },
    );
    await new Promise((r) => setImmediate(r));
    caller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(inner?.aborted).toBe(true);
  });

  it('retry(breaker(timeout)): timeouts count as failures, the breaker opens and retry stops at CircuitOpenError', async () => {
    const breaker = createCircuitBreaker({
      name: 'compose',
      failureThreshold: 2,
      resetTimeoutMs: 60_000,
    });
    let calls = 0;
    const policy = wrap(
      createRetry({ retries: 5, baseDelayMs: 0, maxDelayMs: 0 }),
      breaker,
      createTimeout(10),
    );
    const error = await policy
      .execute(() => {
        calls++;
        return new Promise(() => {});
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).retryAfterSeconds).toBe(60);
    expect(calls).toBe(2);
    expect(breaker.stats().failures).toBe(2);
    expect(breaker.state).toBe('open');
  });

  it('a timeout inside a bulkhead frees the slot', async () => {
    const bulkhead = createBulkhead({ max: 1 });
    await expect(
      wrap(bulkhead, createTimeout(10)).execute(() => new Promise(() => {})),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(bulkhead.active).toBe(0);
  });

  it('with no policies just runs fn', async () => {
    await expect(wrap().execute(({ attempt }) => attempt)).resolves.toBe(1);
  });

  it('rejects a non-policy at construction', () => {
    expect(() => wrap({} as Policy)).toThrow(GuardConfigError);
    expect(() => wrap(createTimeout(1), null as unknown as Policy)).toThrow(/wrap: argument 1/);
  });
});
