import type { GuardLogger } from '../logging/default-logger';
import { WarningCodes } from '../logging/warning-codes';
import { optionReader } from '../options/option-reader';
import type { MemoryStore } from './memory-store';
import { createRedisFallback } from './redis-fallback';
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
  /** The shared store's Redis client, for the lost-connection fast path. Default: none (no fast path). */
  client?: { readonly status: string };
  /** Which Redis server holds a key (`redisServerOf`); failures are kept per server. Default: one server. */
  serverOf?: (key: string) => string;
  /** Most resets remembered while Redis fails, to apply when it answers again. Default `10_000`. */
  maxPendingResets?: number;
}

/** A store that never rejects, and tells which store answered last. */
export interface InsuredStore extends RateLimitStore {
  /** `true` while the shared store is failing and the insurance store answers (some keys, on a Cluster). */
  readonly onInsurance: boolean;
  /** Resets made while the shared store failed, not yet applied to it. */
  readonly pendingResets: number;
}

const NEVER_LOST = { status: 'ready' };
/** Resets applied at once when the shared store is back; the rest follow batch by batch. */
const RESET_BATCH = 100;

/**
 * Puts an in-process insurance store behind a shared one. A call the shared store fails or does not
 * answer within `timeoutMs` is answered by the insurance store instead, so a Redis outage never turns
 * into a 500. While on insurance, calls go straight (synchronously) to the insurance store, and one
 * call per `probeIntervalMs` tries the shared store again; its first success switches back. Each
 * switch is logged once: a warning when leaving the shared store, `info` when it is back.
 *
 * A `reset(key)` the shared store does not take (a successful login during an outage) is remembered
 * and applied when it answers again: before any later call for that key, and for every remembered key
 * as soon as the shared store is back, so the other instances stop seeing the cleared count too
 * (issue 12 #5). At most `maxPendingResets` are remembered (the oldest are dropped).
 */
export function createInsuredStore(options: InsuredStoreOptions): InsuredStore {
  const read = optionReader('createInsuredStore', options, [
    'shared',
    'insurance',
    'timeoutMs',
    'probeIntervalMs',
    'label',
    'logger',
    'client',
    'serverOf',
    'maxPendingResets',
  ]);
  const shared = read.raw('shared') as RateLimitStore;
  if (!isStore(shared))
    read.fail('shared', 'a store (increment, peek, reset, refund, close)', shared);
  const insurance = read.raw('insurance') as MemoryStore;
  if (!isStore(insurance)) read.fail('insurance', 'a memory store (createMemoryStore)', insurance);
  const logger =
    read.optionalFunction<() => GuardLogger>('logger') ??
    read.fail('logger', 'a function returning a logger', undefined);
  const serverOf = read.optionalFunction<(key: string) => string>('serverOf') ?? (() => '');
  const serverOfKey = (key: string) => () => serverOf(key);
  const maxPendingResets = read.positiveInteger('maxPendingResets', 10_000, 'keys');
  const redis = createRedisFallback({
    client: (read.raw('client') as InsuredStoreOptions['client']) ?? NEVER_LOST,
    timeoutMs: read.timerMs('timeoutMs', undefined),
    probeIntervalMs: read.positiveInteger('probeIntervalMs', undefined, 'milliseconds'),
    label: read.string('label', undefined),
    logger,
    unavailable: {
      code: WarningCodes.RATE_LIMIT_STORE_UNAVAILABLE,
      message:
        'Redis store failed; limiting with the in-process insurance store until it answers again',
    },
    recovered: {
      code: WarningCodes.RATE_LIMIT_STORE_RECOVERED,
      message: 'Redis store answers again; the shared limit is back',
    },
  });
  // Insertion-ordered: when full, the oldest reset is the one given up.
  const pendingResets = new Set<string>();
  let flushing = false;

  function remember(key: string): void {
    pendingResets.delete(key);
    pendingResets.add(key);
    if (pendingResets.size > maxPendingResets)
      pendingResets.delete(pendingResets.values().next().value as string);
  }

  /** `call` on the shared store, preceded by the key's pending reset if it has one. */
  function afterReset<T>(key: string, call: () => T | Promise<T>): () => Promise<T> {
    if (!pendingResets.has(key)) return () => Promise.resolve(call());
    return async () => {
      await shared.reset(key);
      pendingResets.delete(key);
      return call();
    };
  }

  /** Applies the remembered resets whose server answers, a batch at a time, in the background. */
  function flushResets(): void {
    if (flushing || pendingResets.size === 0 || redis.degraded) return;
    flushing = true;
    const batch = [...pendingResets].slice(0, RESET_BATCH);
    void Promise.all(
      batch.map((key) =>
        Promise.resolve(
          redis.run(
            serverOfKey(key),
            async () => {
              await shared.reset(key);
              pendingResets.delete(key);
              return true;
            },
            () => false,
          ),
        ),
      ),
    ).then((done) => {
      flushing = false;
      // Go on only while the shared store takes them; a failure waits for the next recovery.
      if (done.every(Boolean)) flushResets();
    });
  }

  function insured<T>(key: string, call: () => T | Promise<T>, fallback: () => T): T | Promise<T> {
    const answer = redis.run(serverOfKey(key), afterReset(key, call), fallback);
    if (pendingResets.size > 0 && !flushing && answer instanceof Promise)
      void answer.then(flushResets);
    return answer;
  }

  return {
    get onInsurance() {
      return redis.degraded;
    },
    get pendingResets() {
      return pendingResets.size;
    },
    increment: (key) =>
      insured<StoreHit>(
        key,
        () => shared.increment(key),
        () => insurance.increment(key),
      ),
    peek: (key) =>
      insured<StoreHit | undefined>(
        key,
        () => shared.peek(key),
        () => insurance.peek(key),
      ),
    refund: (key) =>
      insured<void>(
        key,
        () => shared.refund(key),
        () => insurance.refund(key),
      ),
    reset(key) {
      insurance.reset(key);
      pendingResets.delete(key);
      return redis.run(
        serverOfKey(key),
        () => Promise.resolve(shared.reset(key)),
        () => remember(key),
      );
    },
    close() {
      redis.close();
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
