import { AbortedError } from '../errors/aborted-error';

/**
 * The error a policy rejects with when the caller's signal aborted. An Error the caller chose as
 * the reason (a deadline's `TimeoutError`) is passed through. `abort()` without a reason gives a
 * DOMException named `AbortError`, which is a plain abort: that, and any reason that is not an
 * Error, becomes an `AbortedError` (499) with the reason as its cause.
 */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  return new AbortedError(undefined, { cause: reason });
}
