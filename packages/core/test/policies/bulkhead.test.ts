import {
  CircuitOpenError,
  ConcurrencyLimitError,
  GuardConfigError,
  TimeoutError,
  createBulkhead,
} from '../../src/index';
import { failedCallOutcome } from '../../src/policies/bulkhead';

describe('createBulkhead', () => {
  it('runs at most max calls at once and queues the next in order', async () => {
    const bulkhead = createBulkhead({ max: 2, maxQueue: 2, queueTimeoutMs: 5000 });
    const release: (() => void)[] = [];
    const order: number[] = [];
    const calls = [1, 2, 3, 4].map((n) =>
      bulkhead.execute(
        () =>
          new Promise<number>((resolve) => {
            order.push(n);
            release.push(() => resolve(n));
          }),
      ),
    );
    await new Promise((r) => setImmediate(r));
    expect(bulkhead.active).toBe(2);
    expect(bulkhead.queued).toBe(2);
    expect(order).toEqual([1, 2]);
    await expect(bulkhead.execute(() => 5)).rejects.toBeInstanceOf(ConcurrencyLimitError);
    release.shift()?.();
    await calls[0];
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([1, 2, 3]);
    while (release.length) release.shift()?.();
    await new Promise((r) => setImmediate(r));
    while (release.length) release.shift()?.();
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3, 4]);
    expect(bulkhead.active).toBe(0);
  });

  it('frees the slot when fn throws', async () => {
    const bulkhead = createBulkhead({ max: 1 });
    await expect(
      bulkhead.execute(() => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    expect(bulkhead.active).toBe(0);
    await expect(bulkhead.execute(() => 'next')).resolves.toBe('next');
  });

  it('validates its options like the concurrency limit, naming createBulkhead', () => {
    expect(() => createBulkhead({ max: 0 })).toThrow(GuardConfigError);
    expect(() => createBulkhead({ max: 0 })).toThrow(/^createBulkhead: "max"/);
    expect(() => createBulkhead({ max: 1, maxQeue: 1 } as never)).toThrow(
      /did you mean "maxQueue"/,
    );
  });
});

describe('createBulkhead: the adaptive limit', () => {
  it('is adaptive without max (a limit of 20 to start with), fixed with max, never both', () => {
    expect(createBulkhead({}).limit).toBe(20);
    expect(createBulkhead({ adaptive: { initialLimit: 8 } }).limit).toBe(8);
    expect(createBulkhead({ max: 3 }).limit).toBe(3);
    expect(() => createBulkhead({ adaptive: true, max: 3 })).toThrow(GuardConfigError);
  });

  it.each([
    ['an abort by the caller', new Error('aborted'), true, 'ignore'],
    ['a TimeoutError', new TimeoutError(), false, 'drop'],
    ['an open circuit', new CircuitOpenError(), false, 'drop'],
    [
      'a 503 from the dependency (status)',
      Object.assign(new Error('busy'), { status: 503 }),
      false,
      'drop',
    ],
    ['a 503 from the dependency (statusCode)', { statusCode: 503 }, false, 'drop'],
    ['any other failure', new Error('404'), false, 'success'],
    ['a thrown non-error', 'oops', false, 'success'],
  ])('counts %s as the outcome of a failed call', (_name, error, aborted, expected) => {
    const controller = new AbortController();
    if (aborted) controller.abort();
    expect(failedCallOutcome(error, controller.signal)).toBe(expected);
  });
});
