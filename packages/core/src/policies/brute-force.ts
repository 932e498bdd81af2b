import { RateLimitError } from '../errors/rate-limit-error';
import { withoutStack } from '../errors/without-stack';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { optionReader } from '../options/option-reader';
import { createInsuredStore } from '../stores/insured-store';
import { createMemoryStore } from '../stores/memory-store';
import { boundedKey } from '../stores/bounded-key';
import { createRedisStore } from '../stores/redis-store';
import type { RateLimitStore, StoreHit } from '../stores/store';
import { normalizeUsername } from './normalize-username';
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
  /**
   * Count `Alice`, `ALICE` and `ａｌｉｃｅ` as one username (NFKC, then case-folded). Default `true`;
   * `false` counts usernames exactly as sent. Either way a username over 64 characters is counted
   * under its SHA-256, so its length costs no memory.
   */
  normalizeUsername?: boolean;
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
 * Brute-force protection in the rate-limiter-flexible login pattern, counted up front: `check` counts
 * the attempt against its (username, address) pair and its address in one atomic step per store
 * (in memory, or one script in Redis), so however many guesses arrive at once, at most
 * `maxConsecutiveFailures` per pair reach the password check. A success clears the pair and gives
 * its attempt back to the address, never more (else one valid account would launder an address's
 * failures on others): the address count is the attempts that did not succeed.
 */
export interface BruteForceProtection {
  /**
   * Counts an attempt of `username` from `address` (a `clientKey`) and decides whether it may go
   * ahead. A refused attempt is not counted against the address.
   */
  check(
    this: void,
    username: string | undefined,
    address: string,
  ): BruteForceDecision | Promise<BruteForceDecision>;
  /**
   * Counts nothing: `check` already counted the attempt, which stays a failure unless
   * `reportSuccess` is called. Kept so a handler may report both outcomes.
   */
  reportFailure(this: void, username: string | undefined, address: string): Promise<void>;
  /**
   * Clears the consecutive failures of `username` from `address` and takes its attempt back from the
   * address count. Call it once per allowed `check` whose login succeeded.
   */
  reportSuccess(this: void, username: string | undefined, address: string): Promise<void>;
  /** The error a blocked attempt is answered with (429 with Retry-After). */
  reject(this: void, decision: BruteForceDecision): RateLimitError;
  readonly mode: 'memory' | 'redis' | 'insurance';
  close(this: void): void;
}

export const BRUTE_FORCE_OPTION_KEYS = [
  'maxConsecutiveFailures',
  'maxFailuresPerAddress',
  'failureWindowMs',
  'blockMs',
  'store',
  'maxKeys',
  'name',
  'normalizeUsername',
  'logger',
  'meterProvider',
] as const;

const ALLOWED: BruteForceDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

/**
 * Creates brute-force protection for a login route.
 * @example
 * const protection = createBruteForceProtection({ maxConsecutiveFailures: 5 });
 * const address = clientKey(ip);
 * const decision = await protection.check(username, address); // counts the attempt
 * if (!decision.allowed) throw protection.reject(decision);
 * if (await passwordOk()) await protection.reportSuccess(username, address);
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
  const normalize = read.boolean('normalizeUsername', true);
  // The store, maxKeys, name and logger options mean the same as for rateLimit: reuse its checks.
  const shared = resolveRateLimiterOptions(factory, {
    store: read.raw('store'),
    maxKeys: read.raw('maxKeys'),
    name: read.raw('name') ?? 'login',
    logger: read.raw('logger'),
  });
  const { maxKeys, name, redis } = shared;
  let logger = shared.logger;

  // A store's limit is the last count still allowed: attempt N + 1 goes over N, is refused, and
  // starts the block.
  const makeStore = (suffix: string, max: number): RateLimitStore & { onInsurance?: boolean } => {
    const storeOptions = { limit: max, windowMs: failureWindowMs, blockMs };
    const memory = createMemoryStore({ ...storeOptions, maxKeys });
    if (!redis) return memory;
    const shared = createRedisStore({
      ...storeOptions,
      redis: redis.client,
      keyPrefix: `${redis.prefix}${name}:${suffix}`,
    });
    return createInsuredStore({
      shared,
      insurance: memory,
      client: redis.client,
      serverOf: shared.serverOf,
      timeoutMs: redis.timeoutMs,
      probeIntervalMs: redis.probeIntervalMs,
      label: `${factory} "${name}" (${suffix})`,
      logger: () => (logger ??= createDefaultLogger()),
    });
  };
  const byPair = makeStore('user', maxConsecutive);
  const byAddress = makeStore('address', maxPerAddress);
  // Length-prefixed, so no username or address can be crafted to collide with another pair; then
  // bounded, so a 1 MiB username costs a hash (issue 12, item 10).
  const pairKey = (username: string | undefined, address: string) => {
    if (username === undefined) return boundedKey(`-|${address}`);
    const name = normalize ? normalizeUsername(username) : username;
    return boundedKey(`${name.length}|${name}|${address}`);
  };

  const refused = (hit: StoreHit): BruteForceDecision => ({
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil(hit.resetMs / 1000)),
  });

  /**
   * The pair is counted first: an attempt its pair refuses never reaches the address count, so
   * hammering one blocked account does not lock the address's other users out. An attempt the address
   * refuses gives its pair hit back: it never reached the password check.
   */
  function afterPair(pair: string, address: string, pairHit: StoreHit) {
    if (pairHit.count > maxConsecutive) return refused(pairHit);
    const addressHit = byAddress.increment(address);
    const decide = (hit: StoreHit): BruteForceDecision | Promise<BruteForceDecision> => {
      if (hit.count <= maxPerAddress) return ALLOWED;
      const refund = byPair.refund(pair);
      return refund instanceof Promise ? refund.then(() => refused(hit)) : refused(hit);
    };
    return addressHit instanceof Promise ? addressHit.then(decide) : decide(addressHit);
  }

  return {
    check(username, givenAddress) {
      const pair = pairKey(username, givenAddress);
      const address = boundedKey(givenAddress);
      const pairHit = byPair.increment(pair);
      return pairHit instanceof Promise
        ? pairHit.then((hit) => afterPair(pair, address, hit))
        : afterPair(pair, address, pairHit);
    },
    reportFailure() {
      return Promise.resolve();
    },
    async reportSuccess(username, address) {
      await Promise.all([
        byPair.reset(pairKey(username, address)),
        byAddress.refund(boundedKey(address)),
      ]);
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
