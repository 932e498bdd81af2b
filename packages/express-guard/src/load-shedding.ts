import type { Request, RequestHandler } from 'express';
import {
  createLoadSheddingCheck,
  exposeShedder,
  resolveLoadShedding,
  startLoadShedder,
} from '@guard-suite/core/internal';
import type { LoadSheddingControls, LoadSheddingOptions } from '@guard-suite/core';
import type { LoadSheddingCheck } from '@guard-suite/core/internal';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** `loadShedding()` options: the core options plus `skip(req)`. */
export type ExpressLoadSheddingOptions = LoadSheddingOptions<Request>;

/**
 * Builds the load-shedding step over core's check: per request, one read of its class's refusal
 * probability (see `createLoadSheddingCheck`, which also sheds before Express's dispatch once
 * `guard()` may).
 */
export function createLoadSheddingStep(check: LoadSheddingCheck<Request>): Step {
  return function loadSheddingStep(req, res) {
    check(req, req.guard, req.app, req, res);
  };
}

/** The `loadShedding()` middleware: live figures for a health endpoint, and `close()`. */
export type LoadSheddingMiddleware = RequestHandler & LoadSheddingControls;

/**
 * Sheds new requests with 503 and `Retry-After` while the process is overloaded.
 * @example const shed = loadShedding({ maxEventLoopDelayMs: 200, skip: (req) => req.path === '/health' });
 */
export function loadShedding(options?: ExpressLoadSheddingOptions): LoadSheddingMiddleware {
  const {
    options: resolved,
    skip,
    meterProvider,
  } = resolveLoadShedding<Request>('loadShedding', options);
  const shedder = startLoadShedder(resolved, meterProvider);
  const middleware = stepMiddleware(
    'loadSheddingMiddleware',
    createLoadSheddingStep(createLoadSheddingCheck(shedder, skip, { meterProvider })),
  );
  return exposeShedder(middleware, shedder);
}
