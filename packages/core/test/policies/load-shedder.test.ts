import { createLoadShedder } from '../../src/policies/load-shedder';
import type { LoadProbe } from '../../src/policies/load-shedder';

/** A probe the test steers: the decision logic without real load. */
function steeredProbe() {
  const current = {
    eventLoopDelayMs: 0,
    eventLoopUtilization: 0.1,
    heapUsedBytes: 1000,
    rssBytes: 5000,
  };
  const probe: LoadProbe = () => ({ ...current });
  return { current, probe };
}

describe('createLoadShedder', () => {
  it.each([
    ['event-loop delay', { eventLoopDelayMs: 250 }],
    ['event-loop utilization', { eventLoopUtilization: 0.99 }],
    ['heap used', { heapUsedBytes: 2000 }],
    ['RSS', { rssBytes: 6000 }],
  ])('sheds while %s is over its limit and stops once the sample is back under', (_name, over) => {
    const { current, probe } = steeredProbe();
    const shedder = createLoadShedder(
      { maxHeapUsedBytes: 1500, maxRssBytes: 5500, sampleIntervalMs: 60_000 },
      probe,
    );
    try {
      expect(shedder.overloaded).toBe(false);
      Object.assign(current, over);
      shedder.sample();
      expect(shedder.overloaded).toBe(true);
      expect(shedder.figures).toMatchObject({ ...over, overloaded: true });
      Object.assign(current, steeredProbe().current);
      shedder.sample();
      expect(shedder.overloaded).toBe(false);
    } finally {
      shedder.close();
    }
  });

  it('treats a figure equal to its limit as not over it', () => {
    const { current, probe } = steeredProbe();
    const shedder = createLoadShedder(
      { maxEventLoopDelayMs: 100, sampleIntervalMs: 60_000 },
      probe,
    );
    current.eventLoopDelayMs = 100;
    shedder.sample();
    expect(shedder.overloaded).toBe(false);
    shedder.close();
  });

  it('builds a 503 LoadShedError with the configured Retry-After', () => {
    const shedder = createLoadShedder(
      { retryAfterSeconds: 3, sampleIntervalMs: 60_000 },
      steeredProbe().probe,
    );
    const error = shedder.error();
    expect(error).toMatchObject({
      status: 503,
      code: 'ERR_GUARD_OVERLOADED',
      retryAfterSeconds: 3,
    });
    shedder.close();
  });

  it('samples on its interval with the real probe, and notices a blocked event loop', async () => {
    const shedder = createLoadShedder({ sampleIntervalMs: 150, maxEventLoopDelayMs: 20 });
    try {
      expect(shedder.figures.heapUsedBytes).toBeGreaterThan(0);
      const first = shedder.figures.sampledAt;
      await new Promise((resolve) => setTimeout(resolve, 60)); // let the histogram tick
      // Block the loop for real: the histogram records one very late tick.
      const end = Date.now() + 400;
      while (Date.now() < end);
      let worstDelayMs = 0;
      let shed = false;
      const stop = Date.now() + 600;
      while (Date.now() < stop && !shed) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        worstDelayMs = Math.max(worstDelayMs, shedder.figures.eventLoopDelayMs);
        shed = shedder.overloaded;
      }
      expect(shedder.figures.sampledAt).toBeGreaterThan(first);
      expect(worstDelayMs).toBeGreaterThan(20);
      expect(shed).toBe(true);
    } finally {
      shedder.close();
    }
  });

  it.each([
    ['maxEventLoopDelayMs: -1', { maxEventLoopDelayMs: -1 }],
    ['maxEventLoopUtilization: 0', { maxEventLoopUtilization: 0 }],
    ['maxEventLoopUtilization: NaN', { maxEventLoopUtilization: NaN }],
    ['maxHeapUsedBytes: 1.5', { maxHeapUsedBytes: 1.5 }],
    ['sampleIntervalMs: Infinity', { sampleIntervalMs: Infinity }],
    ['retryAfterSeconds: null', { retryAfterSeconds: null }],
    ['an unknown key', { maxHeap: 1 }],
  ])('refuses %s', (_name, options) => {
    expect(() => createLoadShedder(options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_GUARD_INVALID_OPTION' }),
    );
  });
});
