import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { optionReader } from '../options/option-reader';
import { hasRedisMethods } from './redis-client';
import type { RedisClient } from './redis-client';
import { redisServerOf } from './redis-key-slot';
import type { RateLimitStore, StoreHit, StoreOptions } from './store';
import { STORE_OPTION_KEYS, readStoreOptions } from './store-options';

/** Options of `createRedisStore`. */
export interface RedisStoreOptions extends StoreOptions {
  /** The user's ioredis client (`Redis`, also for Sentinel, or `Cluster`); the store never closes it. */
  redis: RedisClient;
  /** Prefix of every key the store writes (the policy name is appended). */
  keyPrefix: string;
}

/** Takes one hit back from a counter that exists and is above zero. */
const REFUND_SCRIPT = `local hits = tonumber(redis.call('get', KEYS[1]))
if hits and hits > 0 then return redis.call('decr', KEYS[1]) end
return hits or 0`;

/** The Redis store: a rate-limit store that also tells where its keys live. */
export interface RedisStore extends RateLimitStore {
  /** The Redis key of a rate-limit key: `keyPrefix:key`. */
  readonly redisKey: (key: string) => string;
  /** The Redis server holding a rate-limit key (`host:port` on a Cluster, `''` on a single server). */
  readonly serverOf: (key: string) => string;
}

/**
 * A store shared by every app instance on one Redis, on rate-limiter-flexible's `RateLimiterRedis`:
 * one Lua script per hit (`SET NX EX` + `INCRBY` + `PTTL` on one key), so exactly one round trip per
 * request, also on a Cluster (the key's node), where ioredis answers `NOSCRIPT` from a node that has
 * not seen the script yet (after a failover or a resharding) with one `EVAL`. Keys are
 * `keyPrefix:key` with no hash tag, so they spread over the Cluster's slots.
 * Windows are whole seconds (Redis `EX`): `windowMs` and `blockMs` are rounded up to seconds.
 * The store does not time out or fall back by itself: the rate limiter wraps it in an insured store.
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const read = optionReader('createRedisStore', options, [
    ...STORE_OPTION_KEYS,
    'redis',
    'keyPrefix',
  ]);
  const { limit, windowMs, blockMs } = readStoreOptions(read);
  const client = read.raw('redis') as RedisClient;
  if (!hasRedisMethods(client, ['evalsha', 'eval']))
    read.fail('redis', 'an ioredis client (Redis or Cluster)', client);
  const keyPrefix = read.string('keyPrefix', undefined);
  const limiter = new RateLimiterRedis({
    storeClient: client,
    keyPrefix,
    points: limit,
    duration: Math.ceil(windowMs / 1000),
    blockDuration: Math.ceil(blockMs / 1000),
  });
  // rate-limiter-flexible rejects with a RateLimiterRes when the key is over its points: for us
  // that is an answer, not a failure. Anything else is the store failing.
  const toHit = (res: RateLimiterRes): StoreHit => ({
    count: res.consumedPoints,
    resetMs: Math.max(0, res.msBeforeNext),
  });
  const onRejected = (reason: unknown): StoreHit => {
    if (reason instanceof RateLimiterRes) return toHit(reason);
    throw reason instanceof Error ? reason : new Error(String(reason));
  };
  const redisKey = (key: string) => limiter.getKey(key);
  return {
    redisKey,
    serverOf: (key) => redisServerOf(client, redisKey(key)),
    increment: (key) => limiter.consume(key).then(toHit, onRejected),
    async peek(key) {
      const res = await limiter.get(key);
      return res === null ? undefined : toHit(res);
    },
    reset: async (key) => {
      await limiter.delete(key);
    },
    async refund(key) {
      // One script on one key, so a refund never races a hit, and a Cluster sends it to the key's
      // node; DECR keeps the key's TTL (its window or block).
      await client.eval(REFUND_SCRIPT, 1, redisKey(key));
    },
    close() {
      // The Redis client belongs to the caller.
    },
  };
}
