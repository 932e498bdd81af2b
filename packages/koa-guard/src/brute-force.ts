import type { Context, Middleware } from 'koa';
import { createBruteForceSection } from '@guard-suite/core/internal';
import type {
  BruteForceDecision,
  BruteForceMiddlewareOptions,
  BruteForceProtection,
} from '@guard-suite/core';

/** `bruteForce()` options in Koa: `username` receives the context. */
export type KoaBruteForceOptions = BruteForceMiddlewareOptions<Context>;

/** The middleware, with the calls the login handler makes after checking the password. */
export type BruteForceMiddleware = Middleware & {
  /** Optional: the attempt was counted when the middleware checked it, and stays a failure unless reported as a success. */
  reportFailure(ctx: Context): Promise<void>;
  /** Clears this (username, address)'s consecutive failures and gives the attempt back to the address (once). */
  reportSuccess(ctx: Context): Promise<void>;
  readonly protection: BruteForceProtection;
};

/**
 * Blocks login attempts after repeated failures (per username and address, and per address) with a
 * 429 and `Retry-After`. Each attempt is counted when checked, so at most `maxConsecutiveFailures`
 * reach the handler at once; mount it on the login route after the body parser and report successes.
 * @example
 * const loginGuard = bruteForce({ maxConsecutiveFailures: 5 });
 * router.post('/login', bodyParser(), loginGuard, async (ctx) => {
 *   if (!(await verify(ctx.request.body))) { await loginGuard.reportFailure(ctx); ctx.status = 401; return; }
 *   await loginGuard.reportSuccess(ctx); ctx.body = { ok: true };
 * });
 */
export function bruteForce(options?: KoaBruteForceOptions): BruteForceMiddleware {
  const section = createBruteForceSection<Context>(
    'bruteForce',
    options,
    (ctx) => (ctx.request as { body?: { username?: unknown } }).body?.username,
  );
  const middleware: Middleware = function bruteForceMiddleware(ctx, next) {
    const state = (ctx.state as { guard?: object }).guard;
    const settle = (decision: BruteForceDecision) => section.settle(decision, ctx.req, state);
    const decision = section.check(ctx, ctx.req, ctx.ip);
    if (decision instanceof Promise) return decision.then(settle).then(() => next());
    settle(decision);
    return next();
  };
  return Object.assign(middleware, {
    reportFailure: (ctx: Context) => section.reportFailure(ctx),
    reportSuccess: (ctx: Context) => section.reportSuccess(ctx),
    protection: section.protection,
  });
}
