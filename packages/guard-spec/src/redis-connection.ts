import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the tests use: `REDIS_URL`, default redis://127.0.0.1:6379. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Under `REQUIRE_REDIS=1` (CI) a missing Redis fails the run instead of skipping. */
export const REDIS_REQUIRED = process.env.REQUIRE_REDIS === '1';

/** A unique key prefix for one test file, so parallel test files never share keys. */
export function uniquePrefix(label: string): string {
  return `guard-test:${label}:${randomUUID()}:`;
}

/** Whether a Redis server answers PING at REDIS_URL within a second. */
export async function redisAvailable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Deletes every key whose name starts with `prefix` (SCAN, then UNLINK): what a test wrote, removed
 * in its afterAll. Resolves with the number of keys deleted.
 */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  if (!/^[\w:.-]+$/.test(prefix)) throw new Error(`deleteKeys: unsafe prefix ${prefix}`);
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** A fresh ioredis client on REDIS_URL; close it with `quit()` in afterAll. */
export function createTestRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
}
