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
  /** Optional: the attempt was counted when the middleware checked it, and stays a failure unless reported as a success. */
  reportFailure(req: Request): Promise<void>;
  /** Clears this (username, address)'s consecutive failures and gives the attempt back to the address (once). */
  reportSuccess(req: Request): Promise<void>;
  readonly protection: BruteForceProtection;
};

/**
 * Blocks login attempts after repeated failures (per username and address, and per address) with a
 * 429 and `Retry-After`. Each attempt is counted when checked, so at most `maxConsecutiveFailures`
 * reach the handler at once; mount it on the login route after the body parser and report successes.
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
