import type { HeaderWrite } from '../http/header-writer';
import type { LoadFigures, LoadShedder } from '../policies/load-shedder';
import { shedderCoupling, startLoadShedder } from '../policies/load-shedder';
import { limiterCoupling } from '../policies/concurrency-limiter';
import type { RateLimiter } from '../policies/rate-limiter';
import type { RequestGate } from '../policies/request-gate';
import { createRequestGate } from '../policies/request-gate';
import type { InputLimits } from '../input/input-limits';
import type { RateLimitDefaults } from '../policies/rate-limit-section';
import type { CriticalityResolver } from '../overload/resolve-criticality';
import type { ResolvedGuard } from './guard-options';
import { exposeCounts } from './expose-figures';
import type { ConcurrencyCounts } from './expose-figures';
import { createLoadSheddingCheck } from './load-shedding-check';
import type { LoadSheddingCheck } from './load-shedding-check';
import type { PreDispatchFrame, PreDispatchShedding } from './pre-dispatch-shedding';

/** Live figures of a `guard()` middleware, for a health endpoint. Absent sections are `undefined`. */
export interface GuardStatus {
  loadShedding: LoadFigures | undefined;
  /** The current limit (adaptive or fixed), the requests holding a slot and those waiting. */
  concurrency: { limit: number; active: number; queued: number } | undefined;
  rateLimit: { mode: string } | undefined;
}

/** What `guard()` adds to its middleware: live counts, `status()` and `close()`. */
export interface GuardControls extends ConcurrencyCounts {
  /** The load shedder (`undefined` with `loadShedding: false`): its figures, `sample()`. */
  readonly shedder: LoadShedder | undefined;
  status(): GuardStatus;
  /** Stops the load-shedding sampler, refuses queued requests and frees the rate limiter's memory. */
  close(): void;
}

/** The adapter's step factories, one per cheap section (each framework has its own step shape). */
export interface GuardStepFactories<TStep, TRequest, TRateLimit> {
  /** The security-headers step, with helmet's writes when they are the same on every response. */
  securityHeaders(
    helmetOptions: Record<string, unknown>,
  ): TStep & { readonly headerWrites: readonly HeaderWrite[] | undefined };
  /** The load-shedding step over core's check (which may shed before dispatch). */
  loadShedding(check: LoadSheddingCheck<TRequest>): TStep;
  rateLimit(
    options: TRateLimit,
    defaults: RateLimitDefaults,
    factory: string,
    pathPrefix: string,
  ): TStep & { readonly limiter: RateLimiter };
  inputLimits(limits: InputLimits): TStep;
  /** What the adapter can tell of its app, so shed requests can be refused before dispatch. */
  preDispatchFrame?: PreDispatchFrame;
}

/** The sections of one `guard()`, in the order they run, and the controls its middleware exposes. */
export interface GuardPlan<TStep, TRequest = unknown> {
  /**
   * Sets `state.criticality` of each request before the steps run; `undefined` when every request
   * is `'critical'` (nothing to do).
   */
  readonly classify: CriticalityResolver<TRequest> | undefined;
  /** The cheap refusals, in contract order: headers, load shedding, rate limit, input limits. */
  readonly steps: readonly TStep[];
  /**
   * Concurrency slot and deadline, taken only after every cheap step passed (either may be off);
   * admission counts the request as allowed.
   */
  readonly gate: RequestGate;
  /** Adds `limit`, `active`, `queued`, `limiter`, `status()` and `close()` to the adapter's middleware. */
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
): GuardPlan<TStep, TRequest> {
  const steps: TStep[] = [];
  const headersStep =
    resolved.helmet === false ? undefined : factories.securityHeaders(resolved.helmet);
  if (headersStep) steps.push(headersStep);
  const { meterProvider } = resolved;
  let shedder: LoadShedder | undefined;
  let preDispatch: PreDispatchShedding | undefined;
  if (resolved.loadShedding !== false) {
    shedder = startLoadShedder(
      resolved.loadShedding.options,
      resolved.loadShedding.meterProvider ?? meterProvider,
    );
    // Refusing before dispatch needs the refusal to be the same for every request: no `skip` (it
    // wants the request as the app has it, after any middleware), helmet's headers known in advance.
    // A criticality classifier gets the framework's request there (see createPreDispatchShedding).
    const securityHeaders = headersStep ? headersStep.headerWrites : [];
    const check = createLoadSheddingCheck(shedder, resolved.loadShedding.skip, {
      meterProvider,
      insideGuard: true,
      preDispatch:
        factories.preDispatchFrame &&
        resolved.loadShedding.skip === undefined &&
        securityHeaders !== undefined
          ? {
              securityHeaders,
              frame: factories.preDispatchFrame,
              classify: resolved.classify as CriticalityResolver<unknown> | undefined,
            }
          : undefined,
    });
    preDispatch = check.preDispatch;
    steps.push(factories.loadShedding(check));
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
  // Under an adaptive limit (the default), the shedder refuses at the door most of what the limit
  // would refuse after the framework's dispatch (not what it refuses in bursts while most arrivals
  // find a free slot), and the limit neither grows nor shrinks on latency while the process is
  // overloaded (the event loop's, not the dependency's; drops still shrink it), and has the wait for
  // the loop taken off each sample. A fixed `max` keeps its own refusals.
  const limits = limiter && limiterCoupling(limiter);
  const sheds = shedder && shedderCoupling(shedder);
  if (limits && sheds && limiter?.options.adaptive) {
    limits.holdWhile(sheds.isProcessOverloaded);
    limits.discountLoopDelay(sheds.eventLoopDelayMs);
    sheds.refuseForLimit(limits.takeRefusedShare);
  }
  // Always a gate, even with neither a limit nor a deadline: admission is where guard() counts a
  // request as allowed.
  const gate = createRequestGate(limiter, resolved.timeoutMs, meterProvider);

  const status = (): GuardStatus => ({
    loadShedding: shedder?.figures,
    concurrency: limiter
      ? { limit: limiter.limit, active: limiter.active, queued: limiter.queued }
      : undefined,
    rateLimit: rateLimitStep ? { mode: rateLimitStep.limiter.mode } : undefined,
  });
  const close = () => {
    preDispatch?.close();
    shedder?.close();
    limiter?.close();
    rateLimitStep?.limiter.close();
  };
  return {
    classify: classifyOnce(resolved.classify, preDispatch),
    steps,
    gate,
    expose: (middleware) => {
      preDispatch?.claim(middleware);
      return Object.defineProperties(exposeCounts(middleware, limiter), {
        shedder: { value: shedder },
        status: { value: status },
        close: { value: close },
      }) as typeof middleware & GuardControls;
    },
  };
}

/**
 * `guard()`'s classifier: a request classified before dispatch keeps that class, so the callback
 * runs once per request.
 */
function classifyOnce<TRequest>(
  classify: CriticalityResolver<TRequest> | undefined,
  early: PreDispatchShedding | undefined,
): CriticalityResolver<TRequest> | undefined {
  if (!classify || !early) return classify;
  return (request, headers) => early.classOf(headers) ?? classify(request, headers);
}
