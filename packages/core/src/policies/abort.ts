import { AbortedError } from '../errors/aborted-error';
import { isGuardError } from '../errors/guard-error';
import { TimeoutError } from '../errors/timeout-error';
import { safeGet } from '../logging/safe-get';

/**
 * The error a policy rejects with when the caller's signal aborted. An Error the caller chose as
 * the reason (a deadline's `TimeoutError`) is passed through. `abort()` without a reason gives a
 * DOMException named `AbortError`, which is a plain abort: that, and any reason that is not an
 * Error, becomes an `AbortedError` (499) with the reason as its cause. The DOMException named
 * `TimeoutError` of `AbortSignal.timeout()` becomes a `TimeoutError` (503).
 */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  // By name, not `instanceof Error`: a DOMException from another realm (a test runner's VM context)
  // is no instance of this realm's Error.
  const name = safeGet(reason, 'name');
  // `AbortSignal.timeout(ms)` aborts with a DOMException named TimeoutError: a deadline (503).
  if (name === 'TimeoutError' && !isGuardError(reason))
    return new TimeoutError(undefined, { source: 'policy', cause: reason });
  if (reason instanceof Error && name !== 'AbortError') return reason;
  return new AbortedError(undefined, { cause: reason });
}
