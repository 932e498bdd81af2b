import type { RedisClient as Redis } from './redis-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { isConnectionLost } from './redis-connection';
import type { RateLimitStore, StoreHit, StoreOptions } from './store';

/** Options of `createRedisStore`. */
export interface RedisStoreOptions extends StoreOptions {
  /** The user's ioredis client; the store never closes it. */
  redis: Redis;
  /** Prefix of every key the store writes (the policy name is appended). */
  keyPrefix: string;
}

/**
 * A store shared by every app instance on one Redis, on rate-limiter-flexible's `RateLimiterRedis`:
 * one Lua script per hit (`SET NX EX` + `INCRBY` + `PTTL`), so exactly one round trip per request.
 * Windows are whole seconds (Redis `EX`): `windowMs` and `blockMs` are rounded up to seconds.
 * A client that lost its connection (reconnecting, closed, ended) fails at once instead of queueing
 * the command; one still making its first connection queues it (ioredis's offline queue, if enabled),
 * so an app that serves its first request before Redis answered does not start on insurance.
 */
export function createRedisStore(options: RedisStoreOptions): RateLimitStore {
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: options.keyPrefix,
    points: options.limit,
    duration: Math.ceil(options.windowMs / 1000),
    blockDuration: Math.ceil(options.blockMs / 1000),
  });
  const client = options.redis;
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
  return {
    increment(key) {
      if (isConnectionLost(client))
        return Promise.reject(new Error(`Redis connection is ${client.status}`));
      return limiter.consume(key).then(toHit, onRejected);
    },
    async peek(key) {
      if (isConnectionLost(client)) throw new Error(`Redis connection is ${client.status}`);
      const res = await limiter.get(key);
      return res === null ? undefined : toHit(res);
    },
    reset: async (key) => {
      await limiter.delete(key);
    },
    close() {
      // The Redis client belongs to the caller.
    },
  };
}
