import { GuardConfigError, createInsuredStore, createMemoryStore } from '@guard-suite/core';
import type { RateLimitStore, StoreHit } from '@guard-suite/core';
import { createMemoryLogger, INVALID_COUNTS, showValue } from 'guard-spec';

/** A shared store whose next answers the test decides: a hit, a failure, or no answer at all. */
function scriptedStore() {
  let behaviour: 'answer' | 'fail' | 'hang' = 'answer';
  const calls: string[] = [];
  /** Every call that reached the shared store, in order: `increment a`, `reset a`, … */
  const log: string[] = [];
  const store: RateLimitStore = {
    increment(key) {
      calls.push(key);
      log.push(`increment ${key}`);
      if (behaviour === 'fail') return Promise.reject(new Error('ECONNRESET'));
      if (behaviour === 'hang') return new Promise<StoreHit>(() => {});
      return Promise.resolve({ count: 1, resetMs: 1000 });
    },
    peek: () => Promise.resolve(undefined),
    reset(key) {
      log.push(`reset ${key}`);
      if (behaviour === 'fail') return Promise.reject(new Error('ECONNRESET'));
      if (behaviour === 'hang') return new Promise<void>(() => {});
      return Promise.resolve();
    },
    refund: () => Promise.resolve(),
    close: () => {},
  };
  return { store, calls, log, set: (b: typeof behaviour) => (behaviour = b) };
}

describe('createInsuredStore', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  function setUp(maxPendingResets?: number) {
    const shared = scriptedStore();
    const { logger, entries } = createMemoryLogger();
    const insurance = createMemoryStore({ limit: 5, windowMs: 60_000, blockMs: 0, maxKeys: 100 });
    const store = createInsuredStore({
      shared: shared.store,
      insurance,
      timeoutMs: 100,
      probeIntervalMs: 1000,
      label: 'test',
      logger: () => logger,
      ...(maxPendingResets === undefined ? {} : { maxPendingResets }),
    });
    return { shared, store, entries, insurance };
  }

  /** Lets the promise callbacks queued so far run (the background replay of resets). */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  it('answers from insurance when the shared store fails, synchronously until a probe is due', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { shared, store, entries } = setUp();
    shared.set('fail');
    expect(await store.increment('a')).toMatchObject({ count: 1 });
    expect(store.onInsurance).toBe(true);
    const next = store.increment('a');
    expect(next).not.toBeInstanceOf(Promise);
    expect(next).toMatchObject({ count: 2 });
    expect(shared.calls).toHaveLength(1);
    shared.set('answer');
    jest.advanceTimersByTime(1000);
    await store.increment('a');
    expect(store.onInsurance).toBe(false);
    expect(shared.calls).toHaveLength(2);
    expect(entries.map((e) => [e.level, e.code])).toEqual([
      ['warn', 'WARN_GUARD_RATE_LIMIT_STORE_UNAVAILABLE'],
      ['info', 'WARN_GUARD_RATE_LIMIT_STORE_RECOVERED'],
    ]);
  });

  it('gives up on a shared store that does not answer within timeoutMs', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { shared, store, entries } = setUp();
    shared.set('hang');
    const pending = store.increment('b');
    jest.advanceTimersByTime(100);
    expect(await pending).toMatchObject({ count: 1 });
    expect(store.onInsurance).toBe(true);
    expect(entries).toHaveLength(1);
  });

  it('logs one warning however many calls fail in one outage', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { shared, store, entries } = setUp();
    shared.set('fail');
    for (let i = 0; i < 50; i++) {
      await store.increment(`k${i % 3}`);
      jest.advanceTimersByTime(300);
    }
    expect(shared.calls.length).toBeGreaterThan(10);
    expect(entries).toHaveLength(1);
  });

  describe('a reset during an outage (issue 12 #5: a successful login clearing its failures)', () => {
    it('reaches the insurance store at once and the shared store when it answers again', async () => {
      jest.useFakeTimers({ now: 1_000_000 });
      const { shared, store, insurance } = setUp();
      shared.set('fail');
      await store.increment('alice');
      await store.reset('alice');
      expect(insurance.peek('alice')).toBeUndefined();
      expect(store.pendingResets).toBe(1);
      shared.set('answer');
      jest.advanceTimersByTime(1000);
      // Any call that finds the shared store back (here for another key) applies the reset.
      await store.increment('bob');
      await settle();
      expect(shared.log.filter((entry) => entry.startsWith('reset'))).toEqual(['reset alice']);
      expect(store.pendingResets).toBe(0);
    });

    it("applies a key's pending reset before that key's next count on the shared store", async () => {
      jest.useFakeTimers({ now: 1_000_000 });
      const { shared, store } = setUp();
      shared.set('fail');
      await store.reset('alice');
      shared.set('answer');
      jest.advanceTimersByTime(1000);
      shared.log.length = 0;
      await store.increment('alice');
      expect(shared.log).toEqual(['reset alice', 'increment alice']);
      expect(store.pendingResets).toBe(0);
    });

    it('keeps a reset the shared store failed (not only skipped) for later', async () => {
      jest.useFakeTimers({ now: 1_000_000 });
      const { shared, store } = setUp();
      shared.set('fail');
      await store.reset('alice');
      expect(shared.log).toEqual(['reset alice']);
      expect(store.pendingResets).toBe(1);
    });

    it('remembers at most maxPendingResets, giving up the oldest', async () => {
      jest.useFakeTimers({ now: 1_000_000 });
      const { shared, store } = setUp(2);
      shared.set('fail');
      for (const key of ['a', 'b', 'c']) await store.reset(key);
      expect(store.pendingResets).toBe(2);
      shared.set('answer');
      jest.advanceTimersByTime(1000);
      await store.increment('x');
      await settle();
      expect(
        shared.log.filter((entry) => entry.startsWith('reset') && entry !== 'reset a'),
      ).toEqual(['reset b', 'reset c']);
    });
  });
});

describe('issue 12 item 1: createInsuredStore validates its options', () => {
  const insurance = createMemoryStore({ limit: 5, windowMs: 60_000, blockMs: 0, maxKeys: 100 });
  const valid = {
    shared: insurance,
    insurance,
    timeoutMs: 100,
    probeIntervalMs: 1000,
    label: 'test',
    logger: () => createMemoryLogger().logger,
  };
  const cases: [string, Record<string, unknown>, RegExp][] = [];
  for (const key of ['timeoutMs', 'probeIntervalMs'])
    for (const value of INVALID_COUNTS)
      cases.push([
        `${key}: ${showValue(value)}`,
        { ...valid, [key]: value },
        new RegExp(`"${key}"`),
      ]);
  cases.push(['timeoutMs: 2^31', { ...valid, timeoutMs: 2 ** 31 }, /"timeoutMs"/]);
  cases.push(['shared: {}', { ...valid, shared: {} }, /"shared"/]);
  cases.push(['insurance: null', { ...valid, insurance: null }, /"insurance"/]);
  cases.push(['label: 5', { ...valid, label: 5 }, /"label"/]);
  cases.push(['logger left out', { ...valid, logger: undefined }, /"logger"/]);

  it.each(cases)('refuses %s at construction', (_label, options, message) => {
    const build = () => createInsuredStore(options as never);
    expect(build).toThrow(GuardConfigError);
    expect(build).toThrow(/^createInsuredStore: /);
    expect(build).toThrow(message);
  });
});
