import type { Context, Middleware } from 'koa';
import {
  DEFAULT_CRITICALITY,
  exposeShedder,
  resolveLoadShedding,
  startLoadShedder,
} from '@guard-suite/core/internal';
import type { LoadShedder, LoadSheddingControls, LoadSheddingOptions } from '@guard-suite/core';
import type { GuardState, PreDispatchShedding } from '@guard-suite/core/internal';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** `loadShedding()` options: the core options plus `skip(ctx)`. */
export type KoaLoadSheddingOptions = LoadSheddingOptions<Context>;

/**
 * Builds the load-shedding step over a started shedder: per request, one read of its class's
 * refusal probability (and a random number only while that is between 0 and 1). `skip` is asked
 * only about a request that would be refused. With `preDispatch` (from `guard()`), the first shed
 * requests offer to move the decision before Koa's dispatch.
 */
export function createLoadSheddingStep(
  shedder: LoadShedder,
  skip: ((ctx: Context) => boolean) | undefined,
  preDispatch?: PreDispatchShedding,
): Step {
  return function loadSheddingStep(ctx) {
    // Judged before Koa made a context for it (guard() refuses there once it may, see core).
    if (preDispatch?.hasJudged(ctx.req)) return;
    const state = ctx.state as { guard?: GuardState };
    if (shedder.shouldShed(state.guard?.criticality ?? DEFAULT_CRITICALITY) && !skip?.(ctx)) {
      preDispatch?.offer(ctx.app, ctx.req, ctx.res);
      throw shedder.error();
    }
  };
}

/** The `loadShedding()` middleware: live figures for a health endpoint, and `close()`. */
export type LoadSheddingMiddleware = Middleware & LoadSheddingControls;

/**
 * Sheds new requests with 503 and `Retry-After` while the process is overloaded.
 * @example app.use(loadShedding({ maxEventLoopDelayMs: 200, skip: (ctx) => ctx.path === '/health' }));
 */
export function loadShedding(options?: KoaLoadSheddingOptions): LoadSheddingMiddleware {
  const { options: resolved, skip } = resolveLoadShedding<Context>('loadShedding', options);
  const shedder = startLoadShedder(resolved);
  const middleware = stepMiddleware(
    'loadSheddingMiddleware',
    createLoadSheddingStep(shedder, skip),
  );
  return exposeShedder(middleware, shedder);
}
