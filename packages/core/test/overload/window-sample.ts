import type { WindowSample } from '../../src/overload/limit-algorithm';

/** A sampling window for algorithm tests: 50 successes of 20 ms at 20 in flight, unless overridden. */
export function windowOf(overrides: Partial<WindowSample> = {}): WindowSample {
  return {
    rttMs: 20,
    rttStdErrMs: 0,
    minRttMs: 10,
    maxInflight: 20,
    meanInflight: 20,
    successes: 50,
    drops: 0,
    saturated: false,
    ...overrides,
  };
}
