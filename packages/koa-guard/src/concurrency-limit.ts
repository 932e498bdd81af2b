import type { Middleware } from 'koa';
import {
  createConcurrencySection,
  createRequestGate,
  exposeLimiter,
} from '@guard-suite/core/internal';
import type { ConcurrencyLimitControls, ConcurrencyLimitOptions } from '@guard-suite/core';
import { admitAndRun } from './admission';

/** The `concurrencyLimit()` middleware, with the live counts, `status()` and `close()`. */
export type ConcurrencyLimitMiddleware = Middleware & ConcurrencyLimitControls;

/**
 * Caps the requests downstream at once. Without `max` the limit adapts to measured latency
 * (Gradient2 from 20, requests beyond it wait in a CoDel queue, highest criticality first); with
 * `max: n` it is fixed (`maxQueue`, default 0, `queueTimeoutMs`). Beyond that, 503 with
 * `Retry-After`. A slot is freed exactly once, when the response closes.
 * @example app.use(concurrencyLimit()); // adaptive
 * @example app.use(concurrencyLimit({ max: 10, maxQueue: 50, queueTimeoutMs: 1000 }));
 */
export function concurrencyLimit(options?: ConcurrencyLimitOptions): ConcurrencyLimitMiddleware {
  const limiter = createConcurrencySection('concurrencyLimit', options);
  const gate = createRequestGate(limiter, undefined, options?.meterProvider);
  const middleware: Middleware = function concurrencyLimitMiddleware(ctx, next) {
    return admitAndRun(gate, ctx, next);
  };
  return exposeLimiter(middleware, limiter);
}
