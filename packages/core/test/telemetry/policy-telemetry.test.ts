import { createHash } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { join } from 'node:path';
import { createMetricsProbe } from 'guard-spec';
import type { MetricsProbe } from 'guard-spec';
import type { RejectionRecord } from '../../src/telemetry/rejection';
import { createBulkhead } from '../../src/policies/bulkhead';
import { createIsolatedPool } from '../../src/isolation/isolated-pool';
import { createLoadShedder } from '../../src/policies/load-shedder';
import type { LoadProbe } from '../../src/policies/load-shedder';
import { createRetry } from '../../src/policies/retry';
import { createTimeout } from '../../src/policies/timeout';
import { createCircuitBreaker } from '../../src/policies/circuit-breaker';
import { createErrorReporter } from '../../src/http/error-reporter';
import { ChannelNames, publishLimitChange } from '../../src/telemetry/channels';
import { keyHash } from '../../src/telemetry/key-hash';
import { createTelemetry } from '../../src/telemetry/telemetry';
import { createRefusalSite, rejectionOf } from '../../src/telemetry/refusal';
import { RateLimitError } from '../../src/errors/rate-limit-error';
import { AbortedError } from '../../src/errors/aborted-error';
import type { GuardError } from '../../src/errors/guard-error';
import {
  createConcurrencyLimiter,
  limiterFromResolved,
  resolveConcurrencyOptions,
} from '../../src/policies/concurrency-limiter';
import type { Permit } from '../../src/policies/concurrency-limiter';
import type { ConcurrencyLimitMessage } from '../../src/telemetry/channels';
import { acquireTimed } from '../../src/telemetry/timed-acquire';
import { createManualClock } from '../timers/manual-clock';
import { createMemoryLogger } from 'guard-spec';

/** The messages published on `channel` while `run` runs. */
async function published(channel: string, run: () => unknown): Promise<unknown[]> {
  const messages: unknown[] = [];
  const listener = (message: unknown) => messages.push(message);
  diagnosticsChannel.subscribe(channel, listener);
  try {
    await run();
  } finally {
    diagnosticsChannel.unsubscribe(channel, listener);
  }
  return messages;
}

describe('policy telemetry', () => {
  let probe: MetricsProbe;
  beforeEach(() => {
    probe = createMetricsProbe();
  });
  afterEach(() => probe.shutdown());

  it('counts retry attempts by outcome: retry, then success; retry, then give_up', async () => {
    const policy = createRetry({
      name: 'api',
      retries: 1,
      baseDelayMs: 0,
      meterProvider: probe.meterProvider,
    });
    let calls = 0;
    await policy.execute(() => (++calls === 1 ? Promise.reject(new Error('flaky')) : 'ok'));
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await probe.collect();
    const count = (result: string) =>
      probe.sum('guard.retry.attempts', { 'guard.name': 'api', 'guard.result': result });
    expect([count('retry'), count('success'), count('give_up')]).toEqual([2, 1, 1]);
  });

  it('counts a retry the budget refused as budget_exhausted', async () => {
    const policy = createRetry({
      retries: 3,
      baseDelayMs: 0,
      budget: { ratio: 0.1, minRetries: 0 },
      meterProvider: probe.meterProvider,
    });
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow();
    await probe.collect();
    expect(probe.sum('guard.retry.attempts', { 'guard.result': 'budget_exhausted' })).toBe(1);
  });

  it('publishes breaker transitions closed → open → half-open → closed, one event each', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const breaker = createCircuitBreaker({
        name: 'db',
        failureThreshold: 1,
        resetTimeoutMs: 1000,
        meterProvider: probe.meterProvider,
      });
      const events = await published(ChannelNames.CIRCUIT_BREAKER_STATE, async () => {
        await breaker.execute(() => Promise.reject(new Error('x'))).catch(() => undefined);
        jest.setSystemTime(1500);
        await breaker.execute(() => 'ok');
      });
      expect(events).toEqual([
        { name: 'db', from: 'closed', to: 'open' },
        { name: 'db', from: 'open', to: 'halfOpen' },
        { name: 'db', from: 'halfOpen', to: 'closed' },
      ]);
      await probe.collect();
      for (const state of ['open', 'half_open', 'closed'])
        expect(probe.sum('guard.circuit_breaker.transitions', { 'guard.state': state })).toBe(1);
      expect(probe.gauge('guard.circuit_breaker.state', { 'guard.name': 'db' })).toBe(0);
      breaker.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('counts policy and pool deadlines in guard.timeouts by kind', async () => {
    const breaker = createCircuitBreaker({ timeoutMs: 5, meterProvider: probe.meterProvider });
    await expect(breaker.execute(() => new Promise(() => undefined))).rejects.toThrow('timed out');
    await expect(createTimeout(5).execute(() => new Promise(() => undefined))).rejects.toThrow(
      'timed out',
    );
    const pool = createIsolatedPool({
      filename: join(__dirname, '../isolation/fixtures/echo.cjs'),
      maxWorkers: 1,
      timeoutMs: 300,
      maxMemoryMb: 32,
      meterProvider: probe.meterProvider,
    });
    try {
      await expect(pool.run({ kind: 'spin' })).rejects.toThrow('timed out');
    } finally {
      await pool.close();
    }
    await probe.collect();
    // The breaker's timeoutMs; createTimeout takes no meterProvider (it counts in the global one).
    expect(probe.sum('guard.timeouts', { 'guard.policy': 'policy' })).toBe(1);
    expect(probe.sum('guard.timeouts', { 'guard.policy': 'pool' })).toBe(1);
  });

  it('publishes a bulkhead refusal on guard:reject without counting it as a request', async () => {
    const bulkhead = createBulkhead({
      name: 'payments',
      max: 1,
      meterProvider: probe.meterProvider,
    });
    let release = () => undefined as void;
    const running = bulkhead.execute(() => new Promise<void>((r) => (release = r)));
    const records = (await published(ChannelNames.REJECT, () =>
      bulkhead.execute(() => 'never').catch(() => undefined),
    )) as RejectionRecord[];
    release();
    await running;
    expect(records).toEqual([
      expect.objectContaining({
        policy: 'concurrency',
        name: 'payments',
        reason: 'queue_full',
        status: 503,
        limit: 1,
      }),
    ]);
    expect(records[0]?.criticality).toBeUndefined();
    await probe.collect();
    expect(probe.sum('guard.requests')).toBe(0);
    expect(probe.gauge('guard.concurrency.limit', { 'guard.name': 'payments' })).toBe(1);
    bulkhead.close();
  });

  it('publishes guard:load-shedding when shedding starts and when it stops, not on every sample', async () => {
    const current = {
      eventLoopDelayMs: 0,
      eventLoopUtilization: 0.1,
      heapUsedBytes: 1,
      rssBytes: 1,
    };
    const loadProbe: LoadProbe = () => ({ ...current });
    const shedder = createLoadShedder({
      maxEventLoopDelayMs: 100,
      targetEventLoopDelayMs: 25,
      sampleIntervalMs: 60_000,
      meterProvider: probe.meterProvider,
      probe: loadProbe,
    });
    try {
      const messages = await published(ChannelNames.LOAD_SHEDDING, () => {
        shedder.sample();
        // A saturated loop over the maximum: the second such sample in a row starts shedding.
        Object.assign(current, { eventLoopDelayMs: 150, eventLoopUtilization: 1 });
        shedder.sample();
        shedder.sample();
        shedder.sample();
        // Idle again, well under the target: the refused share drains to nothing.
        Object.assign(current, { eventLoopDelayMs: 5, eventLoopUtilization: 0.1 });
        shedder.sample();
        shedder.sample();
      });
      // The pressure is the delay over its 25 ms target.
      expect(messages).toEqual([
        { pressure: 6, shedding: true },
        { pressure: 0.2, shedding: false },
      ]);
      await probe.collect();
      expect(probe.gauge('guard.load_shedding.pressure')).toBe(0.2);
      expect(probe.gauge('guard.load_shedding.event_loop.delay')).toBe(0.005);
    } finally {
      shedder.close();
    }
  });

  it('reports heap or RSS over its limit as a pressure past 1, and refuses every class', () => {
    const shedder = createLoadShedder({
      maxHeapUsedBytes: 1000,
      sampleIntervalMs: 60_000,
      probe: () => ({
        eventLoopDelayMs: 0,
        eventLoopUtilization: 0,
        heapUsedBytes: 1500,
        rssBytes: 1,
      }),
    });
    try {
      expect(shedder.figures).toMatchObject({
        pressure: 1.5,
        overloaded: true,
        shedProbability: 1,
      });
      expect(shedder.shouldShed('critical_plus')).toBe(true);
    } finally {
      shedder.close();
    }
  });

  it('publishes guard:concurrency:limit only for a change', async () => {
    const messages = await published(ChannelNames.CONCURRENCY_LIMIT, () => {
      publishLimitChange('api', 20, 20);
      publishLimitChange('api', 24, 20);
    });
    expect(messages).toEqual([{ name: 'api', limit: 24, previous: 20 }]);
  });

  it('publishes each move of an adaptive limit, and the limit gauge follows it', async () => {
    const clock = createManualClock();
    const limiter = limiterFromResolved(
      resolveConcurrencyOptions('test', { name: 'api', adaptive: { initialLimit: 20 } }),
      'test',
      { clock },
      probe.meterProvider,
    );
    try {
      const messages = (await published(ChannelNames.CONCURRENCY_LIMIT, () => {
        // Timeouts (drops) only: the limit shrinks window after window.
        for (let round = 0; round < 50; round++) {
          const permits: Permit[] = [];
          for (let i = limiter.limit; i > 0; i--) permits.push(limiter.tryAcquire() as Permit);
          clock.advance(5);
          for (const permit of permits) permit.release('drop');
        }
      })) as ConcurrencyLimitMessage[];
      expect(messages.length).toBeGreaterThan(1);
      expect(messages[0]).toEqual({ name: 'api', limit: expect.any(Number), previous: 20 });
      for (const [i, message] of messages.entries()) {
        expect(message.limit).not.toBe(message.previous);
        if (i > 0) expect(message.previous).toBe(messages[i - 1]?.limit);
      }
      expect(messages.at(-1)?.limit).toBe(limiter.limit);
      await probe.collect();
      expect(probe.gauge('guard.concurrency.limit', { 'guard.name': 'api' })).toBe(limiter.limit);
      // setLimit moves it too; the same limit again publishes nothing.
      const set = await published(ChannelNames.CONCURRENCY_LIMIT, () => {
        limiter.setLimit(30);
        limiter.setLimit(30);
      });
      expect(set).toEqual([{ name: 'api', limit: 30, previous: messages.at(-1)?.limit }]);
    } finally {
      limiter.close();
    }
  });

  it('records a waiter displaced by a higher class as a displaced wait and a refusal', async () => {
    const bulkheadLimiter = createConcurrencyLimiter({ name: 'api', max: 1, maxQueue: 1 });
    const telemetry = createTelemetry(probe.meterProvider);
    const site = createRefusalSite(telemetry, 'concurrency', 'api');
    const refused = (error: unknown, waitedMs: number) =>
      site.refuse(error as GuardError, {
        queueWaitMs: Math.round(waitedMs),
        criticality: 'sheddable',
      });
    const held = bulkheadLimiter.tryAcquire() as Permit;
    const records = (await published(ChannelNames.REJECT, async () => {
      const low = acquireTimed(bulkheadLimiter, undefined, 'sheddable', telemetry, refused);
      const high = acquireTimed(bulkheadLimiter, undefined, 'critical', telemetry, refused);
      await expect(low).rejects.toMatchObject({ reason: 'displaced' });
      held.release();
      (await high).release();
    })) as RejectionRecord[];
    expect(records).toEqual([
      expect.objectContaining({ policy: 'concurrency', name: 'api', reason: 'displaced' }),
    ]);
    await probe.collect();
    expect(
      probe.histogram('guard.concurrency.queue.duration', { 'guard.result': 'displaced' }).count,
    ).toBe(1);
    expect(
      probe.histogram('guard.concurrency.queue.duration', { 'guard.result': 'admitted' }).count,
    ).toBe(1);
    expect(
      probe.sum('guard.requests', {
        'guard.result': 'rejected',
        'guard.reason': 'displaced',
        'guard.criticality': 'sheddable',
      }),
    ).toBe(1);
    bulkheadLimiter.close();
  });

  it('counts guard.errors by status and ERR_GUARD_ code, and _OTHER for anything else', async () => {
    const reporter = createErrorReporter({
      logger: createMemoryLogger().logger,
      meterProvider: probe.meterProvider,
    });
    reporter.report(new RateLimitError(), {});
    reporter.report(Object.assign(new Error('teapot'), { status: 418, expose: true }), {});
    reporter.report(new Error('boom'), {});
    await probe.collect();
    expect(
      probe.sum('guard.errors', {
        'http.response.status_code': 429,
        'error.type': 'ERR_GUARD_RATE_LIMITED',
      }),
    ).toBe(1);
    expect(
      probe.sum('guard.errors', { 'http.response.status_code': 418, 'error.type': '_OTHER' }),
    ).toBe(1);
    expect(
      probe.sum('guard.errors', {
        'http.response.status_code': 500,
        'error.type': 'ERR_GUARD_INTERNAL',
      }),
    ).toBe(1);
  });
});

describe('the rejection record', () => {
  it('is kept for the error path, found on the error or on the error that wraps it', () => {
    const site = createRefusalSite(createTelemetry(), 'rate_limit', 'api');
    const error = site.refuse(new RateLimitError(undefined, { retryAfterSeconds: 3 }), {
      limit: 5,
      remaining: 0,
    });
    const record = rejectionOf(error);
    expect(record).toEqual({
      policy: 'rate_limit',
      name: 'api',
      reason: 'limit_exceeded',
      status: 429,
      retryAfterSeconds: 3,
      limit: 5,
      remaining: 0,
      criticality: 'critical',
    });
    expect(rejectionOf(new Error('wrapper', { cause: error }))).toBe(record);
    // Described once: a second site leaves it as it is.
    createRefusalSite(createTelemetry(), 'upload', 'default').refuse(error);
    expect(rejectionOf(error)).toBe(record);
  });

  it('is not made for an error that is no refusal (no reason)', () => {
    const site = createRefusalSite(createTelemetry(), 'concurrency', 'default');
    const error = site.refuse(new AbortedError());
    expect(rejectionOf(error)).toBeUndefined();
  });
});

describe('keyHash', () => {
  it('is a stable 16-hex-digit keyed hash that differs per key and contains no part of it', () => {
    expect(keyHash('203.0.113.7')).toMatch(/^[0-9a-f]{16}$/);
    expect(keyHash('203.0.113.7')).toBe(keyHash('203.0.113.7'));
    expect(keyHash('203.0.113.7')).not.toBe(keyHash('203.0.113.8'));
    // Not a plain hash anyone could recompute from a guessed key.
    expect(createHash('sha256').update('203.0.113.7').digest('hex')).not.toContain(
      keyHash('203.0.113.7'),
    );
  });
});
