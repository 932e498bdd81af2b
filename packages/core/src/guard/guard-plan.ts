import type { LoadFigures, LoadShedder } from '../policies/load-shedder';
import { startLoadShedder } from '../policies/load-shedder';
import type { RateLimiter } from '../policies/rate-limiter';
import type { RequestGate } from '../policies/request-gate';
import { createRequestGate } from '../policies/request-gate';
import type { InputLimits } from '../input/input-limits';
import type { RateLimitDefaults } from '../policies/rate-limit-section';
import { createLoadSheddingCheck } from './load-shedding-check';
import type { LoadSheddingCheck } from './load-shedding-check';
import type { ResolvedGuard } from './guard-options';
import { exposeCounts } from './expose-figures';
import type { ConcurrencyCounts } from './expose-figures';

/** Live figures of a `guard()` middleware, for a health endpoint. Absent sections are `undefined`. */
export interface GuardStatus {
  loadShedding: LoadFigures | undefined;
  concurrency: { active: number; queued: number } | undefined;
  rateLimit: { mode: string } | undefined;
}

/** What `guard()` adds to its middleware: live counts, `status()` and `close()`. */
export interface GuardControls extends ConcurrencyCounts {
  status(): GuardStatus;
  /** Stops the load-shedding sampler, refuses queued requests and frees the rate limiter's memory. */
  close(): void;
}

/** The adapter's step factories, one per cheap section (each framework has its own step shape). */
export interface GuardStepFactories<TStep, TRequest, TRateLimit> {
  securityHeaders(helmetOptions: Record<string, unknown>): TStep;
  loadShedding(check: LoadSheddingCheck<TRequest>): TStep;
  rateLimit(
    options: TRateLimit,
    defaults: RateLimitDefaults,
    factory: string,
    pathPrefix: string,
  ): TStep & { readonly limiter: RateLimiter };
  inputLimits(limits: InputLimits): TStep;
}

/** The sections of one `guard()`, in the order they run, and the controls its middleware exposes. */
export interface GuardPlan<TStep> {
  /** The cheap refusals, in contract order: headers, load shedding, rate limit, input limits. */
  readonly steps: readonly TStep[];
  /**
   * Concurrency slot and deadline, taken only after every cheap step passed (either may be off);
   * admission counts the request as allowed.
   */
  readonly gate: RequestGate;
  /** Adds `active`, `queued`, `limiter`, `status()` and `close()` to the adapter's middleware. */
  readonly expose: <TMiddleware extends object>(
    middleware: TMiddleware,
  ) => TMiddleware & GuardControls;
}

/**
 * Builds `guard()`'s sections from resolved options with the adapter's step factories, so both
 * adapters apply the same sections in the same order and report the same figures.
 */
export function planGuard<TStep, TRequest, TRateLimit>(
  resolved: ResolvedGuard<TRequest, TRateLimit>,
  factories: GuardStepFactories<TStep, TRequest, TRateLimit>,
): GuardPlan<TStep> {
  const steps: TStep[] = [];
  if (resolved.helmet !== false) steps.push(factories.securityHeaders(resolved.helmet));
  const { meterProvider } = resolved;
  let shedder: LoadShedder | undefined;
  if (resolved.loadShedding !== false) {
    shedder = startLoadShedder(
      resolved.loadShedding.options,
      undefined,
      resolved.loadShedding.meterProvider ?? meterProvider,
    );
    steps.push(
      factories.loadShedding(
        createLoadSheddingCheck(shedder, resolved.loadShedding.skip, {
          meterProvider,
          insideGuard: true,
        }),
      ),
    );
  }
  // Rate limiting comes before the input limits and the slot: a flood is refused at its cheapest.
  const rateLimitStep =
    resolved.rateLimit === false
      ? undefined
      : factories.rateLimit(
          resolved.rateLimit,
          { logger: resolved.logger, meterProvider, insideGuard: true },
          'guard',
          'rateLimit.',
        );
  if (rateLimitStep) steps.push(rateLimitStep);
  if (resolved.inputLimits !== false) steps.push(factories.inputLimits(resolved.inputLimits));
  const limiter = resolved.concurrency === false ? undefined : resolved.concurrency;
  // Always a gate, even with neither a limit nor a deadline: admission is where guard() counts a
  // request as allowed.
  const gate = createRequestGate(limiter, resolved.timeoutMs, meterProvider);

  const status = (): GuardStatus => ({
    loadShedding: shedder?.figures,
    concurrency: limiter ? { active: limiter.active, queued: limiter.queued } : undefined,
    rateLimit: rateLimitStep ? { mode: rateLimitStep.limiter.mode } : undefined,
  });
  const close = () => {
    shedder?.close();
    limiter?.close();
    rateLimitStep?.limiter.close();
  };
  return {
    steps,
    gate,
    expose: (middleware) =>
      Object.defineProperties(exposeCounts(middleware, limiter), {
        status: { value: status },
        close: { value: close },
      }) as typeof middleware & GuardControls,
  };
}
