import type { Context, Middleware } from 'koa';
import { createRequestGate, resolveGuardOptions, startLoadShedder } from 'guard-core';
import type { GuardOptions, LoadFigures } from 'guard-core';
import { admitAndRun } from './admission';
import { exposeCounts } from './concurrency-limit';
import { createInputLimitsStep } from './input-limits';
import { createLoadSheddingStep } from './load-shedding';
import { createRateLimitStep } from './rate-limit';
import type { KoaRateLimitOptions } from './rate-limit';
import { createSecurityHeadersStep } from './security-headers';
import type { Step } from './step';
import { guardStateOf, runSteps } from './step';

/** Options of the Koa `guard()`. */
export type KoaGuardOptions = GuardOptions<Context, KoaRateLimitOptions>;

/** Live figures of a `guard()` middleware, for a health endpoint. Absent sections are `undefined`. */
export interface GuardStatus {
  loadShedding: LoadFigures | undefined;
  concurrency: { active: number; queued: number } | undefined;
  rateLimit: { mode: string } | undefined;
}

/** The `guard()` middleware with its live figures and `close()`. */
export type GuardMiddleware = Middleware & {
  readonly active: number;
  readonly queued: number;
  status(): GuardStatus;
  /** Stops the load-shedding sampler, refuses queued requests and frees the rate limiter's memory. */
  close(): void;
};

/**
 * One middleware applying, in order: security headers, load shedding, rate limit, input limits,
 * concurrency limit, request timeout. Cheap refusals come first so they never hold a slot.
 * @example app.use(guard({ concurrency: { max: 20 }, timeout: { ms: 10_000 } }));
 */
export function guard(options?: KoaGuardOptions): GuardMiddleware {
  const resolved = resolveGuardOptions<Context, KoaRateLimitOptions>('guard', options);
  const steps: Step[] = [];
  if (resolved.helmet !== false) steps.push(createSecurityHeadersStep(resolved.helmet));
  const shedder =
    resolved.loadShedding === false ? undefined : startLoadShedder(resolved.loadShedding.options);
  if (shedder && resolved.loadShedding !== false)
    steps.push(createLoadSheddingStep(shedder, resolved.loadShedding.skip));
  // Rate limiting comes before the input limits and the slot: a flood is refused at its cheapest.
  const rateLimitStep =
    resolved.rateLimit === false
      ? undefined
      : createRateLimitStep(resolved.rateLimit, { logger: resolved.logger }, 'guard');
  if (rateLimitStep) steps.push(rateLimitStep);
  if (resolved.inputLimits !== false) steps.push(createInputLimitsStep(resolved.inputLimits));
  const limiter = resolved.concurrency === false ? undefined : resolved.concurrency;
  const gate =
    limiter || resolved.timeoutMs !== undefined
      ? createRequestGate(limiter, resolved.timeoutMs)
      : undefined;

  const hasTimeout = resolved.timeoutMs !== undefined;
  const middleware: Middleware = async function guardMiddleware(ctx, next) {
    guardStateOf(ctx);
    const pending = runSteps(steps, ctx);
    if (pending !== undefined) await pending;
    if (gate) await admitAndRun(gate, hasTimeout, ctx, next);
    else await next();
  };
  return Object.defineProperties(exposeCounts(middleware, limiter), {
    status: {
      value: (): GuardStatus => ({
        loadShedding: shedder?.figures,
        concurrency: limiter ? { active: limiter.active, queued: limiter.queued } : undefined,
        rateLimit: rateLimitStep ? { mode: rateLimitStep.limiter.mode } : undefined,
      }),
    },
    close: {
      value: () => {
        shedder?.close();
        limiter?.close();
        rateLimitStep?.limiter.close();
      },
    },
  }) as GuardMiddleware;
}
