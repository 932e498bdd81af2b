import { createVegasLimit } from '../../src/overload/vegas-limit';
import { windowOf } from './window-sample';

const settings = { smoothing: 1, probeMultiplier: 30, random: () => 0.5 };

/** A Vegas limit whose no-load RTT is 20 ms. */
function measured() {
  const algorithm = createVegasLimit(settings);
  expect(algorithm.update(windowOf(), 20)).toBe(20); // the first window only measures
  return algorithm;
}

describe('createVegasLimit', () => {
  it('adds 6 × log10(limit) while there is no queue, log10(limit) while it is small (Netflix)', () => {
    expect(measured().update(windowOf({ rttMs: 20 }), 20)).toBe(26);
    // queue = ceil(20 × (1 − 20/22)) = 2: above the threshold (1), under alpha (3).
    expect(measured().update(windowOf({ rttMs: 22 }), 20)).toBe(21);
  });

  it('takes log10(limit) away when the queue is over 6 × log10(limit), or on a drop', () => {
    expect(measured().update(windowOf({ rttMs: 40 }), 20)).toBe(19);
    expect(measured().update(windowOf({ drops: 1 }), 20)).toBe(19);
    expect(measured().update(windowOf({ successes: 0, drops: 3 }), 20)).toBe(19);
  });

  it('holds between 3 and 6 × log10(limit), and while less than half the limit is in use', () => {
    expect(measured().update(windowOf({ rttMs: 25 }), 20)).toBe(20); // queue 4
    expect(measured().update(windowOf({ rttMs: 40, maxInflight: 9 }), 20)).toBe(20);
  });

  it('does not read the noise of a window’s mean as a queue', () => {
    // 24 ms ± 2 ms standard error: within two standard errors of 20 ms plus the noise, no queue.
    expect(measured().update(windowOf({ rttMs: 24, rttStdErrMs: 2 }), 20)).toBe(26);
  });

  it('measures the no-load RTT again every probeMultiplier × limit × jitter windows', () => {
    const algorithm = measured();
    // The service got slower for good: 40 ms. Vegas takes it for a queue and backs off to 12, where
    // the estimated queue (6) is within its band and it holds...
    let limit = 20;
    const trace: number[] = [];
    for (let i = 0; i < 400; i++) {
      const inflight = Math.floor(limit);
      limit = algorithm.update(windowOf({ rttMs: 40, maxInflight: inflight }), limit);
      trace.push(limit);
    }
    expect(trace[250]).toBe(12);
    // ...until the probe (30 × 12 × 0.75 = 270 windows) takes 40 ms as the no-load RTT: it grows again.
    expect(trace[399]).toBeGreaterThan(20);
  });
});
