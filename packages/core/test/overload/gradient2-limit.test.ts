import { createGradient2Limit } from '../../src/overload/gradient2-limit';
import { windowOf } from './window-sample';

const NETFLIX = { rttTolerance: 1.5, smoothing: 0.2, queueSize: 4, longWindow: 600, minLimit: 4 };

/** A Gradient2 limit whose baseline RTT has been learned as 20 ms (its 10 warm-up windows). */
function warmed() {
  const algorithm = createGradient2Limit(NETFLIX);
  for (let i = 0; i < 10; i++) algorithm.update(windowOf({ maxInflight: 5 }), 20);
  return algorithm;
}

describe('createGradient2Limit', () => {
  it('adds queueSize × smoothing per window while latency is within tolerance (Netflix)', () => {
    expect(warmed().update(windowOf({ rttMs: 25, maxInflight: 15 }), 20)).toBeCloseTo(20.8);
  });

  it('holds while less than half the limit is in use (app-limited)', () => {
    expect(warmed().update(windowOf({ rttMs: 200, maxInflight: 9, saturated: true }), 20)).toBe(20);
  });

  it('shrinks by the gradient, smoothed: at most 10 % a window', () => {
    expect(warmed().update(windowOf({ rttMs: 40 }), 20)).toBeCloseTo(19); // gradient 0.75
    expect(warmed().update(windowOf({ rttMs: 500 }), 20)).toBeCloseTo(18); // gradient floored at 0.5
  });

  it('doubles a saturated limit while latency is at its baseline, and grows by the headroom above it', () => {
    expect(warmed().update(windowOf({ saturated: true }), 20)).toBe(40);
    expect(warmed().update(windowOf({ rttMs: 25, saturated: true }), 20)).toBeCloseTo(24); // 1.5 × 20 / 25
  });

  it('learns its baseline from the fastest warm-up window: a server started under overload queues from its second window', () => {
    const algorithm = createGradient2Limit(NETFLIX);
    // The first window runs unqueued at 20 ms; the next nine queue behind a doubled limit.
    algorithm.update(windowOf({ rttMs: 20, maxInflight: 20, saturated: true }), 20);
    for (let i = 0; i < 9; i++)
      algorithm.update(windowOf({ rttMs: 100, maxInflight: 40, saturated: true }), 40);
    // With a 20 ms baseline, 100 ms is queueing: the limit shrinks (an averaged baseline of 92 ms
    // would have tolerated 138 ms and let it grow).
    expect(
      algorithm.update(windowOf({ rttMs: 100, maxInflight: 40, saturated: true }), 40),
    ).toBeLessThan(40);
  });

  it('does not grow without bound under modest overload: the queue term only when gradient ≥ 1 (Netflix/concurrency-limits#134)', () => {
    const algorithm = warmed();
    let limit = 20;
    // Work queues: latency in proportion to the concurrency, 1.6 × the baseline at 20.
    for (let i = 0; i < 2000; i++) {
      const inflight = Math.floor(limit);
      limit = algorithm.update(
        windowOf({
          rttMs: 1.6 * inflight,
          maxInflight: inflight,
          meanInflight: inflight,
          saturated: true,
        }),
        limit,
      );
    }
    // It settles where latency is 1.5 × the baseline (limit 18.75), and the baseline did not drift.
    expect(limit).toBeGreaterThan(17);
    expect(limit).toBeLessThan(20);
  });

  it('takes latency that stays over the tolerance at the minimum limit for the baseline, and grows again (go-concurrency-limits#117)', () => {
    const algorithm = warmed();
    // At the floor, saturated, every window twice the 20 ms baseline (the handler got slower, or
    // the baseline was learned on an idle process): the limit cannot cut that latency.
    expect(algorithm.update(windowOf({ rttMs: 40, maxInflight: 4, saturated: true }), 4)).toBe(4);
    // From then on the same latency is the baseline: the saturated limit doubles.
    expect(algorithm.update(windowOf({ rttMs: 40, maxInflight: 4, saturated: true }), 4)).toBe(8);
    // Above the floor, latency over the tolerance still shrinks the limit.
    expect(
      warmed().update(windowOf({ rttMs: 40, maxInflight: 5, saturated: true }), 5),
    ).toBeLessThan(5);
  });

  it('never grows on windows with drops, however steady their latency (Netflix/concurrency-limits#137)', () => {
    const algorithm = warmed();
    let limit = 20;
    for (let i = 0; i < 50; i++)
      limit = algorithm.update(windowOf({ successes: 45, drops: 5, saturated: true }), limit);
    expect(limit).toBeLessThan(20 * 0.99 ** 20);
    expect(algorithm.update(windowOf({ successes: 0, drops: 10 }), 20)).toBeCloseTo(18);
  });

  it('keeps its baseline through a long overload, so the first calm window doubles the limit again', () => {
    const algorithm = warmed();
    let limit = 20;
    for (let i = 0; i < 3000; i++) {
      const inflight = Math.floor(limit);
      limit = algorithm.update(
        windowOf({
          rttMs: 3 * inflight,
          maxInflight: inflight,
          meanInflight: inflight,
          saturated: true,
        }),
        limit,
      );
    }
    expect(
      algorithm.update(
        windowOf({ rttMs: 20, maxInflight: Math.floor(limit), saturated: true }),
        limit,
      ),
    ).toBe(2 * limit);
  });

  it('takes latency that does not fall with the limit as the service’s own: no collapse, no minimum', () => {
    const algorithm = warmed();
    let limit = 20;
    const trace: number[] = [];
    // The service got twice as slow: 40 ms at any concurrency.
    for (let i = 0; i < 60; i++) {
      const inflight = Math.floor(limit);
      limit = algorithm.update(
        windowOf({ rttMs: 40, maxInflight: inflight, meanInflight: inflight, saturated: true }),
        limit,
      );
      trace.push(limit);
    }
    expect(Math.min(...trace)).toBeGreaterThanOrEqual(14);
    expect(trace[trace.length - 1]).toBeGreaterThan(20);
  });

  it('keeps shrinking while latency falls with the limit (queueing), down to where it is within tolerance', () => {
    const algorithm = warmed();
    let limit = 20;
    for (let i = 0; i < 300; i++) {
      const inflight = Math.floor(limit);
      limit = algorithm.update(
        windowOf({
          rttMs: 4 * inflight,
          maxInflight: inflight,
          meanInflight: inflight,
          saturated: true,
        }),
        limit,
      );
    }
    expect(limit).toBeLessThan(9); // 4 × 7.5 ms = 30 ms = 1.5 × the baseline
  });
});
