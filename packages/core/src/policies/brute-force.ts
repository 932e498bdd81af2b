import { RateLimitError } from '../errors/rate-limit-error';
import { withoutStack } from '../errors/without-stack';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { optionReader } from '../options/option-reader';
import { createInsuredStore } from '../stores/insured-store';
import { createMemoryStore } from '../stores/memory-store';
import { createRedisStore } from '../stores/redis-store';
import type { RateLimitStore, StoreHit } from '../stores/store';
import { resolveRateLimiterOptions } from './rate-limiter';
import type { RateLimitStoreOption } from './rate-limiter';
import type { GuardMeterProvider } from '../telemetry/meter-provider';

/** Options of `createBruteForceProtection` (and of the adapters' `bruteForce()`). */
export interface BruteForceOptions {
  /** Failures in a row for one username from one address; the next attempt is blocked. Default `5`. */
  maxConsecutiveFailures?: number;
  /** Failures from one address, whatever the usernames, within `failureWindowMs`; then it is blocked. Default `100`. */
  maxFailuresPerAddress?: number;
  /** How long failures are remembered, in milliseconds. Default `86_400_000` (one day). */
  failureWindowMs?: number;
  /** How long a block lasts, in milliseconds. Default `900_000` (15 minutes). */
  blockMs?: number;
  /** `'memory'` (default) or `{ redis, prefix? }` to share the counts between instances. */
  store?: RateLimitStoreOption;
  /** Most keys each memory store holds. Default `100_000`. */
  maxKeys?: number;
  /** Names the policy in logs and Redis keys. Default `'login'`. */
  name?: string;
  /** Where Redis store switches are logged (winston). */
  logger?: GuardLogger;
  /** Where `bruteForce()` records its metrics (an OpenTelemetry MeterProvider). Default: the global one. */
  meterProvider?: GuardMeterProvider;
}

/** Whether a login attempt may go ahead. */
export interface BruteForceDecision {
  allowed: boolean;
  /** Seconds until the block ends (0 when allowed). */
  retryAfterSeconds: number;
}

/**
 * The rate-limiter-flexible login pattern: failures are counted per (username, address) and per
 * address; either count over its maximum blocks further attempts for `blockMs`; a success clears the
 * (username, address) count, never the address count (else one valid account would launder an
 * address's failures on others).
 */
export interface BruteForceProtection {
  /** Whether `username` may try to log in from `address` (a `clientKey`). Counts nothing. */
  check(
    username: string | undefined,
    address: string,
  ): BruteForceDecision | Promise<BruteForceDecision>;
  /** Counts a failed attempt. */
  reportFailure(username: string | undefined, address: string): Promise<void>;
  /** Clears the consecutive failures of `username` from `address`. */
  reportSuccess(username: string | undefined, address: string): Promise<void>;
  /** The error a blocked attempt is answered with (429 with Retry-After). */
  reject(decision: BruteForceDecision): RateLimitError;
  readonly mode: 'memory' | 'redis' | 'insurance';
  close(): void;
}

export const BRUTE_FORCE_OPTION_KEYS = [
  'maxConsecutiveFailures',
  'maxFailuresPerAddress',
  'failureWindowMs',
  'blockMs',
  'store',
  'maxKeys',
  'name',
  'logger',
  'meterProvider',
] as const;

const ALLOWED: BruteForceDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

/**
 * Creates brute-force protection for a login route.
 * @example
 * const protection = createBruteForceProtection({ maxConsecutiveFailures: 5 });
 * if (!(await protection.check(username, clientKey(ip))).allowed) throw ...;
 * if (passwordOk) await protection.reportSuccess(username, key); else await protection.reportFailure(username, key);
 */
export function createBruteForceProtection(options?: BruteForceOptions): BruteForceProtection {
  return buildBruteForceProtection(options, 'createBruteForceProtection');
}

/** `createBruteForceProtection` for the adapters, which name the middleware and read extra keys. */
export function buildBruteForceProtection(
  options: BruteForceOptions | undefined,
  factory: string,
  extraKeys: readonly string[] = [],
): BruteForceProtection {
  const read = optionReader(factory, options, [...BRUTE_FORCE_OPTION_KEYS, ...extraKeys]);
  const maxConsecutive = read.positiveInteger('maxConsecutiveFailures', 5, 'failures');
  const maxPerAddress = read.positiveInteger('maxFailuresPerAddress', 100, 'failures');
  const failureWindowMs = read.positiveInteger('failureWindowMs', 86_400_000, 'milliseconds');
  const blockMs = read.positiveInteger('blockMs', 900_000, 'milliseconds');
  // The store, maxKeys, name and logger options mean the same as for rateLimit: reuse its checks.
  const shared = resolveRateLimiterOptions(factory, {
    store: read.raw('store'),
    maxKeys: read.raw('maxKeys'),
    name: read.raw('name') ?? 'login',
    logger: read.raw('logger'),
  });
  const { maxKeys, name, redis } = shared;
  let logger = shared.logger;

  // A store's limit is the last count still allowed: the N-th failure goes over N - 1 and starts
  // the block, so attempt N + 1 is refused.
  const makeStore = (suffix: string, max: number): RateLimitStore & { onInsurance?: boolean } => {
    const storeOptions = { limit: max - 1, windowMs: failureWindowMs, blockMs };
    const memory = createMemoryStore({ ...storeOptions, maxKeys });
    if (!redis) return memory;
    return createInsuredStore({
      shared: createRedisStore({
        ...storeOptions,
        redis: redis.client,
        keyPrefix: `${redis.prefix}${name}:${suffix}`,
      }),
      insurance: memory,
      timeoutMs: redis.timeoutMs,
      probeIntervalMs: redis.probeIntervalMs,
      label: `${factory} "${name}" (${suffix})`,
      logger: () => (logger ??= createDefaultLogger()),
    });
  };
  const byPair = makeStore('user', maxConsecutive);
  const byAddress = makeStore('address', maxPerAddress);
  // Length-prefixed, so no username or address can be crafted to collide with another pair.
  const pairKey = (username: string | undefined, address: string) =>
    username === undefined ? `-|${address}` : `${username.length}|${username}|${address}`;

  function decide(pair: StoreHit | undefined, addr: StoreHit | undefined): BruteForceDecision {
    let wait = 0;
    if (pair && pair.count >= maxConsecutive) wait = pair.resetMs;
    if (addr && addr.count >= maxPerAddress) wait = Math.max(wait, addr.resetMs);
    return wait > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(wait / 1000) } : ALLOWED;
  }

  return {
    check(username, address) {
      const pair = byPair.peek(pairKey(username, address));
      const addr = byAddress.peek(address);
      if (pair instanceof Promise || addr instanceof Promise)
        return Promise.all([pair, addr]).then(([p, a]) => decide(p, a));
      return decide(pair, addr);
    },
    async reportFailure(username, address) {
      await Promise.all([
        byPair.increment(pairKey(username, address)),
        byAddress.increment(address),
      ]);
    },
    async reportSuccess(username, address) {
      await byPair.reset(pairKey(username, address));
    },
    reject(decision) {
      return withoutStack(
        () =>
          new RateLimitError(undefined, {
            retryAfterSeconds: Math.max(1, decision.retryAfterSeconds),
          }),
      );
    },
    get mode() {
      if (!redis) return 'memory';
      return byPair.onInsurance || byAddress.onInsurance ? 'insurance' : 'redis';
    },
    close() {
      byPair.close();
      byAddress.close();
    },
  };
}
