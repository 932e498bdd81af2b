import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GuardState } from '@guard-suite/core/internal';
import { appSetupChecker } from './app-setup-check';
import type { GuardState as PublicGuardState, UploadRecord } from '@guard-suite/core';

/**
 * One section of `guard()` as a plain function: it returns when the request may go on and throws
 * (or rejects) to refuse it. `guard()` runs several steps inside one middleware, because every
 * Express layer costs a dispatch.
 */
export type Step = (req: Request, res: Response) => void | Promise<void>;

// What the middleware sets on the request, typed for handlers. Both are declared present, as
// express-session declares `req.session`: a handler behind the middleware reads them without a
// check. The type cannot see the routing: on a route no guard()/timeout()/concurrencyLimit() (or
// upload()) runs before, they are undefined at run time.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own extension point
  namespace Express {
    interface Request {
      /**
       * Per-request `signal` (aborts on the request timeout and on client disconnect) and
       * `deadline` (epoch ms, `Infinity` without a timeout), set by `guard()`, `timeout()`,
       * `concurrencyLimit()` and the other sections of `guard()` used alone.
       */
      guard: PublicGuardState;
      /**
       * The stored upload, set by `upload(options).single(field)` (one record) or
       * `.array(field, max)` (an array of records), before the route's handler runs.
       */
      upload: UploadRecord | UploadRecord[];
    }
  }
}

/** `req.guard`, created on first use (deadline `Infinity`, signal aborting on disconnect). */
export function guardStateOf(req: Request, res: Response): GuardState {
  // Typed as always set (see above); at run time the first guard section creates it.
  const request = req as { guard?: GuardState };
  return (request.guard ??= new GuardState(res));
}

/**
 * Runs steps in order with no promise while they stay synchronous, then `done`. A throw or
 * rejection goes to `next(err)`.
 */
export function runSteps(
  steps: readonly Step[],
  req: Request,
  res: Response,
  next: NextFunction,
  done: () => void,
  from = 0,
): void {
  try {
    for (let i = from; i < steps.length; i++) {
      const result = (steps[i] as Step)(req, res);
      if (result !== undefined) {
        result.then(() => runSteps(steps, req, res, next, done, i + 1), next);
        return;
      }
    }
  } catch (error) {
    next(error);
    return;
  }
  done();
}

/** Wraps one step as a stand-alone middleware. */
export function stepMiddleware(name: string, step: Step): RequestHandler {
  const checkApp = appSetupChecker();
  const middleware: RequestHandler = (req, res, next) => {
    checkApp(req);
    guardStateOf(req, res);
    runSteps([step], req, res, next, () => next());
  };
  Object.defineProperty(middleware, 'name', { value: name });
  return middleware;
}
