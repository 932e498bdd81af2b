import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HeaderWrite } from '../http/header-writer';
import { DEFAULT_CRITICALITY } from '../overload/criticality';
import type { Criticality } from '../overload/criticality';
import type { CriticalityResolver } from '../overload/resolve-criticality';
import type { LoadShedder } from '../policies/load-shedder';
import { pressureOf } from '../telemetry/load-shedding-telemetry';
import type { SectionTelemetryOptions } from '../telemetry/meter-provider-option';
import { createAllowedCounter, createRefusalSite } from '../telemetry/refusal';
import type { RefusalFacts } from '../telemetry/refusal';
import { requestIdOf } from '../telemetry/request-facts';
import { createTelemetry } from '../telemetry/telemetry';
import { createPreDispatchShedding } from './pre-dispatch-shedding';
import type { PreDispatchFrame, PreDispatchShedding } from './pre-dispatch-shedding';

/**
 * The load-shedding decision for one request, the one both adapters' load-shedding step runs:
 * returns when the request may go on, throws the 503 `LoadShedError` (described as a
 * `load_shedding` refusal) when it is shed. `request` is `req` / `ctx` (for `skip`), `state` its
 * per-request state (its class), `app`, `req` and `res` the framework's app and Node's request and
 * response (for shedding before dispatch). `preDispatch` is `guard()`'s shedding before dispatch,
 * for its `claim()` and `close()`.
 */
export interface LoadSheddingCheck<TRequest> {
  (
    request: TRequest,
    state: { readonly criticality: Criticality } | undefined,
    app: object,
    req: IncomingMessage,
    res: ServerResponse,
  ): void;
  readonly preDispatch: PreDispatchShedding | undefined;
}

/** Where a load-shedding check records, and whether it may shed before dispatch. */
export interface LoadSheddingCheckContext extends SectionTelemetryOptions {
  /**
   * `guard()`'s setup for refusing shed requests before the framework dispatches them (helmet's
   * recorded header writes and what the adapter can tell of its app); `undefined`: never.
   */
  preDispatch?:
    | {
        securityHeaders: readonly HeaderWrite[];
        frame: PreDispatchFrame;
        /** `guard()`'s criticality classifier, if requests have classes. */
        classify?: CriticalityResolver<unknown> | undefined;
      }
    | undefined;
}

/**
 * Builds the load-shedding check: per request, one read of its class's refusal probability (and a
 * random number only while that is between 0 and 1; lower classes are refused first, see
 * `createLoadShedder`). `skip` is asked only about a request that would be refused. Every refusal,
 * in the framework or before its dispatch, is counted in `guard.requests` and published on
 * `guard:reject` with the shedder's pressure (`observed`, against `threshold` 1, the level it holds
 * an overloaded process at).
 * @example const check = createLoadSheddingCheck(shedder, (req) => req.path === '/health');
 */
export function createLoadSheddingCheck<TRequest>(
  shedder: LoadShedder,
  skip: ((request: TRequest) => boolean) | undefined,
  context: LoadSheddingCheckContext = {},
): LoadSheddingCheck<TRequest> {
  const telemetry = createTelemetry(context.meterProvider);
  const site = createRefusalSite(telemetry, 'load_shedding', 'default');
  const countAllowed = context.insideGuard ? undefined : createAllowedCounter(telemetry, 'default');
  const factsOf = (criticality: Criticality, res: ServerResponse): RefusalFacts => ({
    observed: Math.round(pressureOf(shedder) * 1000) / 1000,
    threshold: 1,
    criticality,
    requestId: requestIdOf(res),
  });
  const preDispatch =
    context.preDispatch === undefined
      ? undefined
      : createPreDispatchShedding(
          shedder,
          context.preDispatch.securityHeaders,
          context.preDispatch.frame,
          (error, res, criticality) =>
            site.count(error, factsOf(criticality ?? DEFAULT_CRITICALITY, res)),
          context.preDispatch.classify,
        );

  function loadSheddingCheck(
    request: TRequest,
    state: { readonly criticality: Criticality } | undefined,
    app: object,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    // Judged before the framework dispatched it (guard() refuses there once it may).
    if (preDispatch?.hasJudged(req)) return;
    const criticality = state?.criticality ?? DEFAULT_CRITICALITY;
    if (shedder.shouldShed(criticality, req.socket) && !skip?.(request)) {
      preDispatch?.offer(app, req, res);
      throw site.refuse(shedder.error(), factsOf(criticality, res));
    }
    countAllowed?.(criticality);
  }
  return Object.assign(loadSheddingCheck, { preDispatch });
}
