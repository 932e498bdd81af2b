import type { RequestHandler } from 'express';
import { createRequestGate, resolveRequestTimeoutOptions } from '@guard-suite/core/internal';
import type { RequestTimeoutOptions } from '@guard-suite/core';
import { admit } from './admission';
import { appSetupChecker } from './app-setup-check';

/**
 * Answers 503 "Operation timed out" when the response is not sent within `ms`, and aborts
 * `req.guard.signal`. It cannot stop synchronous CPU work: use `createIsolatedPool` for that.
 * @example app.use(timeout({ ms: 5000 }));
 */
export function timeout(options?: RequestTimeoutOptions): RequestHandler {
  const { ms, meterProvider } = resolveRequestTimeoutOptions('timeout', options);
  const gate = createRequestGate(undefined, ms, meterProvider);
  const checkApp = appSetupChecker();
  return function timeoutMiddleware(req, res, next) {
    checkApp(req);
    admit(gate, req, res, next);
  };
}
