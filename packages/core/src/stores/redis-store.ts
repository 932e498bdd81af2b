import type { RedisClient as Redis } from './redis-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { optionReader } from '../options/option-reader';
import { isConnectionLost } from './redis-connection';
import type { RateLimitStore, StoreHit, StoreOptions } from './store';
import { STORE_OPTION_KEYS, readStoreOptions } from './store-options';

/** Options of `createRedisStore`. */
export interface RedisStoreOptions extends StoreOptions {
  /** The user's ioredis client; the store never closes it. */
  redis: Redis;
  /** Prefix of every key the store writes (the policy name is appended). */
  keyPrefix: string;
}

/** Takes one hit back from a counter that exists and is above zero. */
const REFUND_SCRIPT = `local hits = tonumber(redis.call('get', KEYS[1]))
if hits and hits > 0 then return redis.call('decr', KEYS[1]) end
return hits or 0`;

/**
 * A store shared by every app instance on one Redis, on rate-limiter-flexible's `RateLimiterRedis`:
 * one Lua script per hit (`SET NX EX` + `INCRBY` + `PTTL`), so exactly one round trip per request.
 * Windows are whole seconds (Redis `EX`): `windowMs` and `blockMs` are rounded up to seconds.
 * A client that lost its connection (reconnecting, closed, ended) fails at once instead of queueing
 * the command; one still making its first connection queues it (ioredis's offline queue, if enabled),
 * so an app that serves its first request before Redis answered does not start on insurance.
 */
export function createRedisStore(options: RedisStoreOptions): RateLimitStore {
  const read = optionReader('createRedisStore', options, [
    ...STORE_OPTION_KEYS,
    'redis',
    'keyPrefix',
  ]);
  const { limit, windowMs, blockMs } = readStoreOptions(read);
  const client = read.raw('redis') as Redis;
  if (typeof (client as { evalsha?: unknown } | null)?.evalsha !== 'function')
    read.fail('redis', 'an ioredis client', client);
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
    async refund(key) {
      if (isConnectionLost(client)) throw new Error(`Redis connection is ${client.status}`);
      // One script, so a refund never races a hit; DECR keeps the key's TTL (its window or block).
      await client.eval(REFUND_SCRIPT, 1, limiter.getKey(key));
    },
    close() {
      // The Redis client belongs to the caller.
    },
  };
}
