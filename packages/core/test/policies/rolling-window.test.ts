import { RollingWindow } from '../../src/policies/rolling-window';

describe('RollingWindow', () => {
  it('sums the calls recorded inside the window', () => {
    const window = new RollingWindow(1000, 10);
    window.record(true, 0);
    window.record(false, 50);
    window.record(false, 999);
    expect(window.totals(999)).toEqual({ successes: 1, failures: 2, total: 3 });
  });

  it('drops a bucket once it falls out of the window, one bucket at a time', () => {
    const window = new RollingWindow(1000, 10); // buckets of 100 ms
    window.record(false, 0); // bucket 0
    window.record(true, 150); // bucket 1
    window.record(false, 950); // bucket 9
    expect(window.totals(999).total).toBe(3);
    // At 1000 ms bucket 10 reuses slot 0: the call at 0 ms is gone, the others stay.
    expect(window.totals(1000)).toEqual({ successes: 1, failures: 1, total: 2 });
    expect(window.totals(1100)).toEqual({ successes: 0, failures: 1, total: 1 });
    expect(window.totals(1950)).toEqual({ successes: 0, failures: 0, total: 0 });
  });

  it('empties completely after a gap longer than the window', () => {
    const window = new RollingWindow(1000, 10);
    for (let t = 0; t < 1000; t += 10) window.record(t % 20 === 0, t);
    expect(window.totals(999).total).toBe(100);
    expect(window.totals(50_000)).toEqual({ successes: 0, failures: 0, total: 0 });
    window.record(true, 50_001);
    expect(window.totals(50_001).total).toBe(1);
  });

  it('keeps constant memory: a million calls over many windows leave only the last window', () => {
    const window = new RollingWindow(1000, 10);
    for (let i = 0; i < 1_000_000; i++) window.record(i % 4 !== 0, i / 10);
    // The last 1000 ms hold 10,000 calls (the window spans whole buckets), a quarter of them failures.
    const totals = window.totals(99_999.9);
    expect(totals.total).toBe(10_000);
    expect(totals.failures).toBe(2500);
  });

  it('puts a call from a clock that stepped back into the newest bucket', () => {
    const window = new RollingWindow(1000, 10);
    window.record(true, 5000);
    window.record(false, 4000);
    expect(window.totals(5000)).toEqual({ successes: 1, failures: 1, total: 2 });
  });

  it('forgets everything on reset', () => {
    const window = new RollingWindow(1000, 10);
    window.record(false, 10);
    window.reset();
    expect(window.totals(20).total).toBe(0);
  });
});
