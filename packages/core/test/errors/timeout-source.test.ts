import { join } from 'node:path';
import {
  TimeoutError,
  createCircuitBreaker,
  createIsolatedPool,
  withTimeout,
} from '@guard-suite/core';
import {
  classifyError,
  createErrorReporter,
  createRequestGate,
  GuardState,
} from '@guard-suite/core/internal';
import { createMemoryLogger } from 'guard-spec';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';

// Issue 12, "error codes tell their source apart": every deadline is ERR_GUARD_TIMEOUT, and its
// `source` says which one ('request' | 'policy' | 'pool' | 'system').
describe('TimeoutError.source', () => {
  const never = () => new Promise<never>(() => undefined);

  it("is 'policy' for withTimeout and a breaker's timeoutMs", async () => {
    await expect(withTimeout(never, 5)).rejects.toMatchObject({
      code: 'ERR_GUARD_TIMEOUT',
      source: 'policy',
    });
    const breaker = createCircuitBreaker({ name: 'timeout-source', timeoutMs: 5 });
    await expect(breaker.execute(never)).rejects.toMatchObject({ source: 'policy' });
    breaker.close();
  });

  it("is 'policy' for the AbortSignal.timeout() a caller passed to a policy", async () => {
    await expect(
      withTimeout(never, 10_000, { signal: AbortSignal.timeout(5) }),
    ).rejects.toMatchObject({ code: 'ERR_GUARD_TIMEOUT', source: 'policy' });
  });

  it("is 'pool' for an isolated task past its deadline", async () => {
    const pool = createIsolatedPool({
      filename: join(__dirname, '..', 'isolation', 'fixtures', 'echo.cjs'),
      timeoutMs: 200,
      maxMemoryMb: 32,
      maxWorkers: 1,
    });
    try {
      await expect(pool.run({ kind: 'sleep', ms: 10_000 })).rejects.toMatchObject({
        code: 'ERR_GUARD_TIMEOUT',
        source: 'pool',
      });
    } finally {
      await pool.close();
    }
  });

  it("is 'request' for the request deadline", () => {
    jest.useFakeTimers();
    try {
      const res = Object.assign(new EventEmitter(), {
        destroyed: false,
      }) as unknown as ServerResponse;
      const state = new GuardState(res);
      const seen: TimeoutError[] = [];
      void createRequestGate(undefined, 100).enter(res, state, (error) => seen.push(error));
      jest.advanceTimersByTime(150);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ code: 'ERR_GUARD_TIMEOUT', source: 'request' });
    } finally {
      jest.useRealTimers();
    }
  });

  it("is 'system' for a Node ETIMEDOUT, which keeps its code", () => {
    const etimedout = Object.assign(new Error('connect ETIMEDOUT 10.0.0.7:443'), {
      code: 'ETIMEDOUT',
    });
    expect(classifyError(etimedout)).toMatchObject({
      status: 503,
      code: 'ERR_GUARD_TIMEOUT',
      source: 'system',
    });
    expect(classifyError(new TimeoutError(undefined, { source: 'request' }))).toMatchObject({
      source: 'request',
    });
  });

  it("defaults to 'policy' for a TimeoutError an application raises itself", () => {
    expect(new TimeoutError().source).toBe('policy');
  });
});

describe('the log entry of a timeout', () => {
  it('carries the source, and the client never sees it', () => {
    const { logger, entries } = createMemoryLogger();
    const response = createErrorReporter({ logger }).report(
      new TimeoutError(undefined, { source: 'request' }),
      { method: 'GET', url: '/slow' },
    );
    expect(entries[0]).toMatchObject({ code: 'ERR_GUARD_TIMEOUT', source: 'request' });
    expect(JSON.stringify(response.body)).not.toContain('request');
  });
});
