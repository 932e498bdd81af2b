import type { RequestHandler } from 'express';
import {
  createConcurrencySection,
  createRequestGate,
  exposeCounts,
} from '@guard-suite/core/internal';
import type { ConcurrencyLimiter, ConcurrencyLimitOptions } from '@guard-suite/core';
import type { ConcurrencyCounts } from '@guard-suite/core';
import { admit } from './admission';

/** The `concurrencyLimit()` middleware, with the live counts. */
export type ConcurrencyLimitMiddleware = RequestHandler &
  ConcurrencyCounts & { readonly limiter: ConcurrencyLimiter };

/**
 * At most `max` requests in the handlers at once, `maxQueue` more waiting (FIFO, `queueTimeoutMs`);
 * beyond that 503 with `Retry-After`. A slot is freed exactly once, when the response closes.
 * @example app.use(concurrencyLimit({ max: 10, maxQueue: 50, queueTimeoutMs: 1000 }));
 */
export function concurrencyLimit(options?: ConcurrencyLimitOptions): ConcurrencyLimitMiddleware {
  const limiter = createConcurrencySection('concurrencyLimit', options);
  const gate = createRequestGate(limiter, undefined, options?.meterProvider);
  const middleware: RequestHandler = function concurrencyLimitMiddleware(req, res, next) {
    admit(gate, req, res, next);
  };
  return exposeCounts(middleware, limiter) as ConcurrencyLimitMiddleware;
}
