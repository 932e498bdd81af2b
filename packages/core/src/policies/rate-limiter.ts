import { performance } from 'node:perf_hooks';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { optionReader } from '../options/option-reader';
import { boundedKey } from '../stores/bounded-key';
import { createMemoryStore } from '../stores/memory-store';
import type { MemoryStore } from '../stores/memory-store';
import { createRedisStore } from '../stores/redis-store';
import { createInsuredStore } from '../stores/insured-store';
import { hasRedisMethods } from '../stores/redis-client';
import type { RedisClient } from '../stores/redis-client';
import type { StoreHit } from '../stores/store';
import type { GuardMeterProvider, MetricAttributes } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { createTelemetry } from '../telemetry/telemetry';
import type { Telemetry } from '../telemetry/telemetry';

/** Where the counts live: in this process, or in a Redis every app instance shares. */
export type RateLimitStoreOption =
  | 'memory'
  | {
      /** An ioredis `Redis` (standalone or Sentinel) or `Cluster` client; the limiter never closes it. */
      redis: RedisClient;
      /** Key prefix in Redis. Default `'guard:rate-limit:'` (the policy name is appended). */
      prefix?: string;
      /** Longest wait for Redis before the insurance limiter answers, in milliseconds. Default `250`. */
      timeoutMs?: number;
      /** While on insurance, how often one request tries Redis again, in milliseconds. Default `1000`. */
      probeIntervalMs?: number;
    };

/** Options of `createRateLimiter`: the contract's `rateLimit` options without `key` and `skip`. */
export interface RateLimiterOptions {
  /** Requests allowed per window and key. Default `60`. */
  limit?: number;
  /** Window length in milliseconds; a key's window starts at its first request. Default `60_000`. */
  windowMs?: number;
  /** Once a key goes over the limit, reject it for this long (ms) instead of until the window ends. Default: no block. */
  blockMs?: number;
  /** `'memory'` (default) or `{ redis, prefix? }` for a limit shared by all instances. */
  store?: RateLimitStoreOption;
  /** Most keys the memory store (and the Redis insurance limiter) holds. Default `100_000`. */
  maxKeys?: number;
  /** Send `RateLimit-Policy` and `RateLimit` headers. Default `true`. */
  headers?: boolean;
  /** Policy name in the headers (and in Redis keys). Default `'default'`. */
  name?: string;
  /** Where store switches are logged (winston). Default: a JSON logger on stdout, created on first use. */
  logger?: GuardLogger;
  /** Where its metrics go (an OpenTelemetry MeterProvider). Default: the global MeterProvider. */
  meterProvider?: GuardMeterProvider;
}

/** The answer for one request. */
export interface RateLimitDecision {
  /** Whether the request is within the limit. */
  allowed: boolean;
  /** The policy's limit per window. */
  limit: number;
  /** Requests left in the current window (0 when rejected). */
  remaining: number;
  /** Seconds until the window (or block) ends, rounded up: a refusal's `Retry-After`. */
  retryAfterSeconds: number;
  /** The `RateLimit` header value: `"name";r=<remaining>;t=<retryAfterSeconds>`. */
  header: string;
}

/** A rate limiter: counts requests per key and decides. */
export interface RateLimiter {
  /**
   * Counts one request for `key`. Synchronous with the memory store (and while on insurance); a
   * promise with Redis. Never rejects: a failing or slow Redis hands over to the insurance limiter.
   * A key longer than 64 characters is counted under its SHA-256, so its length costs no memory.
   */
  consume(this: void, key: string): RateLimitDecision | Promise<RateLimitDecision>;
  /** `'memory'`, `'redis'`, or `'insurance'` while Redis is failing. */
  readonly mode: 'memory' | 'redis' | 'insurance';
  /** The `RateLimit-Policy` header value: `"name";q=<limit>;w=<window seconds>`. */
  readonly policyHeader: string;
  /** The resolved options. */
  readonly options: ResolvedRateLimiterOptions;
  /** Releases the memory the limiter holds; the Redis client is the caller's to close. */
  close(this: void): void;
}

/** The options with every default filled in. */
export interface ResolvedRateLimiterOptions {
  readonly limit: number;
  readonly windowMs: number;
  readonly blockMs: number;
  readonly maxKeys: number;
  readonly headers: boolean;
  readonly name: string;
  readonly redis:
    | {
        readonly client: RedisClient;
        readonly prefix: string;
        readonly timeoutMs: number;
        readonly probeIntervalMs: number;
      }
    | undefined;
}

export const RATE_LIMITER_OPTION_KEYS = [
  'limit',
  'windowMs',
  'blockMs',
  'store',
  'maxKeys',
  'headers',
  'name',
  'logger',
  'meterProvider',
] as const;

/** What the Redis store calls on the client (rate-limiter-flexible's counter script, peek and reset). */
const REDIS_METHODS = ['evalsha', 'defineCommand', 'multi', 'del'] as const;

// An sf-string of draft-ietf-httpapi-ratelimit-headers: printable ASCII without `"` and `\`.
const POLICY_NAME = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

/**
 * Checks and completes rate-limiter options. `extraKeys` are the options the caller reads itself
 * (the adapters' `key` and `skip`), so they are not reported as unknown.
 */
export function resolveRateLimiterOptions(
  factory: string,
  options: unknown,
  extraKeys: readonly string[] = [],
  pathPrefix = '',
): ResolvedRateLimiterOptions & {
  logger: GuardLogger | undefined;
  meterProvider: GuardMeterProvider | undefined;
} {
  const read = optionReader(
    factory,
    options,
    [...RATE_LIMITER_OPTION_KEYS, ...extraKeys],
    pathPrefix,
  );
  const limit = read.positiveInteger('limit', 60, 'requests');
  const windowMs = read.positiveInteger('windowMs', 60_000, 'milliseconds');
  const blockMs = read.nonNegativeInteger('blockMs', 0, 'milliseconds');
  const maxKeys = read.positiveInteger('maxKeys', 100_000, 'keys');
  const headers = read.boolean('headers', true);
  const name = read.string('name', 'default');
  if (!POLICY_NAME.test(name))
    read.fail('name', 'printable ASCII without quotes or backslashes (at most 64)', name);
  const logger = read.raw('logger');
  if (logger !== undefined && !isLogger(logger))
    read.fail('logger', 'a winston logger (with warn and info methods)', logger);
  const store = read.raw('store');
  let redis: ResolvedRateLimiterOptions['redis'];
  if (store !== undefined && store !== 'memory') {
    if (typeof store !== 'object' || store === null || Array.isArray(store))
      read.fail('store', `'memory' or { redis, prefix? }`, store);
    const storeRead = optionReader(
      factory,
      store,
      ['redis', 'prefix', 'timeoutMs', 'probeIntervalMs'],
      `${pathPrefix}store.`,
    );
    const client = storeRead.raw('redis');
    if (!hasRedisMethods(client, REDIS_METHODS))
      storeRead.fail('redis', 'an ioredis client (Redis or Cluster)', client);
    redis = Object.freeze({
      client: client as RedisClient,
      prefix: storeRead.has('prefix') ? storeRead.string('prefix', undefined) : 'guard:rate-limit:',
      timeoutMs: storeRead.timerMs('timeoutMs', 250),
      probeIntervalMs: storeRead.positiveInteger('probeIntervalMs', 1000, 'milliseconds'),
    });
  }
  return {
    limit,
    windowMs,
    blockMs,
    maxKeys,
    headers,
    name,
    redis,
    logger: logger as GuardLogger | undefined,
    meterProvider: readMeterProvider(read),
  };
}

/**
 * Creates a fixed-window rate limiter: `limit` requests per `windowMs` per key, in a bounded memory
 * store or in Redis with an in-process insurance limiter.
 * @example
 * const limiter = createRateLimiter({ limit: 100, windowMs: 60_000 });
 * const decision = limiter.consume(clientKey(req.socket.remoteAddress));
 * if (!decision.allowed) reject(decision.retryAfterSeconds);
 */
export function createRateLimiter(options?: RateLimiterOptions): RateLimiter {
  return buildRateLimiter(options, 'createRateLimiter');
}

/**
 * `createRateLimiter` for the adapters: `factory` names the middleware in messages, `extraKeys` are
 * the options the caller reads itself, and `pathPrefix` places them inside `guard()`'s options.
 */
export function buildRateLimiter(
  options: RateLimiterOptions | undefined,
  factory: string,
  extraKeys: readonly string[] = [],
  pathPrefix = '',
): RateLimiter {
  const {
    logger: givenLogger,
    meterProvider,
    ...resolvedFields
  } = resolveRateLimiterOptions(factory, options, extraKeys, pathPrefix);
  const resolved: ResolvedRateLimiterOptions = Object.freeze(resolvedFields);
  const telemetry = createTelemetry(meterProvider);
  const { limit, windowMs, blockMs, maxKeys, name, redis } = resolved;
  const policyHeader = `"${name}";q=${limit};w=${Math.ceil(windowMs / 1000)}`;
  const headerPrefix = `"${name}";r=`;

  function decide(hit: StoreHit): RateLimitDecision {
    const remaining = hit.count >= limit ? 0 : limit - hit.count;
    const retryAfterSeconds = Math.ceil(hit.resetMs / 1000);
    return {
      allowed: hit.count <= limit,
      limit,
      remaining,
      retryAfterSeconds,
      header: `${headerPrefix}${remaining};t=${retryAfterSeconds}`,
    };
  }

  // In memory mode this is the store; with Redis it is the insurance limiter.
  const memory: MemoryStore = createMemoryStore({ limit, windowMs, blockMs, maxKeys });
  if (!redis) {
    return {
      // The memory store bounds its keys itself.
      consume(key) {
        if (!telemetry.enabled) return decide(memory.increment(key));
        const startedAt = performance.now();
        const hit = memory.increment(key);
        recordStoreDuration(telemetry, startedAt, STORE_MEMORY);
        return decide(hit);
      },
      mode: 'memory',
      policyHeader,
      options: resolved,
      close: () => memory.close(),
    };
  }

  let logger = givenLogger;
  const shared = createRedisStore({
    redis: redis.client,
    keyPrefix: `${redis.prefix}${name}`,
    limit,
    windowMs,
    blockMs,
  });
  const store = createInsuredStore({
    shared,
    insurance: memory,
    client: redis.client,
    serverOf: shared.serverOf,
    timeoutMs: redis.timeoutMs,
    probeIntervalMs: redis.probeIntervalMs,
    label: `${factory} "${name}"`,
    logger: () => (logger ??= createDefaultLogger()),
  });

  return {
    consume(key) {
      // Bounded once here, for Redis and the insurance store alike (issue 12, item 10).
      const bounded = boundedKey(key);
      if (!telemetry.enabled) {
        const hit = store.increment(bounded);
        return hit instanceof Promise ? hit.then(decide) : decide(hit);
      }
      const startedAt = performance.now();
      const hit = store.increment(bounded);
      if (!(hit instanceof Promise)) {
        // Answered at once: the insurance store, while Redis is failing.
        recordStoreDuration(telemetry, startedAt, STORE_INSURANCE);
        return decide(hit);
      }
      return hit.then((answered) => {
        // A Redis call that failed or timed out was answered by the insurance store after all.
        recordStoreDuration(
          telemetry,
          startedAt,
          store.onInsurance ? STORE_INSURANCE : STORE_REDIS,
        );
        return decide(answered);
      });
    },
    get mode() {
      return store.onInsurance ? 'insurance' : 'redis';
    },
    policyHeader,
    options: resolved,
    close: () => store.close(),
  };
}

const STORE_MEMORY: MetricAttributes = Object.freeze({ 'guard.store': 'memory' });
const STORE_REDIS: MetricAttributes = Object.freeze({ 'guard.store': 'redis' });
const STORE_INSURANCE: MetricAttributes = Object.freeze({ 'guard.store': 'insurance' });

/** Records one store call in `guard.rate_limit.store.duration`, in seconds. */
function recordStoreDuration(
  telemetry: Telemetry,
  startedAt: number,
  attributes: MetricAttributes,
): void {
  telemetry.instruments.storeDuration.record((performance.now() - startedAt) / 1000, attributes);
}

function isLogger(value: unknown): value is GuardLogger {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as GuardLogger).warn === 'function' &&
    typeof (value as GuardLogger).info === 'function'
  );
}
