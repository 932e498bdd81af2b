import { randomUUID } from 'node:crypto';
import { createTestRedis, describeWithRedis } from '../src/index';
import { leftoverKeys, libraryKeys } from '../src/leftover-keys';

// The check jest's global teardown runs (issue 14 #9), on a run name of its own so it never sees
// the keys of the run it is part of.
describeWithRedis("the global teardown's check for keys a test run left in Redis", () => {
  const redis = createTestRedis();
  const run = `check-${randomUUID()}`;
  const stray = `guard:rate-limit:leftover-check-${randomUUID()}`;
  afterAll(async () => {
    await redis.unlink(stray);
    await redis.quit();
  });

  it("reports and deletes keys under the run's namespace, and reports new keys under the library's prefix", async () => {
    const before = await libraryKeys();
    await redis.set(`guard-test:${run}:some-test:x`, '1', 'EX', 60);
    await redis.set(stray, '1', 'EX', 60);
    const problems = await leftoverKeys(run, before);
    expect(problems).toEqual([
      expect.stringContaining(`guard-test:${run}:some-test:x`),
      expect.stringContaining(stray),
    ]);
    expect(await redis.exists(`guard-test:${run}:some-test:x`)).toBe(0);
    // A key of the library's prefix is reported, never deleted: it may be someone else's.
    expect(await redis.exists(stray)).toBe(1);
  });

  it('finds nothing after a clean run', async () => {
    expect(await leftoverKeys(run, await libraryKeys())).toEqual([]);
  });
});
