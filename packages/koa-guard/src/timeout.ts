import type { Middleware } from 'koa';
import { createRequestGate, resolveRequestTimeoutOptions } from '@guard-suite/core/internal';
import type { RequestTimeoutOptions } from '@guard-suite/core';
import { admitAndRun } from './admission';

/**
 * Answers 503 "Operation timed out" when the chain has not finished within `ms`, and aborts
 * `ctx.state.guard.signal`. It cannot stop synchronous CPU work: use `createIsolatedPool` for that.
 * @example app.use(timeout({ ms: 5000 }));
 */
export function timeout(options?: RequestTimeoutOptions): Middleware {
  const { ms, meterProvider } = resolveRequestTimeoutOptions('timeout', options);
  const gate = createRequestGate(undefined, ms, meterProvider);
  return function timeoutMiddleware(ctx, next) {
    return admitAndRun(gate, ctx, next);
  };
}
