import { randomBytes } from 'node:crypto';
import { libraryKeys } from './packages/guard-spec/src/leftover-keys';
import {
  REDIS_REQUIRED,
  REDIS_URL,
  redisAvailable,
} from './packages/guard-spec/src/redis-connection';

// Pings Redis once for the whole run; test workers inherit the answer through the environment.
// Also names the run: test keys live under `guard-test:<run>:` and the scale-out harness marks what
// it starts with it, so the global teardown (jest.global-teardown.ts) can check nothing is left.
export default async function globalSetup(): Promise<void> {
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  process.env.GUARD_TEST_RUN = run;
  process.env.GUARD_SCALE_RUN = run;
  const available = await redisAvailable();
  if (!available && REDIS_REQUIRED) {
    throw new Error(`REQUIRE_REDIS=1 but no Redis answers at ${REDIS_URL}`);
  }
  process.env.GUARD_REDIS_AVAILABLE = available ? '1' : '0';
  // Global setup and teardown share this process: the teardown compares with these.
  if (available)
    (globalThis as { guardKeysBefore?: string[] }).guardKeysBefore = await libraryKeys();
}
