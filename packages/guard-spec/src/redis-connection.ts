import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the tests use: `REDIS_URL`, default redis://127.0.0.1:6379. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Under `REQUIRE_REDIS=1` (CI) a missing Redis fails the run instead of skipping. */
export const REDIS_REQUIRED = process.env.REQUIRE_REDIS === '1';

/**
 * This jest run's name (set by jest's global setup): every test key lives under
 * `guard-test:<run>:`, which the global teardown checks is empty at the end.
 */
export const TEST_RUN = process.env.GUARD_TEST_RUN ?? 'local';

/**
 * A unique key prefix for one test file or scenario, so parallel test files never share keys:
 * `guard-test:<run>:<label>:<uuid>:`. Tests delete what they wrote under it (`deleteKeys`).
 */
export function uniquePrefix(label: string): string {
  return `guard-test:${TEST_RUN}:${label}:${randomUUID()}:`;
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

/** Every key whose name starts with `prefix` (SCAN, never KEYS). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  // A prefix with glob characters would match other tests' keys too.
  if (!/^[\w:.-]+$/.test(prefix)) throw new Error(`keysUnder: unsafe prefix ${prefix}`);
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/**
 * Deletes every key whose name starts with `prefix`: what a test wrote, removed in its afterAll.
 * Resolves with the number of keys deleted.
 */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  const keys = await keysUnder(redis, prefix);
  let deleted = 0;
  for (let i = 0; i < keys.length; i += 500)
    deleted += await redis.unlink(...keys.slice(i, i + 500));
  return deleted;
}

/** A fresh ioredis client on REDIS_URL; close it with `quit()` in afterAll. */
export function createTestRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
}
