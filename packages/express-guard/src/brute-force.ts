import type { Request, RequestHandler } from 'express';
import { createBruteForceSection } from '@guard-suite/core/internal';
import type {
  BruteForceDecision,
  BruteForceMiddlewareOptions,
  BruteForceProtection,
} from '@guard-suite/core';

/** `bruteForce()` options in Express: `username` receives the request. */
export type ExpressBruteForceOptions = BruteForceMiddlewareOptions<Request>;

/** The middleware, with the calls the login handler makes after checking the password. */
export type BruteForceMiddleware = RequestHandler & {
  /** Counts a failed attempt for this request's (username, address). */
  reportFailure(req: Request): Promise<void>;
  /** Clears this (username, address)'s consecutive failures. */
  reportSuccess(req: Request): Promise<void>;
  readonly protection: BruteForceProtection;
};

/**
 * Blocks login attempts after repeated failures (per username and address, and per address) with a
 * 429 and `Retry-After`. Mount it on the login route after the body parser; report the outcome.
 * @example
 * const loginGuard = bruteForce({ maxConsecutiveFailures: 5 });
 * app.post('/login', express.json(), loginGuard, async (req, res) => {
 *   if (!(await verify(req.body))) { await loginGuard.reportFailure(req); return res.sendStatus(401); }
 *   await loginGuard.reportSuccess(req); res.json({ ok: true });
 * });
 */
export function bruteForce(options?: ExpressBruteForceOptions): BruteForceMiddleware {
  const section = createBruteForceSection<Request>(
    'bruteForce',
    options,
    (req) => (req.body as { username?: unknown } | undefined)?.username,
  );
  const middleware: RequestHandler = function bruteForceMiddleware(req, _res, next) {
    const settle = (decision: BruteForceDecision) => section.settle(decision, req, req.guard);
    let decision: BruteForceDecision | Promise<BruteForceDecision>;
    try {
      decision = section.check(req, req, req.ip);
      if (!(decision instanceof Promise)) settle(decision);
    } catch (error) {
      next(error);
      return;
    }
    if (decision instanceof Promise) decision.then(settle).then(() => next(), next);
    else next();
  };
  return Object.assign(middleware, {
    reportFailure: (req: Request) => section.reportFailure(req),
    reportSuccess: (req: Request) => section.reportSuccess(req),
    protection: section.protection,
  });
}
