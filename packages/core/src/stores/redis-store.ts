import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
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
 * A store that is not connected rejects at once (`rejectIfRedisNotReady`) rather than queueing.
 */
export function createRedisStore(options: RedisStoreOptions): RateLimitStore {
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: options.keyPrefix,
    points: options.limit,
    duration: Math.ceil(options.windowMs / 1000),
    blockDuration: Math.ceil(options.blockMs / 1000),
    rejectIfRedisNotReady: true,
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
  return {
    increment: (key) => limiter.consume(key).then(toHit, onRejected),
    reset: async (key) => {
      await limiter.delete(key);
    },
    close() {
      // The Redis client belongs to the caller.
    },
  };
}
