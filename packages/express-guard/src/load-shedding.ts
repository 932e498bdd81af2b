import type { Request, RequestHandler } from 'express';
import {
  DEFAULT_CRITICALITY,
  exposeShedder,
  resolveLoadShedding,
  startLoadShedder,
} from '@guard-suite/core/internal';
import type { LoadShedder, LoadSheddingControls, LoadSheddingOptions } from '@guard-suite/core';
import type { PreDispatchShedding } from '@guard-suite/core/internal';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** `loadShedding()` options: the core options plus `skip(req)`. */
export type ExpressLoadSheddingOptions = LoadSheddingOptions<Request>;

/**
 * Builds the load-shedding step over a started shedder: per request, one read of its class's
 * refusal probability (and a random number only while that is between 0 and 1). `skip` is asked
 * only about a request that would be refused. With `preDispatch` (from `guard()`), the first shed
 * requests offer to move the decision before Express's dispatch.
 */
export function createLoadSheddingStep(
  shedder: LoadShedder,
  skip: ((req: Request) => boolean) | undefined,
  preDispatch?: PreDispatchShedding,
): Step {
  return function loadSheddingStep(req, res) {
    // Judged before Express dispatched it (guard() refuses there once it may, see core).
    if (preDispatch?.hasJudged(req)) return;
    if (shedder.shouldShed(req.guard?.criticality ?? DEFAULT_CRITICALITY) && !skip?.(req)) {
      preDispatch?.offer(req.app, req, res);
      throw shedder.error();
    }
  };
}

/** The `loadShedding()` middleware: live figures for a health endpoint, and `close()`. */
export type LoadSheddingMiddleware = RequestHandler & LoadSheddingControls;

/**
 * Sheds new requests with 503 and `Retry-After` while the process is overloaded.
 * @example const shed = loadShedding({ maxEventLoopDelayMs: 200, skip: (req) => req.path === '/health' });
 */
export function loadShedding(options?: ExpressLoadSheddingOptions): LoadSheddingMiddleware {
  const { options: resolved, skip } = resolveLoadShedding<Request>('loadShedding', options);
  const shedder = startLoadShedder(resolved);
  const middleware = stepMiddleware(
    'loadSheddingMiddleware',
    createLoadSheddingStep(shedder, skip),
  );
  return exposeShedder(middleware, shedder);
}
