import { createShedController } from '../../src/overload/shed-controller';
import type { LoadMeasurement, ShedController } from '../../src/overload/shed-controller';

const settings = {
  targetEventLoopDelayMs: 50,
  maxEventLoopDelayMs: 200,
  maxEventLoopUtilization: 0.98,
  maxHeapUsedBytes: 1000,
  maxRssBytes: 2000,
  sampleIntervalMs: 100,
};

const sample = (over: Partial<LoadMeasurement> = {}): LoadMeasurement => ({
  eventLoopDelayMs: 0,
  eventLoopUtilization: 1,
  heapUsedBytes: 10,
  rssBytes: 10,
  intervalMs: 100,
  ...over,
});

/** Feeds `count` identical samples and returns the refused share after each. */
function feed(controller: ShedController, count: number, over: Partial<LoadMeasurement>) {
  const shares: number[] = [];
  for (let i = 0; i < count; i++) {
    controller.update(sample(over));
    shares.push(controller.shedProbability);
  }
  return shares;
}

/** Arms the controller and brings the refused share near `share` with a delay over the maximum. */
function armed(): ShedController {
  const controller = createShedController(settings);
  feed(controller, 4, { eventLoopDelayMs: 400 });
  return controller;
}

describe('createShedController', () => {
  it('refuses nothing while a saturated loop stays at its target delay', () => {
    const controller = createShedController(settings);
    expect(feed(controller, 600, { eventLoopDelayMs: 50, eventLoopUtilization: 1 })).toEqual(
      Array(600).fill(0),
    );
  });

  it('refuses nothing for utilization alone, however high', () => {
    const controller = createShedController(settings);
    expect(Math.max(...feed(controller, 100, { eventLoopUtilization: 1 }))).toBe(0);
  });

  it('refuses nothing while the delay wanders over its target but stays under the maximum', () => {
    const controller = createShedController(settings);
    const delays = [120, 190, 60, 150, 199, 30, 180];
    for (const eventLoopDelayMs of delays) controller.update(sample({ eventLoopDelayMs }));
    expect(controller.shedProbability).toBe(0);
  });

  it('refuses nothing for a delay over the maximum in a loop that had idle time (one slow call)', () => {
    const controller = createShedController(settings);
    feed(controller, 5, { eventLoopDelayMs: 900, eventLoopUtilization: 0.9 });
    expect(controller.shedProbability).toBe(0);
  });

  it('refuses nothing for one busy sample over the maximum after an idle one (a long start-up)', () => {
    const controller = createShedController(settings);
    feed(controller, 3, { eventLoopUtilization: 0.3 });
    controller.update(sample({ eventLoopDelayMs: 3000, intervalMs: 3000 }));
    feed(controller, 5, { eventLoopDelayMs: 5, eventLoopUtilization: 0.4 });
    expect(controller.shedProbability).toBe(0);
  });

  it('starts at the second busy sample over the maximum and rises step by step, not as a cliff', () => {
    const controller = createShedController(settings);
    controller.update(sample({ eventLoopDelayMs: 300 })); // the first busy sample only arms nothing
    expect(controller.shedProbability).toBe(0);
    const shares = feed(controller, 6, { eventLoopDelayMs: 300 });
    expect(shares[0]).toBeGreaterThan(0);
    expect(shares[0]).toBeLessThanOrEqual(0.15 + 1e-9); // at most 1.5 per second, 0.1 s a step
    for (let i = 1; i < shares.length; i++) {
      expect(shares[i]).toBeGreaterThan(shares[i - 1] as number);
      expect((shares[i] as number) - (shares[i - 1] as number)).toBeLessThanOrEqual(0.15 + 1e-9);
    }
  });

  it('once armed, holds its share at the target, raises it above and lowers it below', () => {
    const controller = armed();
    const start = controller.shedProbability;
    controller.update(sample({ eventLoopDelayMs: 50 })); // the trend term pulls down from 400...
    const atTarget = controller.shedProbability;
    feed(controller, 5, { eventLoopDelayMs: 50 }); // ...then, at the target, nothing moves
    expect(controller.shedProbability).toBeCloseTo(atTarget, 10);
    expect(atTarget).toBeLessThan(start);
    feed(controller, 5, { eventLoopDelayMs: 80 });
    const above = controller.shedProbability;
    expect(above).toBeGreaterThan(atTarget);
    feed(controller, 5, { eventLoopDelayMs: 30 });
    expect(controller.shedProbability).toBeLessThan(above);
  });

  it('falls back to nothing and disarms once the loop has idle time and a short delay', () => {
    const controller = armed();
    expect(controller.shedProbability).toBeGreaterThan(0.3);
    const shares = feed(controller, 20, { eventLoopDelayMs: 2, eventLoopUtilization: 0.6 });
    // At most 2 per second down: gradual, and over within two seconds.
    for (let i = 1; i < shares.length; i++)
      expect((shares[i - 1] as number) - (shares[i] as number)).toBeLessThanOrEqual(0.2 + 1e-9);
    expect(shares.at(-1)).toBe(0);
    // Disarmed: a delay over the target but under the maximum refuses nothing again.
    feed(controller, 3, { eventLoopDelayMs: 150 });
    expect(controller.shedProbability).toBe(0);
  });

  it('starts when a saturated loop accepts a connection most turns for five samples (clients in the listen queue)', () => {
    const controller = createShedController(settings);
    // Under CPU overload the delay stays near its target: the excess waits in the kernel.
    const backlog = { eventLoopDelayMs: 45, newConnectionShare: 0.9 };
    expect(feed(controller, 4, backlog)).toEqual([0, 0, 0, 0]);
    const shares = feed(controller, 10, backlog);
    expect(shares[0]).toBeGreaterThan(0);
    // 0.5 per second at least, whatever the delay, while the queue is there.
    expect((shares[9] as number) - (shares[0] as number)).toBeGreaterThanOrEqual(0.45 - 1e-9);
  });

  it('takes no listen queue from new connections on a loop with idle time, nor from a short run of them', () => {
    const idle = createShedController(settings);
    feed(idle, 20, { eventLoopDelayMs: 45, eventLoopUtilization: 0.9, newConnectionShare: 1 });
    expect(idle.shedProbability).toBe(0);
    const brief = createShedController(settings);
    for (let i = 0; i < 10; i++) {
      feed(brief, 4, { eventLoopDelayMs: 45, newConnectionShare: 0.9 });
      feed(brief, 1, { eventLoopDelayMs: 45, newConnectionShare: 0.1 });
    }
    expect(brief.shedProbability).toBe(0);
    // Iterations too short to delay anything drain the queue fast: a loop with connections to
    // accept never waits in poll, so it reads fully busy, but it is not saturated with work.
    const draining = createShedController(settings);
    feed(draining, 20, { eventLoopDelayMs: 2, newConnectionShare: 1 });
    expect(draining.shedProbability).toBe(0);
  });

  it('eases off slowly after a listen queue while the loop stays near saturation, fast once it idles', () => {
    const controller = createShedController(settings);
    feed(controller, 13, { eventLoopDelayMs: 45, newConnectionShare: 0.9 });
    const reached = controller.shedProbability;
    // The right share: the queue is gone, clients still connect now and then, the loop is near
    // saturation and the delay low.
    const right = { eventLoopDelayMs: 10, eventLoopUtilization: 0.95, newConnectionShare: 0.2 };
    feed(controller, 10, right);
    expect(reached - controller.shedProbability).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(controller.shedProbability).toBeGreaterThan(0);
    // The load is gone: the loop idles and the share decays to nothing.
    feed(controller, 30, { eventLoopDelayMs: 1, eventLoopUtilization: 0.3 });
    expect(controller.shedProbability).toBe(0);
  });

  it('lets go at once after a burst of connections (a closed-loop client starting): nobody connects, iterations short', () => {
    const controller = createShedController(settings);
    feed(controller, 6, { eventLoopDelayMs: 8, newConnectionShare: 1 }); // 50 connections, one a turn
    expect(controller.shedProbability).toBeGreaterThan(0);
    // Saturated for good by the same 50 connections, with a 2 ms delay: not overloaded.
    const shares = feed(controller, 10, { eventLoopDelayMs: 2, newConnectionShare: 0 });
    expect(shares.at(-1)).toBe(0);
    // On a slower machine the same 50 keep 12 ms iterations: still under the target, so the full
    // loop does not hold the share up (that is for a queue the delay showed).
    const slower = createShedController(settings);
    feed(slower, 12, { eventLoopDelayMs: 12, newConnectionShare: 1 });
    const raised = slower.shedProbability;
    expect(raised).toBeGreaterThan(0.3);
    // Faster than the 0.2 a second a full loop allows after a real queue.
    const after = feed(slower, 10, { eventLoopDelayMs: 12, newConnectionShare: 0 }).at(
      -1,
    ) as number;
    expect(raised - after).toBeGreaterThan(0.3);
  });

  it('takes over the concurrency limit’s refusals at the door, leaving it a tenth, and gives them back', () => {
    const controller = createShedController(settings);
    const calm = { eventLoopDelayMs: 2, eventLoopUtilization: 0.5 };
    // The limit refuses two thirds of what reaches it: the door's share rises 2 × (0.67 − 0.1) a second.
    feed(controller, 5, { ...calm, limitRefusedShare: 2 / 3 });
    expect(controller.shedProbability).toBeCloseTo(5 * 0.1 * 2 * (2 / 3 - 0.1), 5);
    expect(controller.isProcessOverloaded).toBe(false);
    // At a tenth it holds; below it eases off; with nothing refused it halves every 300 ms.
    const held = controller.shedProbability;
    feed(controller, 5, { ...calm, limitRefusedShare: 0.1 });
    expect(controller.shedProbability).toBeCloseTo(held, 10);
    feed(controller, 5, { ...calm, limitRefusedShare: 0.05 });
    expect(controller.shedProbability).toBeLessThan(held);
    feed(controller, 30, { ...calm, limitRefusedShare: 0 });
    expect(controller.shedProbability).toBe(0);
    // Requests came but none reached the limit: no news, the door stays where it was; no requests
    // at all: it decays.
    const rebuilt = createShedController(settings);
    feed(rebuilt, 5, { ...calm, limitRefusedShare: 0.9 });
    const open = rebuilt.shedProbability;
    for (let i = 0; i < 3; i++) {
      rebuilt.arrivals.critical += 10;
      rebuilt.update(sample(calm));
    }
    expect(rebuilt.shedProbability).toBeCloseTo(open, 10);
    feed(rebuilt, 30, calm);
    expect(rebuilt.shedProbability).toBe(0);
    // Without a limit (no share given) the door stays shut.
    const alone = createShedController(settings);
    feed(alone, 5, calm);
    expect(alone.shedProbability).toBe(0);
  });

  it('without connection figures (a custom caller, no socket), decays while the loop has idle time, as fast as that idle time can take', () => {
    const controller = armed();
    const start = controller.shedProbability;
    expect(start).toBeGreaterThan(0.3);
    // 0.9 busy while refusing `start`: the next share admits what fills the loop to 0.95.
    const shares = feed(controller, 40, { eventLoopDelayMs: 5, eventLoopUtilization: 0.9 });
    expect(shares[0]).toBeCloseTo(1 - (1 - start) * (0.95 / 0.9), 10);
    expect(shares.at(-1)).toBe(0);
  });

  it('lowers its share slowly while the loop stays full, however short the delay (a drained queue is not a gone load)', () => {
    const controller = armed();
    const start = controller.shedProbability;
    // Refusing just enough drains the queue: the delay reads short, but the loop is still full.
    const shares = feed(controller, 5, { eventLoopDelayMs: 10, newConnectionShare: 0 });
    expect(start - (shares.at(-1) as number)).toBeCloseTo(0.1, 10); // 0.2 a second
    // Idle time tells how far below it may go: at 0.9 busy, what fills the loop to 0.95.
    controller.update(sample({ eventLoopDelayMs: 10, eventLoopUtilization: 0.9 }));
    const admitted = 1 - (shares.at(-1) as number);
    expect(1 - controller.shedProbability).toBeCloseTo(admitted * (0.95 / 0.9), 10);
  });

  it('counts a late sample for the time it covers, up to four intervals', () => {
    const rise = (intervalMs: number) => {
      const controller = armed();
      feed(controller, 3, { eventLoopDelayMs: 100 }); // a steady delay: no trend left
      const before = controller.shedProbability;
      controller.update(sample({ eventLoopDelayMs: 100, intervalMs }));
      return controller.shedProbability - before;
    };
    expect(rise(100)).toBeGreaterThan(0);
    expect(rise(300)).toBeCloseTo(3 * rise(100), 10);
    expect(rise(10_000)).toBeCloseTo(rise(400), 10);
  });

  it.each([
    ['heap', { heapUsedBytes: 1001 }],
    ['RSS', { rssBytes: 2001 }],
  ])('refuses every class while %s is over its limit, whatever the delay', (_name, over) => {
    const controller = createShedController(settings);
    controller.update(sample({ ...over, eventLoopUtilization: 0.1 }));
    expect(controller.isOverHardLimit).toBe(true);
    expect(controller.probabilities).toEqual({
      critical_plus: 1,
      critical: 1,
      sheddable_plus: 1,
      sheddable: 1,
    });
    controller.update(sample({ eventLoopUtilization: 0.1 }));
    expect(controller.isOverHardLimit).toBe(false);
    expect(controller.probabilities.critical).toBe(0);
  });

  it('spreads its share over the counted traffic mix, sheddable first', () => {
    const controller = createShedController(settings);
    // Ten quiet intervals to learn the mix, then four over the maximum.
    for (let i = 0; i < 14; i++) {
      controller.arrivals.sheddable += 80;
      controller.arrivals.critical += 20;
      controller.update(sample({ eventLoopDelayMs: i < 10 ? 0 : 400 }));
    }
    // About 0.6 of all requests: three quarters of the sheddable ones, no critical one.
    expect(controller.shedProbability).toBeGreaterThan(0.5);
    expect(controller.shedProbability).toBeLessThan(0.8);
    expect(controller.probabilities.sheddable).toBeCloseTo(controller.shedProbability / 0.8, 2);
    expect(controller.probabilities.critical).toBe(0);
    // The counts are taken in at each update.
    expect(controller.arrivals).toEqual({
      critical_plus: 0,
      critical: 0,
      sheddable_plus: 0,
      sheddable: 0,
    });
  });

  it('caps the delay it reasons on at the maximum: a drained 2 s iteration does not throw the share to zero', () => {
    const controller = armed();
    feed(controller, 3, { eventLoopDelayMs: 2000, intervalMs: 400 });
    const high = controller.shedProbability;
    controller.update(sample({ eventLoopDelayMs: 600, intervalMs: 400 }));
    // Still far over the maximum: the share keeps rising although the delay fell by 1.4 s.
    expect(controller.shedProbability).toBeGreaterThanOrEqual(high);
  });

  it.each([900, 150])(
    'raises no share while the delay is over the target but falling (the queue drains): from %i ms',
    (delay) => {
      const controller = armed();
      feed(controller, 2, { eventLoopDelayMs: delay });
      const held = controller.shedProbability;
      // Falling: no rise, although the delay is still over the target.
      controller.update(sample({ eventLoopDelayMs: delay - 40 }));
      expect(controller.shedProbability).toBeLessThanOrEqual(held);
      controller.update(sample({ eventLoopDelayMs: delay })); // rising again: up
      expect(controller.shedProbability).toBeGreaterThan(held);
    },
  );

  it('reads a NaN or negative delay as none', () => {
    const controller = armed();
    const before = controller.shedProbability;
    controller.update(sample({ eventLoopDelayMs: NaN }));
    const afterNaN = controller.shedProbability;
    expect(afterNaN).toBeLessThan(before);
    const other = armed();
    other.update(sample({ eventLoopDelayMs: -5 }));
    expect(other.shedProbability).toBeCloseTo(afterNaN, 10);
  });
});
