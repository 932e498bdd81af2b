import { Redis } from 'ioredis';
import { REDIS_URL, keysUnder } from './redis-connection';

/** The library's default key prefixes: a test always passes its own (`uniquePrefix`). */
export const LIBRARY_PREFIXES = ['guard:'];

/** Keys under the library's default prefixes right now (taken when a test run starts). */
export async function libraryKeys(): Promise<string[]> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    for (const prefix of LIBRARY_PREFIXES) keys.push(...(await keysUnder(redis, prefix)));
    return keys;
  } finally {
    redis.disconnect();
  }
}

/**
 * What test run `run` left in Redis (issue 14 #9): keys under its `guard-test:<run>:` namespace,
 * which are deleted here, and keys under the library's default prefixes that were not there
 * before (`before`), which are only reported (they are nobody's to delete). One line per finding.
 */
export async function leftoverKeys(run: string, before: readonly string[]): Promise<string[]> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const problems: string[] = [];
    const mine = await keysUnder(redis, `guard-test:${run}:`);
    if (mine.length > 0) {
      await redis.unlink(...mine);
      problems.push(
        `${mine.length} Redis key(s) a test wrote and did not delete (deleteKeys in afterAll): ${mine.slice(0, 10).join(', ')}`,
      );
    }
    const known = new Set(before);
    for (const prefix of LIBRARY_PREFIXES) {
      const added = (await keysUnder(redis, prefix)).filter((key) => !known.has(key));
      if (added.length > 0)
        problems.push(
          `${added.length} new Redis key(s) under the library's default prefix "${prefix}" (a test without its own prefix): ${added.slice(0, 10).join(', ')}`,
        );
    }
    return problems;
  } finally {
    redis.disconnect();
  }
}
