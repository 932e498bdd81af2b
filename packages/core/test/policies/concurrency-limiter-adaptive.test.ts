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
    held.run('success', 30); // past the window with drops in it
    const after = held.limiter.limit;
    held.run('success', 10, 500); // latency alone again
    expect(held.limiter.limit).toBe(after);
    overloaded = false;
    held.run('success', 300); // windows last longer after 500 ms samples
    expect(held.limiter.limit).toBeGreaterThan(after);
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
    // Adaptive, as guard() has it, with a queue of 20.
    const limiter = limiterFromResolved(
      resolveConcurrencyOptions('test', { adaptive: { initialLimit: 20 }, maxQueue: 20 }),
      'test',
    );
    const coupling = limiterCoupling(limiter) as LimiterCoupling;
    // As guard()'s gate and a bulkhead arrive: a free slot at once, else the queue.
    const arrive = () =>
      Promise.resolve(limiter.tryAcquire() ?? limiter.acquire()).then(
        (permit) => permit,
        () => undefined,
      );
    const finish = async (pending: Promise<Permit | undefined>[]) => {
      const permits = await Promise.all(pending.slice(0, limiter.limit));
      for (const permit of permits) permit?.release();
      for (const permit of await Promise.all(pending)) permit?.release();
    };
    // Short of capacity: 20 arrivals find room, 60 find it full (20 wait, 40 are refused).
    let pending = [...Array(80)].map(arrive);
    await Promise.resolve();
    expect(coupling.takeRefusedShare()).toBeCloseTo(40 / (20 + 40), 10);
    await finish(pending);
    coupling.takeRefusedShare();
    // Room for most: 100 arrivals served one by one; then a burst of 60 finds it full.
    for (let i = 0; i < 100; i++) (await arrive())?.release();
    pending = [...Array(60)].map(arrive);
    await Promise.resolve();
    expect(coupling.takeRefusedShare()).toBe(0);
    await finish(pending);
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
