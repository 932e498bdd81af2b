import { backoffDelayMs } from '../../src/internal';

const options = { baseDelayMs: 100, maxDelayMs: 5000 };

describe('backoffDelayMs', () => {
  it('doubles from baseDelayMs and stops at maxDelayMs without jitter', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 100, 2000].map((retry) =>
      backoffDelayMs(retry, { ...options, jitter: 'none' }),
    );
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it.each([['full', 0, 1] as const, ['equal', 0.5, 1] as const])(
    'keeps %s jitter within its bounds over 10,000 samples and spreads it',
    (jitter, low, high) => {
      for (const retry of [1, 3, 6, 9]) {
        const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
        let min = Infinity;
        let max = -Infinity;
        let sum = 0;
        for (let i = 0; i < 10_000; i++) {
          const delay = backoffDelayMs(retry, { ...options, jitter });
          min = Math.min(min, delay);
          max = Math.max(max, delay);
          sum += delay;
        }
        expect(min).toBeGreaterThanOrEqual(Math.floor(low * ceiling));
        expect(max).toBeLessThanOrEqual(high * ceiling);
        // Spread: the samples reach close to both ends, and the mean sits in the middle.
        expect(min).toBeLessThan(low * ceiling + 0.05 * ceiling);
        expect(max).toBeGreaterThan(high * ceiling - 0.05 * ceiling);
        expect(sum / 10_000).toBeGreaterThan(((low + high) / 2 - 0.05) * ceiling);
        expect(sum / 10_000).toBeLessThan(((low + high) / 2 + 0.05) * ceiling);
      }
    },
  );

  it('uses the injected random source at both ends', () => {
    expect(backoffDelayMs(2, { ...options, jitter: 'full' }, () => 0)).toBe(0);
    expect(backoffDelayMs(2, { ...options, jitter: 'full' }, () => 1)).toBe(200);
    expect(backoffDelayMs(2, { ...options, jitter: 'equal' }, () => 0)).toBe(100);
  });
});
