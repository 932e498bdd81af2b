import { isGuardError } from '../errors/guard-error';
import { currentLimit } from '../telemetry/concurrency-telemetry';
import { createRefusalSite } from '../telemetry/refusal';
import { createTelemetry } from '../telemetry/telemetry';
import { acquireTimed } from '../telemetry/timed-acquire';
import { createConcurrencyLimiter } from './concurrency-limiter';
import type { ConcurrencyLimiterOptions } from './concurrency-limiter';
import { contextOf } from './policy';
import type { ExecuteOptions, Policy, PolicyFn } from './policy';

/** Options of `createBulkhead`: the same as the inbound concurrency limit. */
export type BulkheadOptions = ConcurrencyLimiterOptions;

/** A bulkhead: at most `max` calls at once, `maxQueue` waiting. */
export interface Bulkhead extends Policy {
  /** Calls running now. */
  readonly active: number;
  /** Calls waiting for a slot. */
  readonly queued: number;
  /** Rejects the waiting calls; running calls finish. */
  close(): void;
}

/**
 * Creates a bulkhead around an outbound dependency, so a slow one cannot tie up every request: at most
 * `max` calls run, up to `maxQueue` wait in order for `queueTimeoutMs`, the rest reject with
 * `ConcurrencyLimitError` (503, `Retry-After`). It is the inbound concurrency limiter, reused.
 * @example
 * const bulkhead = createBulkhead({ max: 10, maxQueue: 20 });
 * await bulkhead.execute(({ signal }) => callPaymentApi(signal));
 */
export function createBulkhead(options: BulkheadOptions): Bulkhead {
  const limiter = createConcurrencyLimiter(options, 'createBulkhead');
  const telemetry = createTelemetry(options.meterProvider);
  // Calls the bulkhead refuses are published on guard:reject; they are calls, not requests.
  const refusals = createRefusalSite(telemetry, 'concurrency', limiter.options.name, false);
  const refused = (error: unknown, waitedMs: number) =>
    isGuardError(error)
      ? refusals.refuse(error, { limit: currentLimit(limiter), queueWaitMs: Math.round(waitedMs) })
      : error;
  return {
    get active() {
      return limiter.active;
    },
    get queued() {
      return limiter.queued;
    },
    async execute<TResult>(fn: PolicyFn<TResult>, options?: ExecuteOptions): Promise<TResult> {
      const permit =
        limiter.tryAcquire() ?? (await acquireTimed(limiter, options?.signal, telemetry, refused));
      try {
        return await fn(contextOf(options));
      } finally {
        permit.release();
      }
    },
    close() {
      limiter.close();
      telemetry.close();
    },
  };
}
