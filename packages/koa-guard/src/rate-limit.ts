import type { Context, Middleware } from 'koa';
import { createRateLimitSection } from '@guard-suite/core/internal';
import type { RateLimitOptions, RateLimiter } from '@guard-suite/core';
import type { RateLimitDefaults } from '@guard-suite/core/internal';

/** `rateLimit()` options in Koa: `key` and `skip` receive the context. */
export type KoaRateLimitOptions = RateLimitOptions<Context>;

/** One rate-limit check on a request; guard() runs it inside its single middleware. */
export interface RateLimitStep {
  /** Sets the RateLimit headers; throws (or rejects with) a `RateLimitError` when over the limit. */
  (ctx: Context): void | Promise<void>;
  readonly limiter: RateLimiter;
}

/** The `rateLimit()` middleware; `.limiter.mode` tells a health endpoint whether Redis is in use. */
export type RateLimitMiddleware = Middleware & { readonly limiter: RateLimiter };

/**
 * Builds the rate-limit step (internal: guard() composes it; users call `rateLimit()`).
 * @example const step = createRateLimitStep({ limit: 60 }, { logger });
 */
export function createRateLimitStep(
  options: KoaRateLimitOptions | undefined,
  defaults?: RateLimitDefaults,
  factory = 'rateLimit',
  pathPrefix = '',
): RateLimitStep {
  const section = createRateLimitSection<Context>(factory, options, defaults, pathPrefix);
  const { limiter, skip } = section;
  const step = function rateLimitStep(ctx: Context): void | Promise<void> {
    if (section.watchesProxy)
      section.checkProxy(
        { framework: 'koa', proxy: ctx.app.proxy, maxIpsCount: ctx.app.maxIpsCount },
        ctx.req.headers[ctx.app.proxyIpHeader.toLowerCase()],
      );
    if (skip?.(ctx)) return;
    const key = section.keyOf(ctx, ctx.ip);
    const decision = limiter.consume(key);
    const state = (ctx.state as { guard?: object }).guard;
    if (decision instanceof Promise)
      return decision.then((d) => section.answer(ctx.res, d, key, state));
    section.answer(ctx.res, decision, key, state);
  };
  return Object.assign(step, { limiter });
}

/**
 * Limits requests per client: `limit` per `windowMs`, 429 problem+json with `Retry-After` beyond it.
 * Mount it app-wide or on one route with its own `name`.
 * @example
 * app.use(rateLimit({ limit: 100, windowMs: 60_000 }));
 * router.post('/login', rateLimit({ name: 'login', limit: 5, windowMs: 60_000 }), login);
 */
export function rateLimit(options?: KoaRateLimitOptions): RateLimitMiddleware {
  const step = createRateLimitStep(options);
  const middleware: Middleware = function rateLimitMiddleware(ctx, next) {
    const pending = step(ctx);
    return pending ? pending.then(() => next()) : next();
  };
  return Object.assign(middleware, { limiter: step.limiter });
}
