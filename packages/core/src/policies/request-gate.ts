import type { ServerResponse } from 'node:http';
import { AbortedError } from '../errors/aborted-error';
import { isGuardError } from '../errors/guard-error';
import { TimeoutError } from '../errors/timeout-error';
import type { GuardState } from '../http/guard-state';
import { currentLimit } from '../telemetry/concurrency-telemetry';
import { countTimeout } from '../telemetry/counters';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { createAllowedCounter, createRefusalSite } from '../telemetry/refusal';
import { criticalityOf, requestIdOf } from '../telemetry/request-facts';
import { createTelemetry } from '../telemetry/telemetry';
import { acquireTimed } from '../telemetry/timed-acquire';
import { DeadlineQueue } from '../timers/deadline-queue';
import type { ConcurrencyLimiter, Permit, PermitOutcome } from './concurrency-limiter';

/** What a request passes through after the cheap checks: a concurrency slot, then a deadline. */
export interface RequestGate {
  /** Whether admitted requests get a deadline (a timeout was configured). */
  readonly hasDeadline: boolean;
  /**
   * Admits the request. Returns `undefined` when it was admitted at once (the hot path: no promise),
   * else a promise that resolves on admission or rejects (`ConcurrencyLimitError`, or `AbortedError`
   * when the client left while queued). From admission, the slot is released exactly once, when the
   * response closes (finished, failed, cut or abandoned by the client). At the deadline
   * `state.signal` aborts and `onTimeout` receives the `TimeoutError`: the adapter must then answer
   * 503 or cut the response, so that it closes and frees the slot.
   */
  enter(
    res: ServerResponse,
    state: GuardState,
    onTimeout: (error: TimeoutError) => void,
  ): Promise<void> | undefined;
}

/**
 * Builds the admission step shared by both adapters. Either part may be absent. Each admitted
 * request counts once in `guard.requests` as allowed; queue refusals and passed deadlines are
 * described as rejections (`concurrency`, `timeout`).
 * @example const gate = createRequestGate(limiter, 30_000);
 */
export function createRequestGate(
  limiter: ConcurrencyLimiter | undefined,
  timeoutMs: number | undefined,
  meterProvider?: GuardMeterProvider,
): RequestGate {
  const telemetry = createTelemetry(meterProvider);
  const countAllowed = createAllowedCounter(telemetry, limiter?.options.name ?? 'default');
  const concurrency = createRefusalSite(
    telemetry,
    'concurrency',
    limiter?.options.name ?? 'default',
  );
  const deadline = createRefusalSite(telemetry, 'timeout', 'default');
  // Every request gets the same timeout, so deadlines fall due in admission order: one timer
  // watches them all instead of a setTimeout and clearTimeout per request.
  const deadlines =
    timeoutMs === undefined
      ? undefined
      : new DeadlineQueue<() => void>(timeoutMs, (expire) => expire());

  function start(
    res: ServerResponse,
    state: GuardState,
    permit: Permit | undefined,
    onTimeout: (error: TimeoutError) => void,
  ): void {
    // Our own timeout is the adaptive limit's strongest sign of overload: a drop, however the
    // response then ends (a 503, or a cut stream whose client sees a closed connection).
    let timedOut = false;
    // The deadline runs from admission: time spent queued is bounded by queueTimeoutMs instead.
    const entry = deadlines?.add(() => {
      const error = new TimeoutError(undefined, { source: 'request' });
      countTimeout(telemetry, 'request');
      deadline.refuse(error, {
        threshold: timeoutMs,
        criticality: criticalityOf(state),
        requestId: requestIdOf(res),
      });
      state.abort(error);
      timedOut = true;
      // The adapter answers 503 or cuts the response now, which closes it and so frees the slot.
      // Releasing here instead let a streamed body go on past its deadline without a slot, beside
      // the requests admitted in its place (issue 12 #9).
      onTimeout(error);
    });
    // `state.deadline` is epoch milliseconds for handlers; the queue keeps time on a monotonic clock.
    if (entry) state.deadline = Date.now() + (timeoutMs as number);
    else if (permit === undefined) return;
    const done = () => {
      if (entry) deadlines?.remove(entry);
      permit?.release(timedOut ? 'drop' : responseOutcome(res));
    };
    // 'close' fires once for every response: after 'finish', on error, and when the client leaves.
    // (`on`, not `once`: it fires once anyway, and once's wrapper and removal cost about 1 µs of
    // every Express request in a CPU profile of bench/guard.mjs.)
    if (res.destroyed) done();
    else res.on('close', done);
  }

  return {
    hasDeadline: deadlines !== undefined,
    enter(res, state, onTimeout) {
      if (!limiter) {
        start(res, state, undefined, onTimeout);
        countAllowed(criticalityOf(state));
        return undefined;
      }
      const permit = limiter.tryAcquire();
      if (permit) {
        start(res, state, permit, onTimeout);
        countAllowed(criticalityOf(state));
        return undefined;
      }
      // Queued: the signal lets a client that leaves give up its place in the queue.
      const refused = (error: unknown, waitedMs: number) =>
        isGuardError(error)
          ? concurrency.refuse(error, {
              limit: currentLimit(limiter),
              queueWaitMs: Math.round(waitedMs),
              criticality: criticalityOf(state),
              requestId: requestIdOf(res),
            })
          : error;
      return acquireTimed(limiter, state.signal, state.criticality, telemetry, refused).then(
        (queuedPermit) => {
          if (res.destroyed) {
            queuedPermit.release('ignore');
            throw new AbortedError('Client disconnected while queued');
          }
          start(res, state, queuedPermit, onTimeout);
          countAllowed(criticalityOf(state));
        },
      );
    },
  };
}

/**
 * What a closed response tells the adaptive limit: a response that never finished means the client
 * left (no sample); a 503 passed on from a dependency (breaker open, pool busy) is a drop; anything
 * else is a latency sample.
 */
export function responseOutcome(res: ServerResponse): PermitOutcome {
  if (!res.writableFinished) return 'ignore';
  return res.statusCode === 503 ? 'drop' : 'success';
}
