import type { GuardLogger } from '../logging/default-logger';
import { serializeError } from '../logging/serialize-error';
import { WarningCodes } from '../logging/warning-codes';
import { optionReader } from '../options/option-reader';
import type { MemoryStore } from './memory-store';
import type { RateLimitStore, StoreHit } from './store';

/** Options of `createInsuredStore`. */
export interface InsuredStoreOptions {
  /** The shared store (Redis). */
  shared: RateLimitStore;
  /** The in-process store that answers while the shared one fails. */
  insurance: MemoryStore;
  /** Longest wait for the shared store, in milliseconds. */
  timeoutMs: number;
  /** While on insurance, how often one call tries the shared store again, in milliseconds. */
  probeIntervalMs: number;
  /** Who is speaking in the log lines (`rateLimit "default"`). */
  label: string;
  /** Where the switches are logged, created on first use. */
  logger: () => GuardLogger;
}

/** A store that never rejects, and tells which store answered last. */
export interface InsuredStore extends RateLimitStore {
  /** `true` while the shared store is failing and the insurance store answers. */
  readonly onInsurance: boolean;
}

/**
 * Puts an in-process insurance store behind a shared one. A call the shared store fails or does not
 * answer within `timeoutMs` is answered by the insurance store instead, so a Redis outage never turns
 * into a 500. While on insurance, calls go straight (synchronously) to the insurance store, and one
 * call per `probeIntervalMs` tries the shared store again; its first success switches back. Each
 * switch is logged once: a warning when leaving the shared store, `info` when it is back.
 */
export function createInsuredStore(options: InsuredStoreOptions): InsuredStore {
  const read = optionReader('createInsuredStore', options, [
    'shared',
    'insurance',
    'timeoutMs',
    'probeIntervalMs',
    'label',
    'logger',
  ]);
  const shared = read.raw('shared') as RateLimitStore;
  if (!isStore(shared))
    read.fail('shared', 'a store (increment, peek, reset, refund, close)', shared);
  const insurance = read.raw('insurance') as MemoryStore;
  if (!isStore(insurance)) read.fail('insurance', 'a memory store (createMemoryStore)', insurance);
  const timeoutMs = read.timerMs('timeoutMs', undefined);
  const probeIntervalMs = read.positiveInteger('probeIntervalMs', undefined, 'milliseconds');
  const label = read.string('label', undefined);
  const logger =
    read.optionalFunction<() => GuardLogger>('logger') ??
    read.fail('logger', 'a function returning a logger', undefined);
  let onInsurance = false;
  let nextProbeAt = 0;

  function failed(error: unknown): void {
    nextProbeAt = Date.now() + probeIntervalMs;
    if (onInsurance) return;
    onInsurance = true;
    // Once per switch, not per request: an outage must not flood the log.
    logger().warn(
      `${label}: Redis store failed; limiting with the in-process insurance store until it answers again`,
      { code: WarningCodes.RATE_LIMIT_STORE_UNAVAILABLE, error: serializeError(error) },
    );
  }

  function answered(): void {
    if (!onInsurance) return;
    onInsurance = false;
    logger().info(`${label}: Redis store answers again; the shared limit is back`, {
      code: WarningCodes.RATE_LIMIT_STORE_RECOVERED,
    });
  }

  /** Whether this call should skip the shared store (on insurance, and no probe due). */
  function skipShared(): boolean {
    if (!onInsurance) return false;
    if (Date.now() < nextProbeAt) return true;
    nextProbeAt = Date.now() + probeIntervalMs;
    return false;
  }

  function insured<T>(
    call: () => T | Promise<T>,
    fallback: () => T,
    onAnswer: () => void = answered,
  ): T | Promise<T> {
    if (skipShared()) return fallback();
    let pending: T | Promise<T>;
    try {
      pending = call();
    } catch (error) {
      failed(error);
      return fallback();
    }
    return withTimeout(pending, timeoutMs).then(
      (value) => {
        onAnswer();
        return value;
      },
      (error: unknown) => {
        failed(error);
        return fallback();
      },
    );
  }

  return {
    get onInsurance() {
      return onInsurance;
    },
    increment: (key) =>
      insured<StoreHit>(
        () => shared.increment(key),
        () => insurance.increment(key),
      ),
    peek: (key) =>
      insured<StoreHit | undefined>(
        () => shared.peek(key),
        () => insurance.peek(key),
      ),
    refund: (key) =>
      insured<void>(
        () => shared.refund(key),
        () => insurance.refund(key),
      ),
    reset(key) {
      insurance.reset(key);
      return insured<void>(
        () => shared.reset(key),
        () => undefined,
      );
    },
    close() {
      insurance.close();
      shared.close();
    },
  };
}

function isStore(value: unknown): value is RateLimitStore {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as Record<string, unknown>;
  return ['increment', 'peek', 'reset', 'refund', 'close'].every(
    (m) => typeof store[m] === 'function',
  );
}

/** Rejects when `work` takes longer than `ms`; the timer never keeps the process alive. */
function withTimeout<T>(work: T | Promise<T>, ms: number): Promise<T> {
  if (!(work instanceof Promise)) return Promise.resolve(work);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`Redis did not answer within ${ms} ms`));
    }, ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
