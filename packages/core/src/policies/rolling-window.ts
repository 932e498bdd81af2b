/** Counts of a rolling window at one moment. */
export interface WindowTotals {
  readonly successes: number;
  readonly failures: number;
  readonly total: number;
}

/**
 * Successes and failures over the last `windowMs`, kept in `bucketCount` fixed buckets (a ring), so
 * memory stays constant however many calls are recorded, and old calls fall out one bucket at a time.
 * A call at time `t` lands in bucket `floor(t / bucketMs)`; the window at `now` covers the current
 * bucket and the `bucketCount − 1` before it, so it spans between `windowMs − bucketMs` and `windowMs`.
 */
export class RollingWindow {
  private readonly bucketMs: number;
  private readonly successes: Float64Array;
  private readonly failures: Float64Array;
  /** Absolute index (`floor(t / bucketMs)`) of the newest bucket. */
  private newest = -Infinity;
  private successTotal = 0;
  private failureTotal = 0;

  constructor(
    readonly windowMs: number,
    readonly bucketCount: number,
  ) {
    this.bucketMs = Math.max(1, windowMs / bucketCount);
    this.successes = new Float64Array(bucketCount);
    this.failures = new Float64Array(bucketCount);
  }

  /** Adds one call at `now` (epoch milliseconds). */
  record(isSuccess: boolean, now: number): void {
    const slot = this.advance(now);
    if (isSuccess) {
      this.successes[slot]! += 1;
      this.successTotal++;
    } else {
      this.failures[slot]! += 1;
      this.failureTotal++;
    }
  }

  /** The counts of the window ending at `now`. */
  totals(now: number): WindowTotals {
    this.advance(now);
    return {
      successes: this.successTotal,
      failures: this.failureTotal,
      total: this.successTotal + this.failureTotal,
    };
  }

  /** Forgets everything (a breaker closing starts a fresh window). */
  reset(): void {
    this.successes.fill(0);
    this.failures.fill(0);
    this.successTotal = this.failureTotal = 0;
    this.newest = -Infinity;
  }

  /** Moves the ring forward to `now`, emptying the buckets that fell out; returns the current slot. */
  private advance(now: number): number {
    const index = Math.floor(now / this.bucketMs);
    if (index > this.newest) {
      const steps = index - this.newest;
      if (steps >= this.bucketCount) {
        this.successes.fill(0);
        this.failures.fill(0);
        this.successTotal = this.failureTotal = 0;
      } else {
        for (let i = this.newest + 1; i <= index; i++) {
          const slot = i % this.bucketCount;
          this.successTotal -= this.successes[slot]!;
          this.failureTotal -= this.failures[slot]!;
          this.successes[slot] = 0;
          this.failures[slot] = 0;
        }
      }
      this.newest = index;
    }
    // A clock that steps back lands in the newest bucket rather than rewriting history.
    return this.newest % this.bucketCount;
  }
}
