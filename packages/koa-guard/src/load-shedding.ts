import type { Context, Middleware } from 'koa';
import { exposeShedder, resolveLoadShedding, startLoadShedder } from '@guard-suite/core/internal';
import type { LoadShedder, LoadSheddingOptions } from '@guard-suite/core';
import type { LoadSheddingControls } from '@guard-suite/core';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** `loadShedding()` options: the core options plus `skip(ctx)`. */
export type KoaLoadSheddingOptions = LoadSheddingOptions<Context>;

/** Builds the load-shedding step over a started shedder: one property read per request. */
export function createLoadSheddingStep(
  shedder: LoadShedder,
  skip: ((ctx: Context) => boolean) | undefined,
): Step {
  return function loadSheddingStep(ctx) {
    if (shedder.overloaded && !skip?.(ctx)) throw shedder.error();
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
