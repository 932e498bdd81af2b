import { GuardConfigError } from '../../src/errors/guard-config-error';
import {
  createAdaptiveLimit,
  resolveAdaptiveLimitOptions,
} from '../../src/overload/adaptive-limit';

describe('resolveAdaptiveLimitOptions', () => {
  it('resolves adaptive: true to Gradient2 from 20 within [4, 1000], 5× peak in-flight, 25 ms windows', () => {
    expect(resolveAdaptiveLimitOptions('guard', true, 'concurrency.adaptive.')).toEqual({
      algorithm: 'gradient2',
      initialLimit: 20,
      minLimit: 4,
      maxLimit: 1000,
      maxLimitFactor: 5,
      window: { minMs: 25, maxMs: 1000, minSamples: 10 },
      settings: { rttTolerance: 1.5, smoothing: 0.2, queueSize: 4, longWindow: 600 },
    });
  });

  it('takes each algorithm’s own settings with Netflix’s defaults', () => {
    expect(resolveAdaptiveLimitOptions('guard', { algorithm: 'vegas' }).settings).toEqual({
      smoothing: 1,
      probeMultiplier: 30,
    });
    expect(
      resolveAdaptiveLimitOptions('guard', { algorithm: 'aimd', backoffRatio: 0.5 }).settings,
    ).toEqual({
      backoffRatio: 0.5,
      timeoutMs: 5000,
    });
  });

  it.each([
    ['algorithm', { algorithm: 'bbr' }],
    ['minLimit', { minLimit: 0 }],
    ['maxLimit', { minLimit: 10, maxLimit: 5 }],
    ['initialLimit', { initialLimit: 2000 }],
    ['initialLimit', { minLimit: 30, initialLimit: 20 }],
    ['maxLimitFactor', { maxLimitFactor: 0.5 }],
    ['rttTolerance', { rttTolerance: 0.9 }],
    ['smoothing', { smoothing: 0 }],
    ['queueSize', { queueSize: -1 }],
    ['backoffRatio', { algorithm: 'aimd', backoffRatio: 1 }],
    ['window.minMs', { window: { minMs: 0 } }],
    ['window.maxMs', { window: { minMs: 500, maxMs: 100 } }],
    ['window.minSamples', { window: { minSamples: 1.5 } }],
    ['probeMultiplier', { probeMultiplier: 10 }], // a Vegas option under Gradient2
    ['rttTolerance', { algorithm: 'aimd', rttTolerance: 2 }],
    ['window', { window: 5 }],
  ])('refuses a bad %s at construction, naming its path', (option, value) => {
    const resolve = () => resolveAdaptiveLimitOptions('guard', value, 'concurrency.adaptive.');
    expect(resolve).toThrow(GuardConfigError);
    expect(resolve).toThrow(`"concurrency.adaptive.${option}"`);
  });
});

describe('createAdaptiveLimit', () => {
  const options = (extra: Record<string, unknown> = {}) =>
    resolveAdaptiveLimitOptions('test', { window: { minMs: 25, minSamples: 10 }, ...extra });
  /** Feeds one closed window of ten 20 ms samples at `inflight`, starting at `at` ms. */
  const feedWindow = (
    limit: ReturnType<typeof createAdaptiveLimit>,
    at: number,
    inflight: number,
    rttMs = 20,
  ) => {
    let changed = false;
    for (let i = 0; i < 10; i++)
      changed = limit.sample(at + 3 * i, rttMs, inflight, false) || changed;
    return changed;
  };

  it('starts at initialLimit and moves only when a window closes', () => {
    const limit = createAdaptiveLimit(options());
    expect(limit.limit).toBe(20);
    expect(limit.sample(0, 20, 20, false)).toBe(false);
    expect(limit.limit).toBe(20);
  });

  it('never rises far above what is in use: within 5× the window’s peak in-flight, stepping down', () => {
    const limit = createAdaptiveLimit(options({ initialLimit: 100 }));
    let at = 0;
    for (let w = 0; w < 100; w++, at += 40) feedWindow(limit, at, 4);
    expect(limit.limit).toBe(20); // 5 × 4
    const windows: number[] = [];
    const traced = createAdaptiveLimit(options({ initialLimit: 100 }), Math.random, (_w, l) =>
      windows.push(l),
    );
    feedWindow(traced, 0, 4);
    feedWindow(traced, 40, 4);
    expect(windows).toEqual([98, 97]); // down by ⌊log10(limit)⌋ a window, not in one jump
  });

  it('stays within [minLimit, maxLimit] and can be set by hand', () => {
    const limit = createAdaptiveLimit(options({ minLimit: 10, maxLimit: 30, initialLimit: 20 }));
    limit.set(500);
    expect(limit.limit).toBe(30);
    limit.set(1);
    expect(limit.limit).toBe(10);
  });

  it('tells its caller when the limit changed', () => {
    const limit = createAdaptiveLimit(options({ initialLimit: 100 }));
    expect(feedWindow(limit, 0, 4)).toBe(true);
  });
});
