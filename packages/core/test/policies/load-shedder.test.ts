import { createLoadShedder } from '../../src/policies/load-shedder';
import type { LoadProbe } from '../../src/policies/load-shedder';
import { CRITICALITIES } from '../../src/overload/criticality';

/** A probe the test steers: the decision logic without real load. */
function steeredProbe() {
  const current = {
    eventLoopDelayMs: 0,
    eventLoopUtilization: 0.1,
    heapUsedBytes: 1000,
    rssBytes: 5000,
    // Each manual sample() stands for one 100 ms interval (the shedder's own timer never runs here).
    intervalMs: 100,
  };
  const probe: LoadProbe = () => ({ ...current });
  return { current, probe };
}

const quietInterval = { sampleIntervalMs: 60_000 };

describe('createLoadShedder', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['heap used', { heapUsedBytes: 2000 }],
    ['RSS', { rssBytes: 6000 }],
  ])(
    'refuses every request of every class while %s is over its limit, none once back under',
    (_name, over) => {
      const { current, probe } = steeredProbe();
      const shedder = createLoadShedder({
        maxHeapUsedBytes: 1500,
        maxRssBytes: 5500,
        ...quietInterval,
        probe,
      });
      try {
        expect(shedder.overloaded).toBe(false);
        Object.assign(current, over);
        shedder.sample();
        expect(shedder.overloaded).toBe(true);
        expect(shedder.figures).toMatchObject({ ...over, overloaded: true, shedProbability: 1 });
        for (const criticality of CRITICALITIES) expect(shedder.shouldShed(criticality)).toBe(true);
        Object.assign(current, steeredProbe().current);
        shedder.sample();
        expect(shedder.overloaded).toBe(false);
        for (const criticality of CRITICALITIES)
          expect(shedder.shouldShed(criticality)).toBe(false);
      } finally {
        shedder.close();
      }
    },
  );

  it('refuses nothing for event-loop utilization alone (was: everything over 0.98, issue 10)', () => {
    const { current, probe } = steeredProbe();
    const shedder = createLoadShedder({ ...quietInterval, probe });
    current.eventLoopUtilization = 1;
    for (let i = 0; i < 50; i++) shedder.sample();
    expect(shedder.overloaded).toBe(false);
    expect(shedder.shouldShed()).toBe(false);
    shedder.close();
  });

  it('refuses nothing while a saturated loop keeps its delay at the target', () => {
    const { current, probe } = steeredProbe();
    const shedder = createLoadShedder({ targetEventLoopDelayMs: 40, ...quietInterval, probe });
    Object.assign(current, { eventLoopUtilization: 1, eventLoopDelayMs: 40 });
    for (let i = 0; i < 200; i++) shedder.sample();
    expect(shedder.figures).toMatchObject({ overloaded: false, shedProbability: 0 });
    shedder.close();
  });

  it('refuses a share that grows with a lasting delay over the maximum, sheddable first', () => {
    const { current, probe } = steeredProbe();
    const shedder = createLoadShedder({ ...quietInterval, probe });
    Object.assign(current, { eventLoopUtilization: 1, eventLoopDelayMs: 400 });
    // Teach it the traffic: 80 % sheddable, 20 % critical (shouldShed counts each request).
    const traffic = () => {
      for (let i = 0; i < 8; i++) shedder.shouldShed('sheddable');
      for (let i = 0; i < 2; i++) shedder.shouldShed('critical');
    };
    const shares: number[] = [];
    for (let i = 0; i < 4; i++) {
      traffic();
      shedder.sample();
      shares.push(shedder.figures.shedProbability);
    }
    // The first busy sample only tells the loop is busy: the overload has to last one more.
    expect(shares[0]).toBe(0);
    expect(shares[1]).toBeGreaterThan(0);
    expect(shares[1]).toBeLessThan(0.5);
    expect(shares).toEqual([...shares].sort((a, b) => a - b));
    expect(shedder.overloaded).toBe(true);
    const { shedProbabilities } = shedder.figures;
    expect(shedProbabilities.sheddable).toBeGreaterThan(0);
    expect(shedProbabilities.critical).toBe(0);
    expect(shedProbabilities.critical_plus).toBe(0);
    shedder.close();
  });

  it('decides a share between 0 and 1 with one random number per request', () => {
    const { current, probe } = steeredProbe();
    const shedder = createLoadShedder({ ...quietInterval, probe });
    Object.assign(current, { eventLoopUtilization: 1, eventLoopDelayMs: 400 });
    shedder.sample(); // a first busy sample: the overload has to last
    shedder.sample();
    const share = shedder.figures.shedProbabilities.critical;
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(1);
    const random = jest.spyOn(Math, 'random');
    random.mockReturnValueOnce(share - 0.01);
    expect(shedder.shouldShed()).toBe(true);
    random.mockReturnValueOnce(share + 0.01);
    expect(shedder.shouldShed()).toBe(false);
    expect(random).toHaveBeenCalledTimes(2);
    shedder.close();
  });

  it('draws no random number while nothing is refused', () => {
    const shedder = createLoadShedder({ ...quietInterval, probe: steeredProbe().probe });
    const random = jest.spyOn(Math, 'random');
    for (const criticality of CRITICALITIES) expect(shedder.shouldShed(criticality)).toBe(false);
    expect(random).not.toHaveBeenCalled();
    shedder.close();
  });

  it('builds a 503 LoadShedError with the configured Retry-After', () => {
    const shedder = createLoadShedder({
      retryAfterSeconds: 3,
      ...quietInterval,
      probe: steeredProbe().probe,
    });
    const error = shedder.error();
    expect(error).toMatchObject({
      status: 503,
      code: 'ERR_GUARD_OVERLOADED',
      retryAfterSeconds: 3,
      reason: 'overloaded',
    });
    shedder.close();
  });

  it('defaults: 100 ms sampling, a target of a quarter of the maximum delay', () => {
    const shedder = createLoadShedder({ probe: steeredProbe().probe });
    expect(shedder.options).toMatchObject({
      maxEventLoopDelayMs: 200,
      targetEventLoopDelayMs: 50,
      maxEventLoopUtilization: 0.98,
      maxHeapUsedBytes: Infinity,
      maxRssBytes: Infinity,
      sampleIntervalMs: 100,
      retryAfterSeconds: 10,
    });
    shedder.close();
    const scaled = createLoadShedder({ maxEventLoopDelayMs: 1000, probe: steeredProbe().probe });
    expect(scaled.options.targetEventLoopDelayMs).toBe(250);
    scaled.close();
  });

  it('samples on its interval with the real probe, and sheds on a loop kept busy and late', async () => {
    const shedder = createLoadShedder({ sampleIntervalMs: 50, maxEventLoopDelayMs: 20 });
    try {
      expect(shedder.figures.heapUsedBytes).toBeGreaterThan(0);
      const first = shedder.figures.sampledAt;
      await new Promise((resolve) => setTimeout(resolve, 60)); // let the histogram tick
      // Keep the loop busy for real, in 60 ms slices with only a setImmediate between them: no idle
      // time, and every timer runs ~60 ms late. That is a saturated loop whose delay is over 20 ms.
      let worstDelayMs = 0;
      let shed = false;
      const stop = Date.now() + 3000;
      while (Date.now() < stop && !shed) {
        const end = Date.now() + 60;
        while (Date.now() < end);
        await new Promise((resolve) => setImmediate(resolve));
        worstDelayMs = Math.max(worstDelayMs, shedder.figures.eventLoopDelayMs);
        shed = shedder.overloaded;
      }
      expect(shedder.figures.sampledAt).toBeGreaterThan(first);
      expect(worstDelayMs).toBeGreaterThan(20);
      expect(shedder.figures.eventLoopUtilization).toBeGreaterThan(0.9);
      expect(shed).toBe(true);
    } finally {
      shedder.close();
    }
  });

  it.each([
    ['maxEventLoopDelayMs: -1', { maxEventLoopDelayMs: -1 }],
    ['targetEventLoopDelayMs: 0', { targetEventLoopDelayMs: 0 }],
    ['targetEventLoopDelayMs: NaN', { targetEventLoopDelayMs: NaN }],
    ['targetEventLoopDelayMs equal to the maximum', { targetEventLoopDelayMs: 200 }],
    [
      'targetEventLoopDelayMs over the maximum',
      { maxEventLoopDelayMs: 100, targetEventLoopDelayMs: 150 },
    ],
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
