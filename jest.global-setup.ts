import {
  REDIS_REQUIRED,
  REDIS_URL,
  redisAvailable,
} from './packages/guard-spec/src/redis-connection';

// Pings Redis once for the whole run; test workers inherit the answer through the environment.
export default async function globalSetup(): Promise<void> {
  const available = await redisAvailable();
  if (!available && REDIS_REQUIRED) {
    throw new Error(`REQUIRE_REDIS=1 but no Redis answers at ${REDIS_URL}`);
  }
  process.env.GUARD_REDIS_AVAILABLE = available ? '1' : '0';
}
