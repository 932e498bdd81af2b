import { CircuitOpenError } from '../errors/circuit-open-error';
import { withoutStack } from '../errors/without-stack';
import type { TimeoutError } from '../errors/timeout-error';
import { optionReader } from '../options/option-reader';
import { createBreakerTelemetry } from '../telemetry/breaker-telemetry';
import { countTimeout } from '../telemetry/counters';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { createRefusalSite } from '../telemetry/refusal';
import { createTelemetry } from '../telemetry/telemetry';
import { Admission, createBreakerRedisSync } from './breaker-redis-sync';
import type { BreakerSync, CircuitBreakerStoreOptions } from './breaker-redis-sync';
import { BreakerEvents } from './circuit-breaker-events';
import type { CircuitBreakerEvent, CircuitBreakerEventMap } from './circuit-breaker-events';
import { contextOf } from './policy';
import type { ExecuteOptions, Policy, PolicyFn } from './policy';
import { RollingWindow } from './rolling-window';
import type { WindowTotals } from './rolling-window';
import { runWithDeadline } from './timeout';

/** The three states of a circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'halfOpen';

/** Options of `createCircuitBreaker`. */
export interface CircuitBreakerOptions {
  /** Name of the dependency; the Redis key with `store`, and a label in logs and stats. Default `'default'`; required with `store`. */
  name?: string;
  /** Opens after this many consecutive counted failures. Default `5`. With `failureRateThreshold` it applies only when set explicitly. */
  failureThreshold?: number;
  /** Opens when failures / calls over `windowMs` reach this ratio (greater than 0, at most 1), once `minimumCalls` were seen. */
  failureRateThreshold?: number;
  /** Rolling window of the failure rate, in milliseconds (10 buckets). Default `10000`. */
  windowMs?: number;
  /** Calls the window must hold before the failure rate can open the breaker. Default `10`. */
  minimumCalls?: number;
  /** Time spent open before trial calls are let through, in milliseconds. Default `60000`. */
  resetTimeoutMs?: number;
  /** Trial calls let through at once while half-open; the others are rejected at once. Default `1`. */
  halfOpenMaxCalls?: number;
  /** Per-call deadline, in milliseconds; a call past it rejects with `TimeoutError` and counts as a failure. Default: none (and then no timer per call). */
  timeoutMs?: number;
  /** Whether a failure counts toward opening (return false for, say, a dependency's 404). Default: every failure counts. */
  isFailure?: (error: unknown) => boolean;
  /** Share the state through Redis between every instance using the same `name`. Default: local state only. */
  store?: CircuitBreakerStoreOptions;
  /** Where its metrics go (an OpenTelemetry MeterProvider). Default: the global MeterProvider. */
  meterProvider?: GuardMeterProvider;
}

/** Counters of a breaker for metrics. */
export interface CircuitBreakerStats {
  readonly name: string;
  readonly state: CircuitState;
  /** Calls that ran (not counting rejections). */
  readonly calls: number;
  readonly successes: number;
  /** Counted failures, timeouts included. */
  readonly failures: number;
  readonly timeouts: number;
  /** Calls refused while open or half-open. */
  readonly rejections: number;
  readonly consecutiveFailures: number;
  /** The rolling window (used by `failureRateThreshold`). */
  readonly window: WindowTotals;
  /** Seconds (rounded up) until trial calls are allowed; 0 unless open. */
  readonly retryAfterSeconds: number;
}

/** A circuit breaker. */
export interface CircuitBreaker extends Policy {
  readonly name: string;
  /** The current state; an open breaker whose reset timeout has passed reads (and becomes) `halfOpen`. */
  readonly state: CircuitState;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<TEvent extends CircuitBreakerEvent>(
    this: void,
    event: TEvent,
    listener: (payload: CircuitBreakerEventMap[TEvent]) => void,
  ): () => void;
  stats(this: void): CircuitBreakerStats;
  /**
   * Removes every listener, stops its state gauge, and with `store` stops re-sending a state change
   * Redis has not taken yet. The breaker holds no socket of its own (a Redis client stays the
   * caller's), and no timer but that retry (unref'd), which exists only while Redis fails.
   */
  close(this: void): void;
}

const KNOWN_OPTIONS = [
  'name',
  'failureThreshold',
  'failureRateThreshold',
  'windowMs',
  'minimumCalls',
  'resetTimeoutMs',
  'halfOpenMaxCalls',
  'timeoutMs',
  'isFailure',
  'store',
  'meterProvider',
] as const;

const WINDOW_BUCKETS = 10;

interface ResolvedBreakerOptions {
  name: string;
  /** `Infinity` when only the failure rate applies. */
  failureThreshold: number;
  failureRateThreshold: number | undefined;
  windowMs: number;
  minimumCalls: number;
  resetTimeoutMs: number;
  halfOpenMaxCalls: number;
  timeoutMs: number | undefined;
  isFailure: ((error: unknown) => boolean) | undefined;
  /** Checked by `createBreakerRedisSync`. */
  store: unknown;
  meterProvider: GuardMeterProvider | undefined;
}

function resolveBreakerOptions(options: unknown): ResolvedBreakerOptions {
  const read = optionReader('createCircuitBreaker', options, KNOWN_OPTIONS);
  if (read.has('store') && !read.has('name'))
    read.fail('name', 'a non-empty string when "store" is set (the shared key)', undefined);
  const failureRateThreshold = read.has('failureRateThreshold')
    ? read.ratio('failureRateThreshold', undefined)
    : undefined;
  const failureThreshold =
    failureRateThreshold !== undefined && !read.has('failureThreshold')
      ? Infinity
      : read.positiveInteger('failureThreshold', 5, 'failures');
  return {
    name: read.string('name', 'default'),
    failureThreshold,
    failureRateThreshold,
    windowMs: read.positiveInteger('windowMs', 10_000, 'milliseconds'),
    minimumCalls: read.positiveInteger('minimumCalls', 10, 'calls'),
    resetTimeoutMs: read.positiveInteger('resetTimeoutMs', 60_000, 'milliseconds'),
    halfOpenMaxCalls: read.positiveInteger('halfOpenMaxCalls', 1, 'calls'),
    timeoutMs: read.has('timeoutMs') ? read.timerMs('timeoutMs', undefined) : undefined,
    isFailure: read.optionalFunction('isFailure'),
    store: read.raw('store'),
    meterProvider: readMeterProvider(read),
  };
}

/**
 * Creates a circuit breaker: closed → open after `failureThreshold` consecutive failures (or a failure
 * rate over `windowMs`), open → half-open after `resetTimeoutMs`, half-open → closed on a trial success
 * or back to open on a trial failure. While open, calls reject at once with `CircuitOpenError` (503,
 * `Retry-After` = seconds left). With `store: { redis }` every instance sharing `name` shares the state.
 * State changes happen lazily on the next call or read of `state`, so the breaker owns no timer.
 * @example
 * const breaker = createCircuitBreaker({ name: 'payments', failureThreshold: 5, resetTimeoutMs: 10_000 });
 * const receipt = await breaker.execute(({ signal }) => payments.charge(order, { signal }));
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const resolved = resolveBreakerOptions(options);
  const {
    name,
    failureThreshold,
    failureRateThreshold,
    minimumCalls,
    resetTimeoutMs,
    halfOpenMaxCalls,
    timeoutMs,
    isFailure,
  } = resolved;
  const sync: BreakerSync | undefined =
    resolved.store === undefined
      ? undefined
      : createBreakerRedisSync(name, resolved.store, {
          resetTimeoutMs,
          halfOpenMaxCalls,
          leaseMs: timeoutMs ?? resetTimeoutMs,
        });
  const events = new BreakerEvents();
  const telemetry = createTelemetry(resolved.meterProvider);
  const transitions = createBreakerTelemetry(telemetry, name);
  // Calls refused by an open breaker are published on guard:reject; they are calls, not requests.
  const refusals = createRefusalSite(telemetry, 'circuit_breaker', name, false);
  const window =
    failureRateThreshold === undefined
      ? undefined
      : new RollingWindow(resolved.windowMs, WINDOW_BUCKETS);

  let state: CircuitState = 'closed';
  // Every transition bumps the generation; a call that finishes under another generation than it
  // started in (say, a slow call admitted before the breaker opened) updates counters only, so a
  // stale result can never re-open or close the breaker.
  let generation = 0;
  let reopenAt = 0;
  let trialsInFlight = 0;
  let consecutiveFailures = 0;
  let calls = 0;
  let successes = 0;
  let failures = 0;
  let timeouts = 0;
  let rejections = 0;

  function toOpen(reason: CircuitBreakerEventMap['open']['reason'], openMs: number): void {
    if (state !== 'open') transitions.transition(state, 'open');
    state = 'open';
    generation++;
    reopenAt = Date.now() + openMs;
    trialsInFlight = 0;
    if (reason !== 'shared') sync?.publishOpen(openMs);
    if (events.has('open'))
      events.emit('open', { reason, retryAfterSeconds: Math.ceil(openMs / 1000) });
  }

  function toClosed(reason: CircuitBreakerEventMap['close']['reason']): void {
    if (state !== 'closed') transitions.transition(state, 'closed');
    state = 'closed';
    generation++;
    consecutiveFailures = 0;
    trialsInFlight = 0;
    window?.reset();
    if (reason !== 'shared') sync?.publishClose();
    if (events.has('close')) events.emit('close', { reason });
  }

  function toHalfOpen(): void {
    if (state !== 'halfOpen') transitions.transition(state, 'halfOpen');
    state = 'halfOpen';
    generation++;
    trialsInFlight = 0;
    if (events.has('halfOpen')) events.emit('halfOpen', {});
  }

  function reject(msLeft: number): Promise<never> {
    rejections++;
    // The answer of an open breaker, on every call while it is open: no stack trace to capture.
    const error = refusals.refuse(
      withoutStack(
        () =>
          new CircuitOpenError(undefined, {
            retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
            cause: new Error(`circuit breaker "${name}" is ${state}`),
          }),
      ),
    );
    if (events.has('reject')) events.emit('reject', { error });
    return Promise.reject(error);
  }

  function onSuccess(startedIn: number, isTrial: boolean): void {
    successes++;
    if (isTrial && startedIn === generation) trialsInFlight--;
    if (events.has('success')) events.emit('success', {});
    if (startedIn !== generation) return;
    if (isTrial) toClosed('trial-succeeded');
    else {
      consecutiveFailures = 0;
      if (window !== undefined) recordInWindow(window, true);
    }
  }

  /**
   * Records a call in the rolling window and opens on the failure rate. Checked after successes
   * too: the rate that reaches the threshold must open the breaker whatever order the calls came in
   * (F F S S at 0.5 opens on the last success, as resilience4j does).
   */
  function recordInWindow(rolling: RollingWindow, succeeded: boolean): void {
    const now = Date.now();
    rolling.record(succeeded, now);
    const totals = rolling.totals(now);
    if (
      totals.total >= minimumCalls &&
      totals.failures > 0 &&
      totals.failures / totals.total >= (failureRateThreshold as number)
    )
      toOpen('failure-rate', resetTimeoutMs);
  }

  function onError(
    error: unknown,
    startedIn: number,
    isTrial: boolean,
    options: ExecuteOptions | undefined,
    isTimeout: boolean,
  ): void {
    // The caller giving up says nothing about the dependency: neither a success nor a failure.
    if (options?.signal?.aborted && !isTimeout) {
      if (isTrial && startedIn === generation) trialsInFlight--;
      return;
    }
    if (!isTimeout && isFailure !== undefined && !isFailure(error)) {
      onSuccess(startedIn, isTrial);
      return;
    }
    failures++;
    if (isTimeout) {
      timeouts++;
      countTimeout(telemetry, 'policy');
      if (events.has('timeout')) events.emit('timeout', { error: error as TimeoutError });
    }
    if (events.has('failure')) events.emit('failure', { error });
    if (startedIn !== generation) return;
    if (isTrial) {
      toOpen('trial-failed', resetTimeoutMs);
      return;
    }
    consecutiveFailures++;
    if (consecutiveFailures >= failureThreshold) {
      toOpen('consecutive-failures', resetTimeoutMs);
      return;
    }
    if (window !== undefined) recordInWindow(window, false);
  }

  async function run<TResult>(
    fn: PolicyFn<TResult>,
    options: ExecuteOptions | undefined,
    isTrial: boolean,
  ): Promise<TResult> {
    const startedIn = generation;
    calls++;
    let value: TResult;
    let timedOut = false;
    try {
      value =
        timeoutMs === undefined
          ? await fn(contextOf(options))
          : await runWithDeadline(fn, timeoutMs, options, () => {
              timedOut = true;
            });
    } catch (error) {
      onError(error, startedIn, isTrial, options, timedOut);
      throw error;
    }
    onSuccess(startedIn, isTrial);
    return value;
  }

  /**
   * The hot path: a closed breaker without `timeoutMs`. No async function, no AbortController, no
   * timer: one `then` on the promise fn returned (issue 4: at least as fast as cockatiel).
   */
  function runClosed<TResult>(
    fn: PolicyFn<TResult>,
    options: ExecuteOptions | undefined,
  ): Promise<TResult> {
    const startedIn = generation;
    calls++;
    let result: TResult | PromiseLike<TResult>;
    try {
      result = fn(contextOf(options));
    } catch (error) {
      onError(error, startedIn, false, options, false);
      // A synchronous throw becomes a rejection, passed on unchanged like any other failure.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(error);
    }
    // Promise.resolve returns a native promise as it is: no extra allocation.
    return Promise.resolve(result).then(
      (value) => {
        onSuccess(startedIn, false);
        return value;
      },
      (error: unknown) => {
        onError(error, startedIn, false, options, false);
        throw error;
      },
    );
  }

  /** Local admission for a breaker that is not closed: run as a trial, or reject. */
  function admitLocally<TResult>(
    fn: PolicyFn<TResult>,
    options: ExecuteOptions | undefined,
  ): Promise<TResult> {
    if (state === 'open') {
      const msLeft = reopenAt - Date.now();
      if (msLeft > 0) return reject(msLeft);
      toHalfOpen();
    }
    if (trialsInFlight >= halfOpenMaxCalls) return reject(1000);
    trialsInFlight++;
    return run(fn, options, true);
  }

  async function executeShared<TResult>(
    fn: PolicyFn<TResult>,
    options: ExecuteOptions | undefined,
  ): Promise<TResult> {
    // An open breaker that is not due yet answers without a round trip to Redis.
    if (state === 'open' && reopenAt > Date.now()) return reject(reopenAt - Date.now());
    const { admission, msLeft } = await (sync as BreakerSync).admit();
    switch (admission) {
      case Admission.Unavailable:
        return state === 'closed' ? run(fn, options, false) : admitLocally(fn, options);
      case Admission.Closed:
        if (state !== 'closed') toClosed('shared');
        return run(fn, options, false);
      case Admission.Open:
        if (state !== 'open' || reopenAt < Date.now() + msLeft) toOpen('shared', msLeft);
        return reject(msLeft);
      case Admission.TrialElsewhere:
        // Not a reason to go open locally: the trial may close the breaker any moment.
        if (state !== 'halfOpen') toHalfOpen();
        return reject(msLeft);
      case Admission.Trial:
        if (state !== 'halfOpen') toHalfOpen();
        trialsInFlight++;
        return run(fn, options, true);
    }
  }

  /** The state as a reader sees it: an open breaker whose reset timeout passed becomes half-open. */
  function currentState(): CircuitState {
    if (state === 'open' && reopenAt <= Date.now()) toHalfOpen();
    return state;
  }

  // No method reads `this`: `const { execute, stats } = breaker` works (issue 12, item 7).
  const breaker: CircuitBreaker = {
    name,
    get state() {
      return currentState();
    },
    execute<TResult>(fn: PolicyFn<TResult>, options?: ExecuteOptions): Promise<TResult> {
      if (sync !== undefined) return executeShared(fn, options);
      if (state === 'closed')
        return timeoutMs === undefined ? runClosed(fn, options) : run(fn, options, false);
      return admitLocally(fn, options);
    },
    on(event, listener) {
      return events.on(event, listener);
    },
    stats() {
      const now = Date.now();
      return {
        name,
        state: currentState(),
        calls,
        successes,
        failures,
        timeouts,
        rejections,
        consecutiveFailures,
        window: window?.totals(now) ?? { successes: 0, failures: 0, total: 0 },
        retryAfterSeconds: state === 'open' ? Math.max(0, Math.ceil((reopenAt - now) / 1000)) : 0,
      };
    },
    close() {
      events.clear();
      sync?.close();
      telemetry.close();
    },
  };
  transitions.observe(breaker);
  return breaker;
}

// Re-exported for the public index; declared here so the breaker's public types live with it.
export type { CircuitBreakerEvent, CircuitBreakerEventMap } from './circuit-breaker-events';
export type { CircuitBreakerStoreOptions } from './breaker-redis-sync';
