import type { RequestHandler } from 'express';
import { createConcurrencySection, createRequestGate } from 'guard-core';
import type { ConcurrencyLimiter, ConcurrencyLimitOptions } from 'guard-core';
import { admit } from './admission';

/** The `concurrencyLimit()` middleware, with the live counts. */
export type ConcurrencyLimitMiddleware = RequestHandler & {
  /** Requests holding a slot. */
  readonly active: number;
  /** Requests waiting for one. */
  readonly queued: number;
  readonly limiter: ConcurrencyLimiter;
};

/** Adds the live `active` / `queued` getters of a limiter to a middleware. */
export function exposeCounts<T extends object>(
  target: T,
  limiter: ConcurrencyLimiter | undefined,
): T {
  return Object.defineProperties(target, {
    active: { get: () => limiter?.active ?? 0 },
    queued: { get: () => limiter?.queued ?? 0 },
    limiter: { value: limiter },
  });
}

/**
 * At most `max` requests in the handlers at once, `maxQueue` more waiting (FIFO, `queueTimeoutMs`);
 * beyond that 503 with `Retry-After`. A slot is freed exactly once, when the response closes.
 * @example app.use(concurrencyLimit({ max: 10, maxQueue: 50, queueTimeoutMs: 1000 }));
 */
export function concurrencyLimit(options?: ConcurrencyLimitOptions): ConcurrencyLimitMiddleware {
  const limiter = createConcurrencySection('concurrencyLimit', options);
  const gate = createRequestGate(limiter, undefined);
  const middleware: RequestHandler = function concurrencyLimitMiddleware(req, res, next) {
    admit(gate, req, res, next);
  };
  return exposeCounts(middleware, limiter) as ConcurrencyLimitMiddleware;
}
