import { optionReader } from '../options/option-reader';
import { RollingWindow } from './rolling-window';

/** Options of a retry budget: retries may be at most `ratio` of the calls seen over `windowMs`. */
export interface RetryBudgetOptions {
  /** Most retries as a share of first attempts over the window, greater than 0 and at most 1. Default `0.2` (20 %). */
  ratio?: number;
  /** Length of the window, in milliseconds. Default `10000`. */
  windowMs?: number;
  /** Retries always allowed per window whatever the ratio, so a quiet service can still retry. Default `10`. */
  minRetries?: number;
}

/**
 * Counts first attempts and retries over a rolling window and refuses a retry that would push retries
 * above `ratio` of the calls: during an outage every call fails, and unbounded retries would multiply the
 * load on the very dependency that is struggling (the "retry storm").
 */
export interface RetryBudget {
  /** Records a first attempt. */
  recordCall(now: number): void;
  /** Takes one retry from the budget, or returns false when the budget is spent. */
  tryRetry(now: number): boolean;
}

/** Creates a retry budget from validated options. */
export function createRetryBudget(options: unknown, factory: string): RetryBudget {
  const read = optionReader(factory, options, ['ratio', 'windowMs', 'minRetries'], 'budget.');
  const ratio = read.ratio('ratio', 0.2);
  const windowMs = read.positiveInteger('windowMs', 10_000, 'milliseconds');
  const minRetries = read.nonNegativeInteger('minRetries', 10, 'retries');
  // Successes of the window hold first attempts, failures hold retries.
  const window = new RollingWindow(windowMs, 10);
  return {
    recordCall(now) {
      window.record(true, now);
    },
    tryRetry(now) {
      const { successes: calls, failures: retries } = window.totals(now);
      if (retries + 1 > minRetries && retries + 1 > ratio * calls) return false;
      window.record(false, now);
      return true;
    },
  };
}
