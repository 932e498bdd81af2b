import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createBruteForceProtection,
  createBulkhead,
  createCircuitBreaker,
  createConcurrencyLimiter,
  createFileStore,
  createInsuredStore,
  createIsolatedPool,
  createLoadShedder,
  createMemoryStore,
  createRateLimiter,
  createRetry,
  createTimeout,
  wrap,
} from '@guard-suite/core';
import { createMemoryLogger } from 'guard-spec';

// issue 12 item 7: every method of every policy object works when taken off its object, as
// `const { stats } = breaker` does; a method reading `this` throws (or reads undefined) there.
describe('issue 12 item 7: public methods work when destructured', () => {
  const ok = () => Promise.resolve('ok');

  it('circuit breaker: execute, on, stats, close', async () => {
    const { execute, on, stats, close } = createCircuitBreaker({ name: 'db' });
    const off = on('success', () => {});
    await expect(execute(ok)).resolves.toBe('ok');
    expect(stats()).toMatchObject({ name: 'db', state: 'closed', calls: 1, successes: 1 });
    off();
    close();
  });

  it('retry, timeout and wrap: execute', async () => {
    const { execute: retried } = createRetry({ retries: 1, baseDelayMs: 0, maxDelayMs: 0 });
    const { execute: timed } = createTimeout(1000);
    const { execute: wrapped } = wrap(createRetry({ retries: 0 }), createTimeout(1000));
    await expect(retried(ok)).resolves.toBe('ok');
    await expect(timed(ok)).resolves.toBe('ok');
    await expect(wrapped(ok)).resolves.toBe('ok');
  });

  it('bulkhead and concurrency limiter: execute, acquire, tryAcquire, close', async () => {
    const { execute, close } = createBulkhead({ max: 1 });
    await expect(execute(ok)).resolves.toBe('ok');
    close();
    // The limiter's interface belongs to the adaptive-limit work; its methods are plain closures.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const { acquire, tryAcquire, close: closeLimiter } = createConcurrencyLimiter({ max: 2 });
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const { release } = await acquire();
    const second = tryAcquire();
    expect(second).toBeDefined();
    release();
    second?.release();
    closeLimiter();
  });

  it('rate limiter, stores and brute-force protection', async () => {
    const { consume, close } = createRateLimiter({ limit: 1 });
    expect(consume('a')).toMatchObject({ allowed: true });
    close();
    const memory = createMemoryStore({ limit: 1, windowMs: 1000, blockMs: 0, maxKeys: 10 });
    const { increment, peek, reset, refund } = memory;
    increment('a');
    refund('a');
    expect(peek('a')).toMatchObject({ count: 0 });
    reset('a');
    const insured = createInsuredStore({
      shared: createMemoryStore({ limit: 1, windowMs: 1000, blockMs: 0, maxKeys: 10 }),
      insurance: memory,
      timeoutMs: 100,
      probeIntervalMs: 100,
      label: 'test',
      logger: () => createMemoryLogger().logger,
    });
    const { increment: hit, close: closeInsured } = insured;
    expect(await hit('b')).toMatchObject({ count: 1 });
    closeInsured();
    const {
      check,
      reportFailure,
      reportSuccess,
      reject,
      close: closeGuard,
    } = createBruteForceProtection({});
    expect(await check('alice', '203.0.113.1')).toMatchObject({ allowed: true });
    await reportFailure('alice', '203.0.113.1');
    await reportSuccess('alice', '203.0.113.1');
    expect(reject({ allowed: false, retryAfterSeconds: 3 }).status).toBe(429);
    closeGuard();
  });

  it('load shedder: sample, error, close', () => {
    // The shedder's interface belongs to the load-shedding work; its methods are plain closures.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const { sample, error, close } = createLoadShedder({ sampleIntervalMs: 60_000 });
    expect(typeof sample().overloaded).toBe('boolean');
    expect(error().status).toBe(503);
    close();
  });

  it('file store: read, stat, metadata, open, createReadStream, verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guard-destructured-'));
    try {
      writeFileSync(join(dir, 'a.txt'), 'hello');
      writeFileSync(
        join(dir, 'a.txt.meta.json'),
        JSON.stringify({
          sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
        }),
      );
      const { read, stat, metadata, open, createReadStream, verify } = createFileStore({ dir });
      expect((await read('a.txt', { maxBytes: 10 })).toString()).toBe('hello');
      expect((await stat('a.txt')).size).toBe(5);
      expect(await metadata('a.txt')).toHaveProperty('sha256');
      (await open('a.txt')).stream.destroy();
      (await createReadStream('a.txt')).destroy();
      expect(await verify('a.txt')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('isolated pool: run, close', async () => {
    const filename = join(__dirname, '..', 'isolation', 'fixtures', 'echo.cjs');
    const { run, close } = createIsolatedPool({
      filename,
      maxWorkers: 1,
      timeoutMs: 10_000,
      maxMemoryMb: 32,
    });
    try {
      await expect(run({ echo: 1 })).resolves.toBeDefined();
    } finally {
      await close();
    }
  });
});
