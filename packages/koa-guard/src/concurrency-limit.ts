import type { Middleware } from 'koa';
import {
  createConcurrencySection,
  createRequestGate,
  exposeCounts,
} from '@guard-suite/core/internal';
import type { ConcurrencyLimiter, ConcurrencyLimitOptions } from '@guard-suite/core';
import type { ConcurrencyCounts } from '@guard-suite/core';
import { admitAndRun } from './admission';

/** The `concurrencyLimit()` middleware, with the live counts. */
export type ConcurrencyLimitMiddleware = Middleware &
  ConcurrencyCounts & { readonly limiter: ConcurrencyLimiter };

/**
 * At most `max` requests downstream at once, `maxQueue` more waiting (FIFO, `queueTimeoutMs`);
 * beyond that 503 with `Retry-After`. A slot is freed exactly once, when the response closes.
 * @example app.use(concurrencyLimit({ max: 10, maxQueue: 50, queueTimeoutMs: 1000 }));
 */
export function concurrencyLimit(options?: ConcurrencyLimitOptions): ConcurrencyLimitMiddleware {
  const limiter = createConcurrencySection('concurrencyLimit', options);
  const gate = createRequestGate(limiter, undefined, options?.meterProvider);
  const middleware: Middleware = function concurrencyLimitMiddleware(ctx, next) {
    return admitAndRun(gate, ctx, next);
  };
  return exposeCounts(middleware, limiter) as ConcurrencyLimitMiddleware;
}
