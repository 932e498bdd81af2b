import type { Context, Middleware } from 'koa';
import { GuardState } from '@guard-suite/core/internal';
import type { GuardState as PublicGuardState, UploadRecord } from '@guard-suite/core';

/**
 * One section of `guard()` as a plain function: it returns when the request may go on and throws
 * (or rejects) to refuse it. `guard()` runs several steps inside one middleware.
 */
export type Step = (ctx: Context) => void | Promise<void>;

// What the middleware sets on ctx.state, typed for handlers. Both are declared present, so a handler
// behind the middleware reads them without a check; the type cannot see the routing: on a route no
// guard()/timeout()/concurrencyLimit() (or upload()) runs before, they are undefined at run time.
declare module 'koa' {
  interface DefaultState {
    /**
     * Per-request `signal` (aborts on the request timeout and on client disconnect) and `deadline`
     * (epoch ms, `Infinity` without a timeout), set by `guard()`, `timeout()`, `concurrencyLimit()`
     * and the other sections of `guard()` used alone.
     */
    guard: PublicGuardState;
    /**
     * The stored upload, set by `upload(options).single(field)` (one record) or
     * `.array(field, max)` (an array of records), before the route's handler runs.
     */
    upload: UploadRecord | UploadRecord[];
  }
}

/** `ctx.state.guard`, created on first use (deadline `Infinity`, signal aborting on disconnect). */
export function guardStateOf(ctx: Context): GuardState {
  const state = ctx.state as { guard?: GuardState };
  return (state.guard ??= new GuardState(ctx.res));
}

/** Runs steps in order; returns a promise only once a step turned asynchronous. */
export function runSteps(
  steps: readonly Step[],
  ctx: Context,
  from = 0,
): Promise<void> | undefined {
  for (let i = from; i < steps.length; i++) {
    const result = (steps[i] as Step)(ctx);
    if (result !== undefined) return result.then(() => runSteps(steps, ctx, i + 1));
  }
  return undefined;
}

/** Wraps one step as a stand-alone middleware. */
export function stepMiddleware(name: string, step: Step): Middleware {
  // Not async: koa-compose turns a throw into a rejection, and each await would cost a promise.
  const middleware: Middleware = (ctx, next) => {
    guardStateOf(ctx);
    const pending = step(ctx);
    return pending === undefined ? next() : pending.then(() => next());
  };
  Object.defineProperty(middleware, 'name', { value: name });
  return middleware;
}
