import type { Request, RequestHandler } from 'express';
import { exposeShedder, resolveLoadShedding, startLoadShedder } from '@guard-suite/core/internal';
import type { LoadShedder, LoadSheddingOptions } from '@guard-suite/core';
import type { LoadSheddingControls } from '@guard-suite/core';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** `loadShedding()` options: the core options plus `skip(req)`. */
export type ExpressLoadSheddingOptions = LoadSheddingOptions<Request>;

/** Builds the load-shedding step over a started shedder: one property read per request. */
export function createLoadSheddingStep(
  shedder: LoadShedder,
  skip: ((req: Request) => boolean) | undefined,
): Step {
  return function loadSheddingStep(req) {
    if (shedder.overloaded && !skip?.(req)) throw shedder.error();
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
