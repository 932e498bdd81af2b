import { CircuitOpenError } from '../errors/circuit-open-error';
import { isGuardError } from '../errors/guard-error';
import { TimeoutError } from '../errors/timeout-error';
import { currentLimit } from '../telemetry/concurrency-telemetry';
import { createRefusalSite } from '../telemetry/refusal';
import { createTelemetry } from '../telemetry/telemetry';
import { acquireTimed } from '../telemetry/timed-acquire';
import {
  limiterFromResolved,
  readConcurrencyMeterProvider,
  resolveConcurrencyOptions,
} from './concurrency-limiter';
import type { ConcurrencyLimiterOptions, PermitOutcome } from './concurrency-limiter';
import { contextOf } from './policy';
import type { ExecuteOptions, Policy, PolicyFn } from './policy';

/** Options of `createBulkhead`: the same as the inbound concurrency limit. */
export type BulkheadOptions = ConcurrencyLimiterOptions;

/** A bulkhead: at most `limit` calls at once (fixed `max` or adaptive), a bounded queue. */
export interface Bulkhead extends Policy {
  /** The current limit (fixed, or where the adaptive limit stands now). */
  readonly limit: number;
  /** Calls running now. */
  readonly active: number;
  /** Calls waiting for a slot. */
  readonly queued: number;
  /** Rejects the waiting calls (running calls finish) and stops its gauges. */
  close(this: void): void;
}

/**
 * Creates a bulkhead around an outbound dependency, so a slow one cannot tie up every request: at most
 * `max` calls run (or an adaptive limit without `max`, following the dependency's latency from each
 * call's start to its end), up to `maxQueue` wait, the rest reject with `ConcurrencyLimitError` (503,
 * `Retry-After`). It is the inbound concurrency limiter, reused.
 * @example
 * const bulkhead = createBulkhead({ max: 10, maxQueue: 20 });
 * await bulkhead.execute(({ signal }) => callPaymentApi(signal));
 * const adaptive = createBulkhead({ adaptive: true });
 */
export function createBulkhead(options: BulkheadOptions): Bulkhead {
  const factory = 'createBulkhead';
  const meterProvider = readConcurrencyMeterProvider(factory, options);
  const limiter = limiterFromResolved(
    resolveConcurrencyOptions(factory, options, '', true),
    factory,
    {},
    meterProvider,
  );
  const telemetry = createTelemetry(meterProvider);
  // Calls the bulkhead refuses are published on guard:reject; they are calls, not requests.
  const refusals = createRefusalSite(telemetry, 'concurrency', limiter.options.name, false);
  const refused = (error: unknown, waitedMs: number) =>
    isGuardError(error)
      ? refusals.refuse(error, { limit: currentLimit(limiter), queueWaitMs: Math.round(waitedMs) })
      : error;
  return {
    get limit() {
      return limiter.limit;
    },
    get active() {
      return limiter.active;
    },
    get queued() {
      return limiter.queued;
    },
    async execute<TResult>(fn: PolicyFn<TResult>, options?: ExecuteOptions): Promise<TResult> {
      const permit =
        limiter.tryAcquire() ??
        (await acquireTimed(limiter, options?.signal, undefined, telemetry, refused));
      let outcome: PermitOutcome = 'success';
      try {
        return await fn(contextOf(options));
      } catch (error) {
        outcome = failedCallOutcome(error, options?.signal);
        throw error;
      } finally {
        permit.release(outcome);
      }
    },
    close() {
      limiter.close();
      telemetry.close();
    },
  };
}

/**
 * What a failed call tells the adaptive limit: the caller gave up (no sample); a timeout, an open
 * breaker or any 503 (the dependency is overloaded) is a drop; another error still took the time
 * it took, a latency sample.
 */
export function failedCallOutcome(error: unknown, signal: AbortSignal | undefined): PermitOutcome {
  if (signal?.aborted) return 'ignore';
  if (error instanceof TimeoutError || error instanceof CircuitOpenError) return 'drop';
  const { status, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
  return status === 503 || statusCode === 503 ? 'drop' : 'success';
}
