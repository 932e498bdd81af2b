import type { Context, Middleware, Next } from 'koa';
import { planGuard, resolveGuardOptions } from '@guard-suite/core/internal';
import type { GuardOptions } from '@guard-suite/core';
import type { GuardControls } from '@guard-suite/core';
import { admitAndRun } from './admission';
import { createInputLimitsStep } from './input-limits';
import { createLoadSheddingStep } from './load-shedding';
import { koaPreDispatchFrame } from './pre-dispatch-frame';
import { createRateLimitStep } from './rate-limit';
import type { KoaRateLimitOptions } from './rate-limit';
import { createSecurityHeadersStep } from './security-headers';
import { guardStateOf, runSteps } from './step';

/** Options of the Koa `guard()`. */
export type KoaGuardOptions = GuardOptions<Context, KoaRateLimitOptions>;

/** The `guard()` middleware with its live figures and `close()`. */
export type GuardMiddleware = Middleware & GuardControls;

/**
 * One middleware applying, in order: security headers, load shedding, rate limit, input limits,
 * concurrency limit, request timeout. Cheap refusals come first so they never hold a slot.
 * @example app.use(guard({ timeout: { ms: 10_000 } })); // concurrency: an adaptive limit by default
 */
export function guard(options?: KoaGuardOptions): GuardMiddleware {
  const resolved = resolveGuardOptions<Context, KoaRateLimitOptions>('guard', options);
  const { classify, steps, gate, expose } = planGuard(resolved, {
    securityHeaders: createSecurityHeadersStep,
    loadShedding: createLoadSheddingStep,
    rateLimit: createRateLimitStep,
    inputLimits: createInputLimitsStep,
    preDispatchFrame: koaPreDispatchFrame,
  });

  const admit = (ctx: Context, next: Next) => admitAndRun(gate, ctx, next);
  // Not async: koa-compose turns a throw into a rejection, and each await would cost a promise.
  const middleware: Middleware = function guardMiddleware(ctx, next) {
    const state = guardStateOf(ctx);
    if (classify) state.criticality = classify(ctx, ctx.req.headers);
    const pending = runSteps(steps, ctx);
    return pending === undefined ? admit(ctx, next) : pending.then(() => admit(ctx, next));
  };
  return expose(middleware);
}
