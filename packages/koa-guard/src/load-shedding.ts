import type { Context, Middleware } from 'koa';
import {
  createLoadSheddingCheck,
  exposeShedder,
  resolveLoadShedding,
  startLoadShedder,
} from '@guard-suite/core/internal';
import type { LoadSheddingControls, LoadSheddingOptions } from '@guard-suite/core';
import type { GuardState, LoadSheddingCheck } from '@guard-suite/core/internal';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** `loadShedding()` options: the core options plus `skip(ctx)`. */
export type KoaLoadSheddingOptions = LoadSheddingOptions<Context>;

/**
 * Builds the load-shedding step over core's check: per request, one read of its class's refusal
 * probability (see `createLoadSheddingCheck`, which also sheds before Koa's dispatch once
 * `guard()` may).
 */
export function createLoadSheddingStep(check: LoadSheddingCheck<Context>): Step {
  return function loadSheddingStep(ctx) {
    check(ctx, (ctx.state as { guard?: GuardState }).guard, ctx.app, ctx.req, ctx.res);
  };
}

/** The `loadShedding()` middleware: live figures for a health endpoint, and `close()`. */
export type LoadSheddingMiddleware = Middleware & LoadSheddingControls;

/**
 * Sheds new requests with 503 and `Retry-After` while the process is overloaded.
 * @example app.use(loadShedding({ maxEventLoopDelayMs: 200, skip: (ctx) => ctx.path === '/health' }));
 */
export function loadShedding(options?: KoaLoadSheddingOptions): LoadSheddingMiddleware {
  const {
    options: resolved,
    skip,
    meterProvider,
  } = resolveLoadShedding<Context>('loadShedding', options);
  const shedder = startLoadShedder(resolved, meterProvider);
  const middleware = stepMiddleware(
    'loadSheddingMiddleware',
    createLoadSheddingStep(createLoadSheddingCheck(shedder, skip, { meterProvider })),
  );
  return exposeShedder(middleware, shedder);
}
