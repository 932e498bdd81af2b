import type { Request, RequestHandler, Response } from 'express';
import { createRateLimitSection } from '@guard-suite/core/internal';
import type { RateLimitOptions, RateLimiter } from '@guard-suite/core';
import type { RateLimitDefaults } from '@guard-suite/core/internal';

/** `rateLimit()` options in Express: `key` and `skip` receive the request. */
export type ExpressRateLimitOptions = RateLimitOptions<Request>;

/** One rate-limit check on a request; guard() runs it inside its single middleware. */
export interface RateLimitStep {
  /** Sets the RateLimit headers; throws (or rejects with) a `RateLimitError` when over the limit. */
  (req: Request, res: Response): void | Promise<void>;
  readonly limiter: RateLimiter;
}

/** The `rateLimit()` middleware; `.limiter.mode` tells a health endpoint whether Redis is in use. */
export type RateLimitMiddleware = RequestHandler & { readonly limiter: RateLimiter };

/**
 * Builds the rate-limit step (internal: guard() composes it; users call `rateLimit()`).
 * @example const step = createRateLimitStep({ limit: 60 }, { logger });
 */
export function createRateLimitStep(
  options: ExpressRateLimitOptions | undefined,
  defaults?: RateLimitDefaults,
  factory = 'rateLimit',
  pathPrefix = '',
): RateLimitStep {
  const section = createRateLimitSection<Request>(factory, options, defaults, pathPrefix);
  const { limiter, skip } = section;

  const step = function rateLimitStep(req: Request, res: Response): void | Promise<void> {
    if (section.watchesProxy)
      section.checkProxy(
        { framework: 'express', trustProxy: req.app.get('trust proxy') },
        req.headers['x-forwarded-for'],
      );
    if (skip?.(req)) return;
    const key = section.keyOf(req, req.ip);
    const decision = limiter.consume(key);
    if (decision instanceof Promise)
      return decision.then((d) => section.answer(res, d, key, req.guard));
    section.answer(res, decision, key, req.guard);
  };
  return Object.assign(step, { limiter });
}

/**
 * Limits requests per client: `limit` per `windowMs`, 429 problem+json with `Retry-After` beyond it.
 * Mount it app-wide or on one route with its own `name`.
 * @example
 * app.use(rateLimit({ limit: 100, windowMs: 60_000 }));
 * app.post('/login', rateLimit({ name: 'login', limit: 5, windowMs: 60_000 }), login);
 */
export function rateLimit(options?: ExpressRateLimitOptions): RateLimitMiddleware {
  const step = createRateLimitStep(options);
  const middleware: RequestHandler = function rateLimitMiddleware(req, res, next) {
    let pending: void | Promise<void>;
    try {
      pending = step(req, res);
    } catch (error) {
      next(error);
      return;
    }
    if (pending) pending.then(() => next(), next);
    else next();
  };
  return Object.assign(middleware, { limiter: step.limiter });
}
