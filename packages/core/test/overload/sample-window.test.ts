import { SampleWindow } from '../../src/overload/sample-window';

describe('SampleWindow', () => {
  it('closes a window once it lasted its time and holds enough samples, with the figures of its samples', () => {
    const window = new SampleWindow({ minMs: 25, maxMs: 1000, minSamples: 3 });
    expect(window.add(0, 10, 1, false)).toBeUndefined();
    window.markSaturated();
    expect(window.add(10, 20, 3, false)).toBeUndefined();
    expect(window.add(20, 30, 2, true)).toBeUndefined(); // a drop: counted, not averaged
    const closed = window.add(25, 30, 2, false);
    expect(closed).toEqual({
      rttMs: 20,
      rttStdErrMs: expect.closeTo(Math.sqrt(100 / 3), 6),
      minRttMs: 10,
      maxInflight: 3,
      meanInflight: 2,
      successes: 3,
      drops: 1,
      saturated: true,
    });
  });

  it('extends a window short of samples instead of throwing it away (go-concurrency-limits#117)', () => {
    const window = new SampleWindow({ minMs: 25, maxMs: 1000, minSamples: 3 });
    window.add(0, 50, 1, false);
    window.add(500, 50, 1, false);
    expect(window.add(900, 50, 1, false)).toMatchObject({ successes: 3 });
  });

  it('ignores successes under 0.1 ms, and lasts twice the shortest RTT within [minMs, maxMs]', () => {
    const window = new SampleWindow({ minMs: 25, maxMs: 1000, minSamples: 1 });
    expect(window.add(0, 0.05, 1, false)).toBeUndefined();
    expect(window.add(30, 40, 1, false)).toBeUndefined(); // opens the window: closes at 55
    expect(window.add(55, 40, 1, false)).toMatchObject({ successes: 2, minRttMs: 40 });
    expect(window.add(100, 40, 1, false)).toBeUndefined(); // next one lasts 2 × 40 ms
    expect(window.add(135, 40, 1, false)).toMatchObject({ successes: 2 });
  });
});
