import type { LoadShedder } from '../policies/load-shedder';
import { pressureOf } from '../telemetry/load-shedding-telemetry';
import type { SectionTelemetryOptions } from '../telemetry/meter-provider-option';
import { createAllowedCounter, createRefusalSite } from '../telemetry/refusal';
import { criticalityOf } from '../telemetry/request-facts';
import { createTelemetry } from '../telemetry/telemetry';

/**
 * The load-shedding decision for one request (`req` / `ctx`, and its per-request state): returns
 * when it may go on, throws the 503 `LoadShedError` (described as a `load_shedding` refusal) when
 * it is shed.
 */
export type LoadSheddingCheck<TRequest> = (request: TRequest, state: object | undefined) => void;

/**
 * Builds the check both adapters' load-shedding step runs: one property read while the process is
 * not overloaded.
 * @example const check = createLoadSheddingCheck(shedder, (req) => req.path === '/health');
 */
export function createLoadSheddingCheck<TRequest>(
  shedder: LoadShedder,
  skip: ((request: TRequest) => boolean) | undefined,
  context: SectionTelemetryOptions = {},
): LoadSheddingCheck<TRequest> {
  const telemetry = createTelemetry(context.meterProvider);
  const site = createRefusalSite(telemetry, 'load_shedding', 'default');
  const countAllowed = context.insideGuard ? undefined : createAllowedCounter(telemetry, 'default');
  return function loadSheddingCheck(request, state) {
    if (!shedder.overloaded || skip?.(request)) {
      countAllowed?.(criticalityOf(state));
      return;
    }
    throw site.refuse(shedder.error(), {
      observed: Math.round(pressureOf(shedder) * 1000) / 1000,
      threshold: 1,
      criticality: criticalityOf(state),
    });
  };
}
