import type { NextFunction, Request, Response } from 'express';
import { silenceLateWrites } from '@guard-suite/core/internal';
import type { RequestGate } from '@guard-suite/core/internal';
import { appErrorHandler } from './app-error-handler';
import { guardStateOf } from './step';

const ignore = () => undefined;

/**
 * Takes the request through the gate (concurrency slot, then deadline) and calls `next()` once
 * admitted. At the deadline the TimeoutError is answered by the app's `errorHandler()`, called
 * directly so that Express's router stays where the handler is and the handler's own late error
 * still reaches `errorHandler()` (issue 12 #8); without one, it goes to `next(err)`. The handler's
 * late writes are dropped.
 */
export function admit(gate: RequestGate, req: Request, res: Response, next: NextFunction): void {
  const pending = gate.enter(res, guardStateOf(req, res), (error) => {
    if (res.writableEnded) return; // answered just in time; 'close' has not fired yet
    const handler = appErrorHandler(req);
    if (handler) handler(error, req, res, ignore);
    else next(error);
    silenceLateWrites(res);
  });
  if (pending === undefined) next();
  else pending.then(() => next(), next);
}
