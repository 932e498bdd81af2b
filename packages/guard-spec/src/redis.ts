import { REDIS_REQUIRED, REDIS_URL } from './redis-connection';

/**
 * `describe` for Redis-backed tests. jest's global setup (jest.global-setup.ts) pings Redis once
 * and records the answer in GUARD_REDIS_AVAILABLE; under REQUIRE_REDIS=1 a missing Redis already
 * failed the run there, so this only ever skips locally, and says so.
 */
export const describeWithRedis: jest.Describe = (() => {
  if (process.env.GUARD_REDIS_AVAILABLE === '1') return describe;
  if (REDIS_REQUIRED) throw new Error(`REQUIRE_REDIS=1 but no Redis answers at ${REDIS_URL}`);
  // A skipped suite must say so.
  console.warn(
    `[skip] Redis tests: no Redis at ${REDIS_URL} (REQUIRE_REDIS=1 makes this a failure)`,
  );
  return describe.skip;
})();
