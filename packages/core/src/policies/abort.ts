import { AbortedError } from '../errors/aborted-error';

/** The error a policy rejects with when the caller's signal aborted: the reason when it is already an Error, else an AbortedError. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new AbortedError(undefined, { cause: reason });
}
