// The service's one outbound dependency: an append-only audit log of stored uploads. Every write goes
// through retry → circuit breaker → timeout, so a failing disk or share shows up as an open breaker
// on /health and as a fast 503 with Retry-After, instead of piling up slow requests.
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createCircuitBreaker, createRetry, createTimeout, wrap } from '@guard-suite/core';

export function createAuditLog({ dataDir, breakerStore, meterProvider }) {
  const metrics = meterProvider ? { meterProvider } : {};
  const file = join(dataDir, 'audit.log');
  const breaker = createCircuitBreaker({
    name: 'audit-log',
    failureThreshold: 5,
    resetTimeoutMs: 10_000,
    ...(breakerStore ? { store: breakerStore } : {}),
    ...metrics,
  });
  const policy = wrap(
    createRetry({ name: 'audit-log', retries: 2, baseDelayMs: 50, maxDelayMs: 500, ...metrics }),
    breaker,
    createTimeout(2_000),
  );
  return {
    breaker,
    /** Appends one JSON line for a stored upload. */
    record: (upload, signal) =>
      policy.execute(
        async () => {
          await mkdir(dataDir, { recursive: true, mode: 0o700 });
          const { id, storedName, sha256, size, uploadedAt } = upload;
          await appendFile(
            file,
            `${JSON.stringify({ id, storedName, sha256, size, uploadedAt })}\n`,
            {
              mode: 0o600,
            },
          );
        },
        signal ? { signal } : {},
      ),
    close: () => breaker.close(),
  };
}
