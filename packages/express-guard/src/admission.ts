import type { NextFunction, Request, Response } from 'express';
import { silenceLateWrites } from '@guard-suite/core/internal';
import type { RequestGate } from '@guard-suite/core/internal';
import { guardStateOf } from './step';

/**
 * Takes the request through the gate (concurrency slot, then deadline) and calls `next()` once
 * admitted. At the deadline the TimeoutError goes to the error handler (a second `next(err)`, as
 * connect-timeout does), and the handler's late writes are dropped.
 */
export function admit(gate: RequestGate, req: Request, res: Response, next: NextFunction): void {
  const pending = gate.enter(res, guardStateOf(req, res), (error) => {
    if (res.writableEnded) return; // answered just in time; 'close' has not fired yet
    next(error);
    silenceLateWrites(res);
  });
  if (pending === undefined) next();
  else pending.then(() => next(), next);
}
