import { performance } from 'node:perf_hooks';
import { isGuardError } from '../errors/guard-error';
import type { Criticality } from '../overload/criticality';
import type { ConcurrencyLimiter, Permit } from '../policies/concurrency-limiter';
import { recordQueueWait } from './counters';
import type { QueueOutcome } from './counters';
import { RejectionReasons } from './rejection';
import type { Telemetry } from './telemetry';

/** How a failed wait ended, or `undefined` when the acquire never queued (queue full, closed). */
function outcomeOf(error: unknown, signal: AbortSignal | undefined): QueueOutcome | undefined {
  if (signal?.aborted) return 'aborted';
  if (!isGuardError(error)) return undefined;
  if (error.code === 'ERR_GUARD_ABORTED') return 'aborted';
  if (error.reason === RejectionReasons.QUEUE_TIMEOUT) return 'timeout';
  if (error.reason === RejectionReasons.DISPLACED) return 'displaced';
  return undefined;
}

/**
 * `limiter.acquire(signal, criticality)` for a caller that found no free slot: records the wait in
 * `guard.concurrency.queue.duration` by outcome (`admitted`, `timeout` — CoDel's or
 * `queueTimeoutMs` —, `aborted`, `displaced` by a request of a higher class), and hands a refusal
 * with the time it waited to `onRefused`, which returns what to reject with. Measured around the
 * limiter, not inside it, so any queue discipline (FIFO, CoDel, by class) is timed the same way.
 */
export function acquireTimed(
  limiter: ConcurrencyLimiter,
  signal: AbortSignal | undefined,
  criticality: Criticality | undefined,
  telemetry: Telemetry,
  onRefused: (error: unknown, waitedMs: number) => unknown,
): Promise<Permit> {
  const queuedAt = performance.now();
  return limiter.acquire(signal, criticality).then(
    (permit) => {
      recordQueueWait(telemetry, 'admitted', performance.now() - queuedAt);
      return permit;
    },
    (error: unknown) => {
      const waitedMs = performance.now() - queuedAt;
      const outcome = outcomeOf(error, signal);
      if (outcome !== undefined) recordQueueWait(telemetry, outcome, waitedMs);
      throw onRefused(error, waitedMs);
    },
  );
}
