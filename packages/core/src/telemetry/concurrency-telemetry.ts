import type { ConcurrencyLimiter } from '../policies/concurrency-limiter';
import type { Telemetry } from './telemetry';

/** The limit a concurrency limiter enforces now (where an adaptive limit stands, or the fixed `max`). */
export function currentLimit(limiter: ConcurrencyLimiter): number {
  return limiter.limit;
}

/** Registers `guard.concurrency.limit`, `.active` and `.queued` for a limiter, with `guard.name`. */
export function observeConcurrency(
  telemetry: Telemetry,
  limiter: ConcurrencyLimiter,
  name: string,
): void {
  const attributes = Object.freeze({ 'guard.name': name });
  telemetry.observe('concurrencyLimit', limiter, currentLimit, attributes);
  telemetry.observe('concurrencyActive', limiter, (l) => l.active, attributes);
  telemetry.observe('concurrencyQueued', limiter, (l) => l.queued, attributes);
}
