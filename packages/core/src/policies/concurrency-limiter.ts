import { abortError } from './abort';
import { ConcurrencyLimitError } from '../errors/concurrency-limit-error';
import { GuardConfigError } from '../errors/guard-config-error';
import { withoutStack } from '../errors/without-stack';
import { optionReader } from '../options/option-reader';
import { createAdaptiveLimit, resolveAdaptiveLimitOptions } from '../overload/adaptive-limit';
import type {
  AdaptiveLimit,
  AdaptiveLimitOptions,
  ResolvedAdaptiveLimitOptions,
} from '../overload/adaptive-limit';
import { criticalityRank, DEFAULT_CRITICALITY } from '../overload/criticality';
import type { Criticality } from '../overload/criticality';
import { WaiterQueue } from '../overload/waiter-queue';
import type { CodelSettings, QueuedWaiter } from '../overload/waiter-queue';
import type { WindowSample } from '../overload/limit-algorithm';
import { publishLimitChange } from '../telemetry/channels';
import { observeConcurrency } from '../telemetry/concurrency-telemetry';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { RejectionReasons } from '../telemetry/rejection';
import type { RejectionReason } from '../telemetry/rejection';
import { createTelemetry } from '../telemetry/telemetry';
import { systemClock } from '../timers/clock';
import type { Clock } from '../timers/clock';

/**
 * Options of `createConcurrencyLimiter` (and of `concurrencyLimit()` / `createBulkhead`): a fixed
 * `max`, or an `adaptive` limit that follows measured latency. Exactly one of the two.
 */
export interface ConcurrencyLimiterOptions {
  /** A fixed limit: most operations running at once. Not together with `adaptive`. */
  max?: number;
  /**
   * An adaptive limit (`true` for the defaults: Gradient2, starting at 20), with a bounded queue
   * governed by CoDel. Not together with `max`; `false` asks for the fixed limit, so `max` is then
   * required. The default when `max` is left out.
   */
  adaptive?: boolean | AdaptiveLimitOptions;
  /**
   * Most operations waiting for a slot, highest criticality first. Default `0` (no queue) with
   * `max`; with `adaptive`, twice the current limit and at least 256.
   */
  maxQueue?: number;
  /**
   * Longest wait in the queue, in milliseconds; then the wait fails with 503. Default `1000`. Under
   * an adaptive limit CoDel shortens it: no wait lasts beyond about 105 ms, and 5 ms while the
   * queue is standing.
   */
  queueTimeoutMs?: number;
  /** `Retry-After` of a rejection, in seconds. Default `1`. */
  retryAfterSeconds?: number;
  /** Names the limiter in metrics (`guard.name`), rejection records and limit events. Default `'default'`. */
  name?: string;
  /** Where its metrics go (an OpenTelemetry MeterProvider). Default: the global MeterProvider. */
  meterProvider?: GuardMeterProvider;
}

/** Concurrency options with every field checked and defaulted. */
export interface ResolvedConcurrencyLimiterOptions {
  /** The fixed limit, or `undefined` under an adaptive limit. */
  readonly max: number | undefined;
  /** The adaptive limit's options, or `undefined` under a fixed limit. */
  readonly adaptive: ResolvedAdaptiveLimitOptions | undefined;
  /** The queue bound, or `undefined` for `defaultMaxQueue(limit)` (adaptive default). */
  readonly maxQueue: number | undefined;
  readonly queueTimeoutMs: number;
  readonly retryAfterSeconds: number;
  /** The limiter's name in metrics, rejection records and limit events. */
  readonly name: string;
}

/**
 * How a permit's operation ended, for the adaptive limit: `'success'` is a latency sample,
 * `'drop'` a sign of overload (our own timeout, a 503 from a dependency), `'ignore'` no sample (the
 * client left; the time says nothing about the server).
 */
export type PermitOutcome = 'success' | 'drop' | 'ignore';

/** A held slot. `release()` frees it exactly once; further calls do nothing. */
export interface Permit {
  /** Frees the slot, reporting how the operation ended (default `'success'`). */
  release(outcome?: PermitOutcome): void;
}

/**
 * A counting semaphore with a bounded queue per criticality class: the one implementation behind
 * every concurrency cap. Its limit is fixed (`max`) or adaptive.
 */
export interface ConcurrencyLimiter {
  /**
   * Resolves with a permit once a slot is free. Rejects with `ConcurrencyLimitError` when the queue is
   * full (`reason` `queue_full`), the wait runs out (`queue_timeout`), a request of a higher class
   * takes the place (`displaced`) or the limiter closes (`closed`), and with the signal's reason
   * when `signal` aborts first (as every policy does; an `AbortedError` when the reason is not an
   * Error). A rejected acquire holds nothing, so it has nothing to release.
   */
  acquire(signal?: AbortSignal, criticality?: Criticality): Promise<Permit>;
  /** A permit now if a slot is free and nobody is queued, else `undefined` (no promise on the hot path). */
  tryAcquire(): Permit | undefined;
  /** The current limit (fixed, or where the adaptive limit stands now). */
  readonly limit: number;
  /** Moves the limit (a positive integer); queued operations are admitted at once if it grew. */
  setLimit(limit: number): void;
  /** Operations holding a slot. */
  readonly active: number;
  /** Operations waiting for one. */
  readonly queued: number;
  /** The resolved options. */
  readonly options: ResolvedConcurrencyLimiterOptions;
  /**
   * Rejects every waiter and refuses new acquires (permits already held may still be released), and
   * stops its gauges.
   */
  close(): void;
}

interface Waiter extends QueuedWaiter {
  resolve(permit: Permit): void;
  reject(error: Error): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * The queue bound under an adaptive limit: twice the limit, and never under 256 — CoDel decides how
 * long anybody waits, the bound only caps memory, and a roomy queue lets the limit climb from its
 * initial 20 to what the server sustains before the first arrivals are turned away.
 */
export function defaultMaxQueue(limit: number): number {
  return Math.max(256, 2 * limit);
}

/** Meta's CoDel figures ("Fail at Scale"): a 5 ms target once the queue stood for 100 ms. */
export const CODEL: CodelSettings = Object.freeze({ targetMs: 5, intervalMs: 100 });

/** A discounted sample is never shorter than this (the sample window ignores shorter ones). */
const MIN_DISCOUNTED_RTT_MS = 0.1;

const KNOWN_OPTIONS = [
  'max',
  'adaptive',
  'maxQueue',
  'queueTimeoutMs',
  'retryAfterSeconds',
  'name',
  'meterProvider',
] as const;

/**
 * Checks and completes concurrency options; shared by every factory that takes them. Without `max`
 * and `adaptive`, `defaultAdaptive` decides: an adaptive limit (guard(), concurrencyLimit(),
 * createBulkhead) or a configuration error naming `max` (createConcurrencyLimiter).
 */
export function resolveConcurrencyOptions(
  factory: string,
  options: unknown,
  pathPrefix = '',
  defaultAdaptive = false,
): ResolvedConcurrencyLimiterOptions {
  const read = optionReader(factory, options, KNOWN_OPTIONS, pathPrefix);
  const adaptiveValue = read.raw('adaptive');
  const hasAdaptive = adaptiveValue !== undefined && adaptiveValue !== false;
  if (read.has('max') && hasAdaptive)
    throw new GuardConfigError(
      `${factory}: "${pathPrefix}adaptive" and "${pathPrefix}max" cannot be combined: a fixed limit (max) or an adaptive one, not both`,
      `${pathPrefix}adaptive`,
    );
  if (
    hasAdaptive &&
    adaptiveValue !== true &&
    (typeof adaptiveValue !== 'object' || adaptiveValue === null || Array.isArray(adaptiveValue))
  )
    read.fail('adaptive', 'true, false or an options object', adaptiveValue);
  // `adaptive: false` asks for a fixed limit: then `max` is required like anywhere else.
  const isAdaptive =
    hasAdaptive || (!read.has('max') && adaptiveValue !== false && defaultAdaptive);
  let maxQueue: number | undefined;
  if (!isAdaptive) maxQueue = read.nonNegativeInteger('maxQueue', 0, 'operations');
  else if (read.has('maxQueue')) maxQueue = read.nonNegativeInteger('maxQueue', 0, 'operations');
  return Object.freeze({
    max: isAdaptive ? undefined : read.positiveInteger('max', undefined, 'operations'),
    adaptive: isAdaptive
      ? resolveAdaptiveLimitOptions(
          factory,
          hasAdaptive ? adaptiveValue : true,
          `${pathPrefix}adaptive.`,
        )
      : undefined,
    maxQueue,
    queueTimeoutMs: read.timerMs('queueTimeoutMs', 1000),
    retryAfterSeconds: read.positiveInteger('retryAfterSeconds', 1, 'seconds'),
    name: read.string('name', 'default'),
  });
}

/**
 * Reads the `meterProvider` of concurrency options (kept out of the resolved options, which are
 * settings): the one given, else `inherited` (guard()'s), else `undefined` for the global one.
 */
export function readConcurrencyMeterProvider(
  factory: string,
  options: unknown,
  pathPrefix = '',
  inherited?: GuardMeterProvider,
): GuardMeterProvider | undefined {
  return readMeterProvider(optionReader(factory, options, KNOWN_OPTIONS, pathPrefix), inherited);
}

/**
 * Creates a concurrency limiter: at most `limit` holders, waiters queued per criticality class. With
 * `max` the limit is fixed and the queue is first in, first out within a class (`maxQueue`, default
 * 0, `queueTimeoutMs`). With `adaptive` the limit follows the latency of admitted work (see
 * `AdaptiveLimitOptions`) and the queue is on by default, bounded and governed by CoDel.
 * @example
 * const limiter = createConcurrencyLimiter({ max: 10, maxQueue: 50, queueTimeoutMs: 1000 });
 * const permit = await limiter.acquire(signal);
 * try { await work(); } finally { permit.release(); }
 */
export function createConcurrencyLimiter(options?: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  const factory = 'createConcurrencyLimiter';
  return limiterFromResolved(
    resolveConcurrencyOptions(factory, options),
    factory,
    {},
    readConcurrencyMeterProvider(factory, options),
  );
}

/** What the overload simulator in core's tests replaces; production code passes none of it. */
export interface LimiterSeams {
  /** Time and timers (default: `performance.now()` and unref'd `setTimeout`). */
  clock?: Clock;
  /** The Vegas probe jitter's random source (default `Math.random`). */
  random?: () => number;
  /** The queue's CoDel settings (default: Meta's under an adaptive limit, none under `max`); `false` for a plain queue. */
  codel?: CodelSettings | false;
  /** Called after each sampling window of an adaptive limit, with the limit it led to. */
  onWindow?: (window: WindowSample, limit: number) => void;
}

/**
 * Builds a limiter from resolved options (the seams are for the simulator); `meterProvider`
 * receives its gauges (default: the global MeterProvider).
 */
export function limiterFromResolved(
  resolved: ResolvedConcurrencyLimiterOptions,
  factory: string,
  seams: LimiterSeams = {},
  meterProvider?: GuardMeterProvider,
): ConcurrencyLimiter {
  const { queueTimeoutMs, retryAfterSeconds, name } = resolved;
  const telemetry = createTelemetry(meterProvider);
  const clock = seams.clock ?? systemClock;
  const codel = seams.codel ?? (resolved.adaptive ? CODEL : false);
  const adaptive: AdaptiveLimit | undefined = resolved.adaptive
    ? createAdaptiveLimit(resolved.adaptive, seams.random, seams.onWindow)
    : undefined;
  let limit = adaptive ? adaptive.limit : (resolved.max as number);
  let hold: (() => boolean) | undefined;
  let loopDelayMs: (() => number) | undefined;
  // Since the last takeRefusedShare(): operations admitted and refused (not those whose client left),
  // and arrivals that found a free slot or found every slot taken.
  let admitted = 0;
  let refused = 0;
  let arrivedToRoom = 0;
  let arrivedToFull = 0;
  let maxQueue = resolved.maxQueue ?? defaultMaxQueue(limit);
  let active = 0;
  let closed = false;

  // An answer under load, not a bug: no stack trace to capture. Under overload this runs for most
  // requests, so each reason's cause is made once and shared.
  const causes = new Map<RejectionReason, Error>();
  const busy = (reason: RejectionReason) =>
    withoutStack(() => {
      let cause = causes.get(reason);
      if (!cause) causes.set(reason, (cause = new Error(`concurrency limit: ${reason}`)));
      return new ConcurrencyLimitError(undefined, { retryAfterSeconds, reason, cause });
    });

  const queue = new WaiterQueue<Waiter>(
    clock,
    queueTimeoutMs,
    codel === false ? undefined : codel,
    (waiter) => refuse(waiter, busy(RejectionReasons.QUEUE_TIMEOUT)),
  );

  function refuse(waiter: Waiter, error: Error): void {
    refused++;
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.reject(error);
  }

  function admit(waiter: Waiter): void {
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(createPermit());
  }

  // A released slot passes straight to the next waiter while the limit allows, so `active` never
  // dips and no newcomer can overtake the queue.
  function handOff(): void {
    if (active <= limit && queue.length > 0) {
      const waiter = queue.shift();
      if (waiter) {
        admit(waiter);
        return;
      }
    }
    active--;
  }

  // Every move of the limit (an adaptive window, setLimit) passes here: the one place that
  // publishes guard:concurrency:limit (nothing when it did not move or nobody subscribed).
  function setLimitValue(next: number): void {
    const previous = limit;
    limit = next;
    if (resolved.maxQueue === undefined) maxQueue = defaultMaxQueue(limit);
    publishLimitChange(name, limit, previous);
  }

  /** Admits waiters while the limit has room (after it grew). */
  function fill(): void {
    while (active < limit && queue.length > 0) {
      const waiter = queue.shift();
      if (!waiter) break;
      active++;
      admit(waiter);
    }
  }

  function createPermit(): Permit {
    admitted++;
    let released = false;
    if (!adaptive)
      return {
        release() {
          if (released) return;
          released = true;
          handOff();
        },
      };
    // Per operation, the adaptive limit keeps a timestamp and the count in flight at its start.
    const startedAt = clock.now();
    const inflight = active;
    return {
      release(outcome = 'success') {
        if (released) return;
        released = true;
        if (outcome !== 'ignore') {
          const now = clock.now();
          // Time spent waiting for the event loop is the process's, not what is behind the limit.
          const elapsed = now - startedAt;
          const rttMs =
            loopDelayMs === undefined
              ? elapsed
              : Math.max(Math.min(elapsed, MIN_DISCOUNTED_RTT_MS), elapsed - loopDelayMs());
          if (adaptive.sample(now, rttMs, inflight, outcome === 'drop')) {
            // The process itself is overloaded (its load shedder refuses): latency then measures
            // the event loop, not what is behind the limit. Growing on it ran the limit away;
            // shrinking on it took the limit to 50 for a pool of 128 on a CPU-bound process, and
            // the door then refused for a limit too small. Drops (timeouts, 503s) still shrink it.
            const onLatency =
              adaptive.limit > limit ||
              (adaptive.limit < limit && adaptive.lastWindow?.drops === 0);
            if (onLatency && hold?.()) adaptive.set(limit);
            setLimitValue(adaptive.limit);
            handOff();
            fill();
            return;
          }
        }
        handOff();
      },
    };
  }

  const limiter: ConcurrencyLimiter = {
    get active() {
      return active;
    },
    get queued() {
      return queue.length;
    },
    get limit() {
      return limit;
    },
    options: resolved,
    setLimit(next) {
      if (!Number.isSafeInteger(next) || next <= 0)
        throw new GuardConfigError(
          `${factory}: setLimit(limit) needs a positive integer, received ${String(next)}`,
          'limit',
        );
      adaptive?.set(next);
      setLimitValue(adaptive ? adaptive.limit : next);
      fill();
    },
    tryAcquire() {
      if (closed || active >= limit || queue.length > 0) {
        // Not counted as an arrival here: the caller goes on to acquire(), which counts it.
        adaptive?.markSaturated();
        return undefined;
      }
      active++;
      arrivedToRoom++;
      return createPermit();
    },
    acquire(signal, criticality = DEFAULT_CRITICALITY) {
      if (signal?.aborted) return Promise.reject(abortError(signal));
      if (closed) return Promise.reject(busy(RejectionReasons.CLOSED));
      if (active < limit && queue.length === 0) {
        active++;
        arrivedToRoom++;
        return Promise.resolve(createPermit());
      }
      arrivedToFull++;
      adaptive?.markSaturated();
      const rank = criticalityRank(criticality);
      if (queue.length >= maxQueue) {
        // Full: a more important arrival takes the place of the newest waiter of a lower class.
        const displaced = queue.evictBelow(rank);
        if (!displaced) {
          refused++;
          return Promise.reject(busy(RejectionReasons.QUEUE_FULL));
        }
        refuse(displaced, busy(RejectionReasons.DISPLACED));
      }
      return new Promise<Permit>((resolve, reject) => {
        const waiter: Waiter = {
          rank,
          enqueuedAt: clock.now(),
          resolve,
          reject,
          signal,
          onAbort: undefined,
          previous: undefined,
          next: undefined,
        };
        if (signal) {
          waiter.onAbort = () => {
            queue.remove(waiter);
            reject(abortError(signal));
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        queue.push(waiter);
      });
    },
    close() {
      closed = true;
      telemetry.close();
      for (const waiter of queue.drain()) refuse(waiter, busy(RejectionReasons.CLOSED));
    },
  };
  observeConcurrency(telemetry, limiter, name);
  couplings.set(limiter, {
    holdWhile(predicate) {
      hold = predicate;
    },
    discountLoopDelay(delayMs) {
      loopDelayMs = delayMs;
    },
    takeRefusedShare: () => {
      const seen = admitted + refused;
      // Most arrivals found a free slot: the limit is not short of capacity, and what it refused
      // came in bursts (on a CPU-bound process, a queue standing past CoDel's interval while the
      // loop was busy). Such refusals do not fall as the door takes more, and the door following
      // them ran away: 43 % refused at 1x on the I/O benchmark's CPU-bound variant (C = 128).
      const hadRoom = arrivedToRoom > arrivedToFull;
      const share = seen > 0 ? (hadRoom ? 0 : refused / seen) : undefined;
      admitted = refused = arrivedToRoom = arrivedToFull = 0;
      return share;
    },
  });
  return limiter;
}

/** How `guard()` couples its concurrency limit with its load shedder. */
export interface LimiterCoupling {
  /**
   * Keeps an adaptive limit where it is while `predicate()` is true (`guard()`: while the process
   * itself is overloaded, when latency measures the event loop): it neither grows nor shrinks on
   * latency then. Drops still shrink it.
   */
  holdWhile(predicate: () => boolean): void;
  /**
   * Takes the event loop's current delay (`delayMs()`, milliseconds) off each latency sample: on a
   * saturated loop every operation also waits for the loop, which the limit cannot cut. On the I/O
   * benchmark with a CPU-bound process, the limit shrank below the downstream's capacity on that
   * wait.
   */
  discountLoopDelay(delayMs: () => number): void;
  /**
   * The share of operations it refused since the last call (`undefined`: none came), or `0` when
   * most arrivals found a free slot (no excess demand for the door to take over).
   */
  readonly takeRefusedShare: () => number | undefined;
}

const couplings = new WeakMap<ConcurrencyLimiter, LimiterCoupling>();

/** The coupling of a limiter made by `limiterFromResolved` (`undefined` for any other object). */
export function limiterCoupling(limiter: ConcurrencyLimiter): LimiterCoupling | undefined {
  return couplings.get(limiter);
}
