import { ERROR_CODE_PREFIX } from '../errors/codes';
import type { MetricAttributes } from './meter-provider';
import type { Telemetry } from './telemetry';

/**
 * Counts errors the error handler answered in `guard.errors`, by `http.response.status_code` and
 * `error.type` (the `ERR_GUARD_*` code, or `_OTHER` as OpenTelemetry's semantic conventions name
 * an unknown type). Both come from closed sets, so the attribute objects are cached.
 */
export function createErrorCounter(telemetry: Telemetry): (status: number, code: string) => void {
  const cache = new Map<string, MetricAttributes>();
  return (status, code) => {
    if (!telemetry.enabled) return;
    const type = code.startsWith(ERROR_CODE_PREFIX) ? code : '_OTHER';
    const cacheKey = `${status} ${type}`;
    let attributes = cache.get(cacheKey);
    if (attributes === undefined) {
      attributes = Object.freeze({ 'http.response.status_code': status, 'error.type': type });
      cache.set(cacheKey, attributes);
    }
    telemetry.instruments.errors.add(1, attributes);
  };
}
