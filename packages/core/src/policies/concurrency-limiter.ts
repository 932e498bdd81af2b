import { abortError } from './abort';
import { ConcurrencyLimitError } from '../errors/concurrency-limit-error';
import { withoutStack } from '../errors/without-stack';
import { optionReader } from '../options/option-reader';
import { RejectionReasons } from '../telemetry/rejection';
import type { RejectionReason } from '../telemetry/rejection';
import { observeConcurrency } from '../telemetry/concurrency-telemetry';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { createTelemetry } from '../telemetry/telemetry';

/** Options of `createConcurrencyLimiter` (and of `concurrencyLimit()` / `createBulkhead`). */
export interface ConcurrencyLimiterOptions {
  /** Most operations running at once. Required. */
  max: number;
  /** Most operations waiting for a slot, served first in, first out. Default `0` (no queue). */
  maxQueue?: number;
  /** Longest wait in the queue, in milliseconds; then the wait fails with 503. Default `1000`. */
  queueTimeoutMs?: number;
  /** `Retry-After` of a rejection, in seconds. Default `1`. */
  retryAfterSeconds?: number;
  /** Names the limiter in metrics (`guard.name`) and rejection records. Default `'default'`. */
  name?: string;
  /** Where its metrics go (an OpenTelemetry MeterProvider). Default: the global MeterProvider. */
  meterProvider?: GuardMeterProvider;
}

/** Concurrency options with every default filled in (the meter provider is not kept). */
export type ResolvedConcurrencyLimiterOptions = Readonly<
  Required<Omit<ConcurrencyLimiterOptions, 'meterProvider'>>
>;

/** A held slot. `release()` frees it exactly once; further calls do nothing. */
export interface Permit {
  release(): void;
}

/** A counting semaphore with a bounded FIFO queue: the one implementation behind every concurrency cap. */
export interface ConcurrencyLimiter {
  /**
   * Resolves with a permit once a slot is free. Rejects with `ConcurrencyLimitError` when the queue is
   * full or the wait runs past `queueTimeoutMs`, and with the signal's reason when `signal` aborts
   * first (as every policy does; an `AbortedError` when the reason is not an Error).
   * A rejected acquire holds nothing, so it has nothing to release.
   */
  acquire(signal?: AbortSignal): Promise<Permit>;
  /** A permit now if a slot is free and nobody is queued, else `undefined` (no promise on the hot path). */
  tryAcquire(): Permit | undefined;
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

interface Waiter {
  resolve(permit: Permit): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  previous: Waiter | undefined;
  next: Waiter | undefined;
}

const KNOWN_OPTIONS = [
  'max',
  'maxQueue',
  'queueTimeoutMs',
  'retryAfterSeconds',
  'name',
  'meterProvider',
] as const;

/** Checks and completes concurrency options; shared by every factory that takes them. */
export function resolveConcurrencyOptions(
  factory: string,
  options: unknown,
  pathPrefix = '',
): ResolvedConcurrencyLimiterOptions {
  const read = optionReader(factory, options, KNOWN_OPTIONS, pathPrefix);
  return Object.freeze({
    max: read.positiveInteger('max', undefined, 'operations'),
    maxQueue: read.nonNegativeInteger('maxQueue', 0, 'operations'),
    queueTimeoutMs: read.timerMs('queueTimeoutMs', 1000),
    retryAfterSeconds: read.positiveInteger('retryAfterSeconds', 1, 'seconds'),
    name: read.string('name', 'default'),
  });
}

/**
 * Creates a concurrency limiter: at most `max` holders, at most `maxQueue` waiters in FIFO order.
 * @example
 * const limiter = createConcurrencyLimiter({ max: 10, maxQueue: 50, queueTimeoutMs: 1000 });
 * const permit = await limiter.acquire(signal);
 * try { await work(); } finally { permit.release(); }
 */
export function createConcurrencyLimiter(
  options: ConcurrencyLimiterOptions,
  factory = 'createConcurrencyLimiter',
  pathPrefix = '',
  inheritedMeterProvider?: GuardMeterProvider,
): ConcurrencyLimiter {
  const resolved = resolveConcurrencyOptions(factory, options, pathPrefix);
  const telemetry = createTelemetry(
    readMeterProvider(
      optionReader(factory, options, KNOWN_OPTIONS, pathPrefix),
      inheritedMeterProvider,
    ),
  );
  const { max, maxQueue, queueTimeoutMs, retryAfterSeconds } = resolved;
  let active = 0;
  let queued = 0;
  let head: Waiter | undefined;
  let tail: Waiter | undefined;
  let closed = false;

  // An answer under load, not a bug: no stack trace to capture (twice, with its cause).
  const busy = (why: string, reason: RejectionReason = RejectionReasons.QUEUE_FULL) =>
    withoutStack(
      () =>
        new ConcurrencyLimitError(undefined, {
          retryAfterSeconds: retryAfterSeconds,
          reason,
          cause: new Error(why),
        }),
    );

  function unlink(waiter: Waiter): void {
    if (waiter.previous) waiter.previous.next = waiter.next;
    else head = waiter.next;
    if (waiter.next) waiter.next.previous = waiter.previous;
    else tail = waiter.previous;
    waiter.previous = waiter.next = undefined;
    queued--;
    if (waiter.timer) clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  // The slot passes straight from the releasing holder to the oldest waiter, so `active` never dips
  // and no newcomer can overtake the queue.
  function handOff(): void {
    const waiter = head;
    if (waiter) {
      unlink(waiter);
      waiter.resolve(createPermit());
    } else {
      active--;
    }
  }

  function createPermit(): Permit {
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        handOff();
      },
    };
  }

  const limiter: ConcurrencyLimiter = {
    get active() {
      return active;
    },
    get queued() {
      return queued;
    },
    options: resolved,
    tryAcquire() {
      if (closed || active >= max || head) return undefined;
      active++;
      return createPermit();
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(abortError(signal));
      if (closed) return Promise.reject(busy('limiter closed', RejectionReasons.CLOSED));
      if (active < max && !head) {
        active++;
        return Promise.resolve(createPermit());
      }
      if (queued >= maxQueue) return Promise.reject(busy('queue full'));
      return new Promise<Permit>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          reject,
          timer: undefined,
          signal,
          onAbort: undefined,
          previous: tail,
          next: undefined,
        };
        if (tail) tail.next = waiter;
        else head = waiter;
        tail = waiter;
        queued++;
        waiter.timer = setTimeout(() => {
          unlink(waiter);
          reject(busy('queue wait timed out', RejectionReasons.QUEUE_TIMEOUT));
        }, queueTimeoutMs);
        waiter.timer.unref();
        if (signal) {
          waiter.onAbort = () => {
            unlink(waiter);
            reject(abortError(signal));
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
      });
    },
    close() {
      closed = true;
      telemetry.close();
      while (head) {
        const waiter = head;
        unlink(waiter);
        waiter.reject(busy('limiter closed', RejectionReasons.CLOSED));
      }
    },
  };
  observeConcurrency(telemetry, limiter, resolved.name);
  return limiter;
}
