import {
  AbortedError,
  ConcurrencyLimitError,
  GuardConfigError,
  TimeoutError,
  createConcurrencyLimiter,
} from '@guard-suite/core';
import type { Permit } from '@guard-suite/core';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createConcurrencyLimiter', () => {
  it('admits max holders and rejects the next one with a 503 busy error carrying Retry-After', async () => {
    const limiter = createConcurrencyLimiter({ max: 2 });
    await limiter.acquire();
    await limiter.acquire();
    const rejection = limiter.acquire();
    await expect(rejection).rejects.toBeInstanceOf(ConcurrencyLimitError);
    await expect(rejection).rejects.toMatchObject({
      status: 503,
      retryAfterSeconds: 1,
      code: 'ERR_GUARD_BUSY',
    });
    expect(limiter.active).toBe(2);
  });

  it('serves the queue first in, first out as slots are released', async () => {
    const limiter = createConcurrencyLimiter({ max: 1, maxQueue: 3 });
    const first = await limiter.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      limiter.acquire().then((permit) => {
        order.push(n);
        return permit;
      }),
    );
    expect(limiter.queued).toBe(3);
    first.release();
    (await waiters[0])?.release();
    (await waiters[1])?.release();
    (await waiters[2])?.release();
    expect(order).toEqual([1, 2, 3]);
    expect(limiter.active).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('releases a slot exactly once however often release() is called', async () => {
    const limiter = createConcurrencyLimiter({ max: 2 });
    const a = await limiter.acquire();
    await limiter.acquire();
    a.release();
    a.release();
    a.release();
    expect(limiter.active).toBe(1);
  });

  it('never frees anybody else’s slot when an acquire fails', async () => {
    const limiter = createConcurrencyLimiter({ max: 1 });
    await limiter.acquire();
    await expect(limiter.acquire()).rejects.toBeInstanceOf(ConcurrencyLimitError);
    expect(limiter.active).toBe(1);
    expect(limiter.tryAcquire()).toBeUndefined();
  });

  it('fails a queued wait after queueTimeoutMs and keeps the holder counts right', async () => {
    jest.useFakeTimers();
    try {
      const limiter = createConcurrencyLimiter({ max: 1, maxQueue: 1, queueTimeoutMs: 500 });
      const holder = await limiter.acquire();
      const waiting = limiter.acquire();
      jest.advanceTimersByTime(499);
      expect(limiter.queued).toBe(1);
      jest.advanceTimersByTime(1);
      await expect(waiting).rejects.toBeInstanceOf(ConcurrencyLimitError);
      expect(limiter.queued).toBe(0);
      holder.release();
      expect(limiter.active).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('leaves the queue when the caller aborts, with an AbortedError and no timer left', async () => {
    jest.useFakeTimers();
    try {
      const limiter = createConcurrencyLimiter({ max: 1, maxQueue: 5, queueTimeoutMs: 10_000 });
      await limiter.acquire();
      const controller = new AbortController();
      const waiting = limiter.acquire(controller.signal);
      controller.abort();
      await expect(waiting).rejects.toBeInstanceOf(AbortedError);
      expect(limiter.queued).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
      await expect(limiter.acquire(controller.signal)).rejects.toBeInstanceOf(AbortedError);
    } finally {
      jest.useRealTimers();
    }
  });

  it("rejects a waiter with its signal's own reason when that is an error (a deadline's TimeoutError)", async () => {
    const limiter = createConcurrencyLimiter({ max: 1, maxQueue: 5 });
    const holder = await limiter.acquire();
    const deadline = new TimeoutError();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(deadline);
    await expect(waiting).rejects.toBe(deadline);
    await expect(limiter.acquire(controller.signal)).rejects.toBe(deadline);
    holder.release();
    expect([limiter.active, limiter.queued]).toEqual([0, 0]);
  });

  // What abort() without a reason and AbortSignal.timeout() give in Node: DOMExceptions, which
  // jest's sandbox would not see as Errors, so same-named Errors stand in for them.
  it.each([
    ['a plain abort (AbortError)', 'AbortError', AbortedError],
    ['the deadline of AbortSignal.timeout() (TimeoutError)', 'TimeoutError', TimeoutError],
  ])('turns %s into its guard error, with the reason as cause', async (_label, name, expected) => {
    const limiter = createConcurrencyLimiter({ max: 1, maxQueue: 5 });
    const holder = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    const reason = Object.assign(new Error('aborted'), { name });
    controller.abort(reason);
    const error: unknown = await waiting.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(expected);
    expect((error as Error).cause).toBe(reason);
    holder.release();
  });

  it('hands a released slot to the oldest waiter, not to a newcomer', async () => {
    const limiter = createConcurrencyLimiter({ max: 1, maxQueue: 1 });
    const holder = await limiter.acquire();
    const waiter = limiter.acquire();
    holder.release();
    expect(limiter.tryAcquire()).toBeUndefined();
    (await waiter).release();
    expect(limiter.active).toBe(0);
  });

  it('ends with no holder and no waiter after 10,000 acquires with random aborts, timeouts and releases', async () => {
    const limiter = createConcurrencyLimiter({ max: 8, maxQueue: 64, queueTimeoutMs: 5 });
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const outcomes = { granted: 0, busy: 0, aborted: 0 };
    const runs: Promise<void>[] = [];
    for (let i = 0; i < 10_000; i++) {
      const controller = new AbortController();
      const attempt = limiter.acquire(controller.signal).then(
        async (permit: Permit) => {
          outcomes.granted++;
          if (random() < 0.5) await settle();
          permit.release();
          if (random() < 0.1) permit.release(); // a buggy double release changes nothing
        },
        (error: unknown) => {
          if (error instanceof AbortedError) outcomes.aborted++;
          else if (error instanceof ConcurrencyLimitError) outcomes.busy++;
          else throw error;
        },
      );
      if (random() < 0.2) controller.abort();
      runs.push(attempt);
      if (i % 100 === 0) await settle();
    }
    await Promise.all(runs);
    expect(outcomes.granted + outcomes.busy + outcomes.aborted).toBe(10_000);
    expect(outcomes.granted).toBeGreaterThan(0);
    expect(outcomes.aborted).toBeGreaterThan(0);
    expect(limiter.active).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('rejects every waiter on close()', async () => {
    const limiter = createConcurrencyLimiter({ max: 1, maxQueue: 2 });
    await limiter.acquire();
    const waiting = [limiter.acquire(), limiter.acquire()];
    limiter.close();
    for (const w of waiting) await expect(w).rejects.toBeInstanceOf(ConcurrencyLimitError);
    expect(limiter.queued).toBe(0);
    await expect(limiter.acquire()).rejects.toBeInstanceOf(ConcurrencyLimitError);
  });

  it.each([
    ['max', undefined],
    ['max', 0],
    ['max', -1],
    ['max', -0],
    ['max', 1.5],
    ['max', Number.NaN],
    ['max', Number.POSITIVE_INFINITY],
    ['max', '10'],
    ['max', null],
    ['max', {}],
    ['max', []],
    ['maxQueue', -1],
    ['maxQueue', Number.NEGATIVE_INFINITY],
    ['queueTimeoutMs', 0],
    ['queueTimeoutMs', '1000'],
  ])('rejects %s = %p at creation with a coded TypeError', (option, value) => {
    const create = () => createConcurrencyLimiter({ max: 1, [option]: value });
    expect(create).toThrow(GuardConfigError);
    expect(create).toThrow(TypeError);
    expect(create).toThrow(new RegExp(`"${option}"`));
    try {
      create();
    } catch (error) {
      expect(error).toMatchObject({ code: 'ERR_GUARD_INVALID_OPTION', option });
    }
  });

  it('names an unknown option and suggests the close one', () => {
    expect(() => createConcurrencyLimiter({ max: 1, maxQeue: 3 } as never)).toThrow(
      /unknown option "maxQeue" \(did you mean "maxQueue"\?\)/,
    );
  });
});

describe('createConcurrencyLimiter: limit, classes and the adaptive limit', () => {
  const reasonOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'admitted',
      (error: unknown) => (error as ConcurrencyLimitError).reason,
    );

  it('reports its limit and admits queued waiters at once when setLimit raises it', async () => {
    const limiter = createConcurrencyLimiter({ max: 1, maxQueue: 2 });
    expect(limiter.limit).toBe(1);
    await limiter.acquire();
    const waiting = limiter.acquire();
    limiter.setLimit(2);
    expect(limiter.limit).toBe(2);
    await expect(waiting).resolves.toBeDefined();
    expect([limiter.active, limiter.queued]).toEqual([2, 0]);
    for (const bad of [0, -1, 1.5, Number.NaN])
      expect(() => limiter.setLimit(bad)).toThrow(GuardConfigError);
  });

  it('hands out a permit without a promise from tryAcquire', () => {
    const limiter = createConcurrencyLimiter({ max: 1 });
    const permit = limiter.tryAcquire();
    expect(permit).toBeDefined();
    expect(permit).not.toBeInstanceOf(Promise);
    expect(limiter.tryAcquire()).toBeUndefined();
  });

  it('says why it refused: queue_full, queue_timeout, displaced, closed', async () => {
    jest.useFakeTimers();
    try {
      const limiter = createConcurrencyLimiter({ max: 1, maxQueue: 1, queueTimeoutMs: 100 });
      await limiter.acquire();
      const timedOut = reasonOf(limiter.acquire());
      expect(await reasonOf(limiter.acquire())).toBe('queue_full');
      jest.advanceTimersByTime(100);
      expect(await timedOut).toBe('queue_timeout');
      const displaced = reasonOf(limiter.acquire(undefined, 'sheddable'));
      const urgent = reasonOf(limiter.acquire(undefined, 'critical'));
      expect(await displaced).toBe('displaced');
      limiter.close();
      expect(await urgent).toBe('closed');
      expect(await reasonOf(limiter.acquire())).toBe('closed');
    } finally {
      jest.useRealTimers();
    }
  });

  it('serves waiters of a higher class first', async () => {
    const limiter = createConcurrencyLimiter({ max: 1, maxQueue: 3 });
    const holder = await limiter.acquire();
    const order: string[] = [];
    const waiting = (['sheddable', 'critical_plus', 'critical'] as const).map((criticality) =>
      limiter.acquire(undefined, criticality).then((permit) => {
        order.push(criticality);
        permit.release();
      }),
    );
    holder.release();
    await Promise.all(waiting);
    expect(order).toEqual(['critical_plus', 'critical', 'sheddable']);
  });

  it('is adaptive on request: starts at 20 with a queue of 256 (at least twice the limit), refuses a max beside it', async () => {
    const limiter = createConcurrencyLimiter({ adaptive: true });
    expect(limiter.limit).toBe(20);
    expect(limiter.options).toMatchObject({ max: undefined, maxQueue: undefined });
    const held: Permit[] = [];
    for (let i = 0; i < 20; i++) held.push(limiter.tryAcquire() as Permit);
    const waiting = Array.from({ length: 256 }, () => limiter.acquire());
    expect(limiter.queued).toBe(256);
    expect(await reasonOf(limiter.acquire())).toBe('queue_full');
    limiter.close();
    await Promise.allSettled(waiting);
    for (const permit of held) permit.release();
    expect(limiter.active).toBe(0);
    expect(() => createConcurrencyLimiter({ adaptive: true, max: 5 })).toThrow(
      expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION', option: 'adaptive' }),
    );
    expect(createConcurrencyLimiter({ adaptive: false, max: 5 }).limit).toBe(5);
    expect(() => createConcurrencyLimiter({ adaptive: false })).toThrow(
      expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION', option: 'max' }),
    );
  });
});
