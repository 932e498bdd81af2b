import { Redis } from 'ioredis';
import {
  REDIS_URL,
  createMemoryLogger,
  createTcpProxy,
  createTestRedis,
  deleteKeys,
  describeWithRedis,
  uniquePrefix,
} from 'guard-spec';
import type { TcpProxy } from 'guard-spec';
import { createBruteForceProtection } from '@guard-suite/core';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('bruteForce on Redis: a success during an outage (issue 12 #5)', () => {
  const prefix = uniquePrefix('bf-outage-reset');
  const direct = createTestRedis();
  let proxy: TcpProxy;
  let proxied: Redis;

  beforeAll(async () => {
    const target = new URL(REDIS_URL);
    proxy = await createTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    proxied = new Redis(proxy.port, '127.0.0.1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 20,
    });
    proxied.on('error', () => {});
    await new Promise((resolve) => proxied.once('ready', resolve));
  });

  afterAll(async () => {
    await deleteKeys(direct, prefix);
    proxied.disconnect();
    await proxy.close();
    await direct.quit();
  });

  it('clears the failures in Redis once it answers again, for every instance', async () => {
    const { logger } = createMemoryLogger();
    const options = { maxConsecutiveFailures: 3, logger };
    // Instance A reaches Redis through the fault proxy; instance B directly.
    const a = createBruteForceProtection({
      ...options,
      store: { redis: proxied, prefix, probeIntervalMs: 20 },
    });
    const b = createBruteForceProtection({ ...options, store: { redis: direct, prefix } });
    const address = '203.0.113.9';
    // Three wrong guesses through A: each check counts the attempt, and none reports a success.
    for (let i = 0; i < 3; i++) expect((await a.check('alice', address)).allowed).toBe(true);
    expect((await b.check('alice', address)).allowed).toBe(false);

    proxy.kill();
    // The successful login during the outage reaches only A's insurance store...
    await a.reportSuccess('alice', address);
    expect(a.mode).toBe('insurance');
    expect((await b.check('alice', address)).allowed).toBe(false);

    // ...and Redis as soon as A finds it again (any call of A's probes it).
    proxy.restore();
    let cleared = false;
    for (let i = 0; i < 500 && !cleared; i++) {
      await a.check('someone-else', '198.51.100.1');
      cleared = (await b.check('alice', address)).allowed;
      if (!cleared) await sleep(10);
    }
    expect(cleared).toBe(true);
    expect(a.mode).toBe('redis');
    a.close();
    b.close();
  });
});
