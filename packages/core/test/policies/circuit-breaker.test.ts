import {
  CircuitOpenError,
  GuardConfigError,
  TimeoutError,
  createCircuitBreaker,
} from '../../src/index';
import type { CircuitBreaker, CircuitBreakerOptions, CircuitState } from '../../src/index';

type Step = 'ok' | 'fail' | 'notCounted' | 'rejected' | { advanceMs: number };

const succeed = () => Promise.resolve('ok');
const failWith = (error: Error) => () => Promise.reject(error);
const notFound = Object.assign(new Error('dependency said 404'), { status: 404 });

async function play(breaker: CircuitBreaker, steps: Step[]): Promise<void> {
  for (const step of steps) {
    if (typeof step === 'object') jest.advanceTimersByTime(step.advanceMs);
    else if (step === 'ok') await expect(breaker.execute(succeed)).resolves.toBe('ok');
    else if (step === 'fail')
      await expect(breaker.execute(failWith(new Error('down')))).rejects.toThrow('down');
    else if (step === 'notCounted')
      await expect(breaker.execute(failWith(notFound))).rejects.toBe(notFound);
    else await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
  }
}

const base: CircuitBreakerOptions = { name: 'table', failureThreshold: 3, resetTimeoutMs: 10_000 };

/** Every transition of the state machine, as steps from a fresh breaker. */
const transitions: {
  name: string;
  /** Overrides of `base`; `undefined` removes an option. */
  options?: Record<string, unknown>;
  steps: Step[];
  state: CircuitState;
  events: string[];
}[] = [
  {
    name: 'closed stays closed on success',
    steps: ['ok', 'ok'],
    state: 'closed',
    events: ['success', 'success'],
  },
  {
    name: 'closed stays closed below failureThreshold (a success resets the count)',
    steps: ['fail', 'fail', 'ok', 'fail', 'fail'],
    state: 'closed',
    events: ['failure', 'failure', 'success', 'failure', 'failure'],
  },
  {
    name: 'closed → open at failureThreshold consecutive failures',
    steps: ['fail', 'fail', 'fail'],
    state: 'open',
    events: ['failure', 'failure', 'failure', 'open:consecutive-failures'],
  },
  {
    name: 'failures isFailure rejects do not count (and reset the run)',
    options: { isFailure: (e: unknown) => (e as { status?: number }).status !== 404 },
    steps: ['fail', 'fail', 'notCounted', 'fail', 'fail'],
    state: 'closed',
    events: ['failure', 'failure', 'success', 'failure', 'failure'],
  },
  {
    name: 'closed → open when the failure rate equals failureRateThreshold after minimumCalls',
    options: {
      failureThreshold: undefined,
      failureRateThreshold: 0.5,
      minimumCalls: 4,
      windowMs: 10_000,
    },
    // 2 failures in 4 calls is exactly 0.5.
    steps: ['ok', 'fail', 'ok', 'fail'],
    state: 'open',
    events: ['success', 'failure', 'success', 'failure', 'open:failure-rate'],
  },
  {
    name: 'the same rate opens it when the call that reaches minimumCalls is a success',
    options: {
      failureThreshold: undefined,
      failureRateThreshold: 0.5,
      minimumCalls: 4,
      windowMs: 10_000,
    },
    // The order of the calls must not matter: F F S S is also exactly 0.5 after 4 calls.
    steps: ['fail', 'fail', 'ok', 'ok'],
    state: 'open',
    events: ['failure', 'failure', 'success', 'success', 'open:failure-rate'],
  },
  {
    name: 'the failure rate waits for minimumCalls',
    options: { failureThreshold: undefined, failureRateThreshold: 0.5, minimumCalls: 4 },
    steps: ['fail', 'fail', 'ok'],
    state: 'closed',
    events: ['failure', 'failure', 'success'],
  },
  {
    name: 'failures that left the window no longer count toward the rate',
    options: {
      failureThreshold: undefined,
      failureRateThreshold: 0.5,
      minimumCalls: 4,
      windowMs: 1000,
    },
    steps: ['fail', 'fail', { advanceMs: 1500 }, 'ok', 'ok', 'ok', 'fail'],
    state: 'closed',
    events: ['failure', 'failure', 'success', 'success', 'success', 'failure'],
  },
  {
    name: 'failureThreshold still applies when both modes are set',
    options: { failureThreshold: 2, failureRateThreshold: 0.9, minimumCalls: 100 },
    steps: ['ok', 'fail', 'fail'],
    state: 'open',
    events: ['success', 'failure', 'failure', 'open:consecutive-failures'],
  },
  {
    name: 'open rejects at once before resetTimeoutMs',
    steps: ['fail', 'fail', 'fail', { advanceMs: 9999 }, 'rejected'],
    state: 'open',
    events: ['failure', 'failure', 'failure', 'open:consecutive-failures', 'reject'],
  },
  {
    name: 'open → halfOpen after resetTimeoutMs',
    steps: ['fail', 'fail', 'fail', { advanceMs: 10_000 }],
    state: 'halfOpen',
    events: ['failure', 'failure', 'failure', 'open:consecutive-failures', 'halfOpen'],
  },
  {
    name: 'halfOpen → closed on a trial success',
    steps: ['fail', 'fail', 'fail', { advanceMs: 10_000 }, 'ok'],
    state: 'closed',
    events: [
      'failure',
      'failure',
      'failure',
      'open:consecutive-failures',
      'halfOpen',
      'success',
      'close:trial-succeeded',
    ],
  },
  {
    name: 'halfOpen → open on a trial failure, for another resetTimeoutMs',
    steps: ['fail', 'fail', 'fail', { advanceMs: 10_000 }, 'fail', { advanceMs: 9999 }, 'rejected'],
    state: 'open',
    events: [
      'failure',
      'failure',
      'failure',
      'open:consecutive-failures',
      'halfOpen',
      'failure',
      'open:trial-failed',
      'reject',
    ],
  },
  {
    name: 'closed again after a trial success counts failures from zero',
    steps: ['fail', 'fail', 'fail', { advanceMs: 10_000 }, 'ok', 'fail', 'fail'],
    state: 'closed',
    events: [
      'failure',
      'failure',
      'failure',
      'open:consecutive-failures',
      'halfOpen',
      'success',
      'close:trial-succeeded',
      'failure',
      'failure',
    ],
  },
];
describe('createCircuitBreaker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it.each(transitions)('$name', async ({ options, steps, state, events }) => {
    const merged = Object.entries({ ...base, ...options }).filter(([, v]) => v !== undefined);
    const breaker = createCircuitBreaker(Object.fromEntries(merged));
    const seen: string[] = [];
    breaker.on('success', () => seen.push('success'));
    breaker.on('failure', () => seen.push('failure'));
    breaker.on('open', ({ reason }) => seen.push(`open:${reason}`));
    breaker.on('close', ({ reason }) => seen.push(`close:${reason}`));
    breaker.on('halfOpen', () => seen.push('halfOpen'));
    breaker.on('reject', () => seen.push('reject'));
    await play(breaker, steps);
    expect(breaker.state).toBe(state);
    expect(seen).toEqual(events);
    breaker.close();
  });

  it('rejects while open with CircuitOpenError carrying the seconds left as retryAfterSeconds', async () => {
    const breaker = createCircuitBreaker({
      name: 'retry-after',
      failureThreshold: 1,
      resetTimeoutMs: 30_000,
    });
    await play(breaker, ['fail', { advanceMs: 10_500 }]);
    const error = await breaker.execute(succeed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({
      status: 503,
      code: 'ERR_GUARD_CIRCUIT_OPEN',
      retryAfterSeconds: 20,
    });
    expect(breaker.stats()).toMatchObject({ state: 'open', rejections: 1, retryAfterSeconds: 20 });
  });

  it('never calls the dependency while open', async () => {
    const breaker = createCircuitBreaker({ name: 'no-call', failureThreshold: 1 });
    await play(breaker, ['fail']);
    const fn = jest.fn(succeed);
    await expect(breaker.execute(fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(fn).not.toHaveBeenCalled();
  });

  it('lets exactly halfOpenMaxCalls of 100 parallel calls reach the dependency when half-open', async () => {
    const breaker = createCircuitBreaker({
      name: 'half',
      failureThreshold: 1,
      resetTimeoutMs: 1000,
      halfOpenMaxCalls: 3,
    });
    await play(breaker, ['fail', { advanceMs: 1000 }]);
    let reached = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const results = Array.from({ length: 100 }, () =>
      breaker.execute(async () => {
        reached++;
        await gate;
        return 'ok';
      }),
    );
    const settled = Promise.allSettled(results);
    await Promise.resolve();
    expect(reached).toBe(3);
    release();
    const outcomes = await settled;
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect(
      outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof CircuitOpenError),
    ).toHaveLength(97);
    expect(breaker.state).toBe('closed');
  });

  it('ignores a slow result that finishes after the breaker changed state', async () => {
    const breaker = createCircuitBreaker({
      name: 'stale',
      failureThreshold: 2,
      resetTimeoutMs: 1000,
    });
    let failSlow!: (e: Error) => void;
    const slow = breaker.execute(() => new Promise((_r, reject) => (failSlow = reject)));
    await play(breaker, ['fail', 'fail', { advanceMs: 1000 }, 'ok']);
    expect(breaker.state).toBe('closed');
    failSlow(new Error('late'));
    await expect(slow).rejects.toThrow('late');
    expect(breaker.stats()).toMatchObject({ state: 'closed', consecutiveFailures: 0, failures: 3 });
  });

  it('does not count a call the caller aborted', async () => {
    const breaker = createCircuitBreaker({ name: 'abort', failureThreshold: 1 });
    const caller = new AbortController();
    const pending = breaker.execute(
      ({ signal }) =>
        new Promise((_r, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
      { signal: caller.signal },
    );
    caller.abort();
    await expect(pending).rejects.toThrow('aborted');
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().failures).toBe(0);
  });

  it('counts its own timeoutMs as a failure, aborts fn and emits timeout', async () => {
    const breaker = createCircuitBreaker({ name: 'timeout', failureThreshold: 1, timeoutMs: 50 });
    const timeouts: TimeoutError[] = [];
    breaker.on('timeout', ({ error }) => timeouts.push(error));
    let signal: AbortSignal | undefined;
    const pending = breaker.execute((context) => {
      signal = context.signal;
      return new Promise(() => {});
    });
    jest.advanceTimersByTime(50);
    await expect(pending).rejects.toBeInstanceOf(TimeoutError);
    expect(signal?.aborted).toBe(true);
    expect(timeouts).toHaveLength(1);
    expect(breaker.state).toBe('open');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('without timeoutMs hands fn a shared never-aborting signal and starts no timer', async () => {
    const breaker = createCircuitBreaker({ name: 'lean' });
    const signals = new Set<AbortSignal>();
    for (let i = 0; i < 3; i++)
      await breaker.execute(({ signal, attempt }) => {
        signals.add(signal);
        expect(attempt).toBe(1);
        expect(jest.getTimerCount()).toBe(0);
      });
    expect(signals.size).toBe(1);
    expect([...signals][0]?.aborted).toBe(false);
  });

  it('reports stats, survives a throwing listener and unsubscribes', async () => {
    const breaker = createCircuitBreaker({
      name: 'stats',
      failureRateThreshold: 0.9,
      minimumCalls: 50,
    });
    const off = breaker.on('success', () => {
      throw new Error('listener bug');
    });
    await play(breaker, ['ok', 'fail', 'ok']);
    off();
    expect(breaker.stats()).toEqual({
      name: 'stats',
      state: 'closed',
      calls: 3,
      successes: 2,
      failures: 1,
      timeouts: 0,
      rejections: 0,
      consecutiveFailures: 0,
      window: { successes: 2, failures: 1, total: 3 },
      retryAfterSeconds: 0,
    });
  });

  it('passes a synchronous throw through as a rejection and counts it', async () => {
    const breaker = createCircuitBreaker({ name: 'sync', failureThreshold: 1 });
    await expect(
      breaker.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(breaker.state).toBe('open');
  });

  it.each([
    [{ failureThreshold: 0 }, /"failureThreshold" must be a positive integer/],
    [{ failureThreshold: -1 }, /"failureThreshold"/],
    [{ failureThreshold: NaN }, /"failureThreshold"/],
    [
      { failureRateThreshold: 1.5 },
      /"failureRateThreshold" must be a number greater than 0 and at most 1/,
    ],
    [{ failureRateThreshold: 0 }, /"failureRateThreshold"/],
    [{ resetTimeoutMs: Infinity }, /"resetTimeoutMs"/],
    [{ resetTimeoutMs: '1000' }, /"resetTimeoutMs"/],
    [{ halfOpenMaxCalls: -0 }, /"halfOpenMaxCalls"/],
    [{ timeoutMs: null }, /"timeoutMs"/],
    [{ windowMs: {} }, /"windowMs"/],
    [{ minimumCalls: [] }, /"minimumCalls"/],
    [{ isFailure: true }, /"isFailure" must be a function/],
    [{ name: '' }, /"name" must be a non-empty string/],
    [{ resetTimoutMs: 5 }, /did you mean "resetTimeoutMs"/],
    [{ store: { redis: {} } }, /"name" must be a non-empty string when "store" is set/],
    [{ name: 'x', store: { redis: {} } }, /"store.redis" must be an ioredis client/],
    [
      { name: 'x', store: { redis: { evalsha() {} }, prefx: 'a' } },
      /"store.prefx" \(did you mean "prefix"\?\)/,
    ],
  ])('rejects %p at construction', (options, message) => {
    expect(() => createCircuitBreaker(options as never)).toThrow(GuardConfigError);
    expect(() => createCircuitBreaker(options as never)).toThrow(message);
  });

  it('works with every option left out', async () => {
    const breaker = createCircuitBreaker();
    expect(breaker.name).toBe('default');
    await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
  });

  it.each([null, 5, 'db', []])('rejects options %p that are not an object', (options) => {
    expect(() => createCircuitBreaker(options as never)).toThrow(GuardConfigError);
  });

  it('rejects an unknown event name', () => {
    const breaker = createCircuitBreaker({ name: 'events' });
    expect(() => breaker.on('opened' as never, () => {})).toThrow(GuardConfigError);
  });
});
