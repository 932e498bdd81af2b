// This file's module registry has no @opentelemetry/api: requiring it throws as it does when the
// optional peer is not installed.
jest.mock('@opentelemetry/api', () => {
  throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), {
    code: 'MODULE_NOT_FOUND',
  });
});

import { createCircuitBreaker } from '../../src/policies/circuit-breaker';
import { createRateLimiter } from '../../src/policies/rate-limiter';
import { metricsApiIfLoaded } from '../../src/telemetry/metrics-api';
import { createTelemetry, metricsReady } from '../../src/telemetry/telemetry';

describe('without @opentelemetry/api installed', () => {
  it('loads nothing, records nothing, and every policy works', async () => {
    const limiter = createRateLimiter({ limit: 1 });
    await metricsReady();
    expect(metricsApiIfLoaded()).toBeNull();
    expect(createTelemetry().enabled).toBe(false);
    expect(limiter.consume('a')).toMatchObject({ allowed: true });
    expect(limiter.consume('a')).toMatchObject({ allowed: false });
    const breaker = createCircuitBreaker({ failureThreshold: 1 });
    await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    limiter.close();
    breaker.close();
  });
});
