import type { ConcurrencyLimiter } from '../policies/concurrency-limiter';
import type { LoadFigures, LoadShedder } from '../policies/load-shedder';

/** The live counts a concurrency-limited middleware exposes. */
export interface ConcurrencyCounts {
  /** The current concurrency limit (adaptive or fixed); 0 without a limiter. */
  readonly limit: number;
  /** Requests holding a slot. */
  readonly active: number;
  /** Requests waiting for one. */
  readonly queued: number;
  readonly limiter: ConcurrencyLimiter | undefined;
}

/** What `concurrencyLimit()` adds to its middleware: the live counts, `status()` and `close()`. */
export interface ConcurrencyLimitControls extends ConcurrencyCounts {
  readonly limiter: ConcurrencyLimiter;
  /** The figures for a health endpoint, shaped like `guard().status()`'s section. */
  status(): { concurrency: { limit: number; active: number; queued: number } };
  /** Refuses the queued requests (reason `closed`); requests in the handlers finish. */
  close(): void;
}

/** What a load-shedding middleware exposes: the live figures, its shedder and `close()`. */
export interface LoadSheddingControls {
  readonly figures: LoadFigures;
  readonly shedder: LoadShedder;
  close(): void;
}

/** Adds the live `limit` / `active` / `queued` getters of a limiter (0 without one) to a middleware. */
export function exposeCounts<T extends object>(
  target: T,
  limiter: ConcurrencyLimiter | undefined,
): T & ConcurrencyCounts {
  return Object.defineProperties(target, {
    limit: { get: () => limiter?.limit ?? 0 },
    active: { get: () => limiter?.active ?? 0 },
    queued: { get: () => limiter?.queued ?? 0 },
    limiter: { value: limiter },
  }) as T & ConcurrencyCounts;
}

/** Adds a shedder's live `figures`, the shedder and `close()` to a middleware. */
export function exposeShedder<T extends object>(
  target: T,
  shedder: LoadShedder,
): T & LoadSheddingControls {
  return Object.defineProperties(target, {
    figures: { get: () => shedder.figures },
    shedder: { value: shedder },
    close: { value: () => shedder.close() },
  }) as T & LoadSheddingControls;
}

/** Adds a limiter's live counts, `status()` and `close()` to the `concurrencyLimit()` middleware. */
export function exposeLimiter<T extends object>(
  target: T,
  limiter: ConcurrencyLimiter,
): T & ConcurrencyLimitControls {
  return Object.defineProperties(exposeCounts(target, limiter), {
    status: {
      value: () => ({
        concurrency: { limit: limiter.limit, active: limiter.active, queued: limiter.queued },
      }),
    },
    close: { value: () => limiter.close() },
  }) as T & ConcurrencyLimitControls;
}
