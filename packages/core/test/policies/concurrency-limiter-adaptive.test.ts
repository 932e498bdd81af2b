import {
  limiterCoupling,
  limiterFromResolved,
  resolveConcurrencyOptions,
} from '../../src/policies/concurrency-limiter';
import type {
  LimiterCoupling,
  Permit,
  PermitOutcome,
} from '../../src/policies/concurrency-limiter';
import { createManualClock } from '../timers/manual-clock';

/** An adaptive limiter on a manual clock, counting its sampling windows. */
function setup() {
  const clock = createManualClock();
  const windows: number[] = [];
  const latencies: number[] = [];
  const limiter = limiterFromResolved(
    resolveConcurrencyOptions('test', { adaptive: { initialLimit: 20 } }),
    'test',
    {
      clock,
      onWindow: (window, limit) => {
        windows.push(limit);
        latencies.push(window.rttMs);
      },
    },
  );
  /** As many operations of `ms` at once as the limit allows, all ending with `outcome`, `rounds` times. */
  const run = (outcome: PermitOutcome, rounds: number, ms = 5) => {
    for (let r = 0; r < rounds; r++) {
      const permits: Permit[] = [];
      for (let i = limiter.limit; i > 0; i--) permits.push(limiter.tryAcquire() as Permit);
      clock.advance(ms);
      for (const permit of permits) permit.release(outcome);
    }
  };
  return { clock, limiter, windows, latencies, run };
}

describe('the adaptive concurrency limiter', () => {
  it('learns from finished operations: each is a latency sample, per window', () => {
    const { limiter, windows, run } = setup();
    run('success', 30);
    expect(windows.length).toBeGreaterThan(3);
    expect(limiter.active).toBe(0);
  });

  it('takes no sample from an operation whose client left', () => {
    const { windows, run } = setup();
    run('ignore', 30);
    expect(windows).toEqual([]);
  });

  it('shrinks the limit on drops (timeouts, 503s from a dependency)', () => {
    const { limiter, run } = setup();
    run('drop', 100);
    expect(limiter.limit).toBeLessThan(10);
  });

  it('neither grows nor shrinks on latency while held (guard(): while the process is overloaded), and still shrinks on drops', () => {
    const free = setup();
    free.run('success', 60);
    const grown = free.limiter.limit;
    expect(grown).toBeGreaterThan(20);
    free.run('success', 10, 50); // latency ten times what it was: unheld, the limit shrinks
    expect(free.limiter.limit).toBeLessThan(grown);

    const held = setup();
    let overloaded = true;
    limiterCoupling(held.limiter)?.holdWhile(() => overloaded);
    held.run('success', 60);
    expect(held.limiter.limit).toBe(20);
    held.run('success', 10, 50); // the wait for a saturated loop, not the dependency's
    expect(held.limiter.limit).toBe(20);
    held.run('drop', 20);
    const shrunk = held.limiter.limit;
    expect(shrunk).toBeLessThan(20);
    overloaded = false;
    held.run('success', 60);
    expect(held.limiter.limit).toBeGreaterThan(shrunk);
  });

  it("takes the event loop's delay off each latency sample (guard(): the wait for a saturated loop is not the dependency's)", () => {
    const plain = setup();
    plain.run('success', 10);
    expect(plain.latencies[0]).toBeCloseTo(5, 10);
    const discounted = setup();
    let loopDelayMs = 3;
    limiterCoupling(discounted.limiter)?.discountLoopDelay(() => loopDelayMs);
    discounted.run('success', 10);
    expect(discounted.latencies[0]).toBeCloseTo(2, 10);
    // Never below 0.1 ms: a delay longer than the operation leaves a sample, not a negative one.
    loopDelayMs = 50;
    discounted.run('success', 10);
    expect(discounted.latencies.at(-1)).toBeCloseTo(0.1, 10);
  });

  it('reports the share it refused to the door, and none when most arrivals found a free slot (a burst is no excess demand)', async () => {
    const limiter = limiterFromResolved(
      resolveConcurrencyOptions('test', { max: 2, maxQueue: 1 }),
      'test',
    );
    const coupling = limiterCoupling(limiter) as LimiterCoupling;
    const settle = (attempt: Promise<Permit>) =>
      attempt.then(
        (permit) => permit,
        () => undefined,
      );
    const finish = async (
      permits: (Permit | undefined)[],
      pending: Promise<Permit | undefined>[],
    ) => {
      for (const permit of permits) permit?.release();
      for (const permit of await Promise.all(pending)) permit?.release();
    };
    // Short of capacity: two arrivals find room, four find it full (one waits, three are refused).
    const running = [await limiter.acquire(), await limiter.acquire()];
    let full = [1, 2, 3, 4].map(() => settle(limiter.acquire()));
    expect(coupling.takeRefusedShare()).toBeCloseTo(3 / 5, 10);
    await finish(running, full);
    coupling.takeRefusedShare();
    // Room for most: ten arrivals served at once; then a burst finds it full, and one is refused.
    for (let i = 0; i < 10; i++) (await limiter.acquire()).release();
    const burst = [await limiter.acquire(), await limiter.acquire()];
    full = [1, 2].map(() => settle(limiter.acquire()));
    expect(coupling.takeRefusedShare()).toBe(0);
    await finish(burst, full);
    expect(limiter.active).toBe(0);
  });

  it('counts a permit released twice once, as one sample', () => {
    const { clock, limiter, windows } = setup();
    for (let i = 0; i < 40; i++) {
      const permit = limiter.tryAcquire() as Permit;
      clock.advance(5);
      permit.release('drop');
      permit.release('drop');
    }
    expect(limiter.active).toBe(0);
    // 40 single-sample drops make ⌊40 / 10⌋ windows at most (10 samples each).
    expect(windows.length).toBeLessThanOrEqual(4);
  });
});
