import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** helmet's own options (passed to helmet unchanged). */
export type SecurityHeadersOptions = NonNullable<Parameters<typeof helmet>[0]>;

/** The security-headers section as a step: helmet, run inside `guard()`. */
export function createSecurityHeadersStep(options?: SecurityHeadersOptions): Step {
  const apply = helmet(options); // helmet checks its own options here, at construction
  return function securityHeadersStep(req, res) {
    let failure: unknown;
    // helmet only sets headers and calls next synchronously.
    apply(req, res, (error) => {
      failure = error;
    });
    if (failure !== undefined)
      throw failure instanceof Error ? failure : new Error('helmet failed', { cause: failure });
  };
}

/**
 * Sets helmet's security headers.
 * @example app.use(securityHeaders({ contentSecurityPolicy: false }));
 */
export function securityHeaders(options?: SecurityHeadersOptions): RequestHandler {
  return stepMiddleware('securityHeadersMiddleware', createSecurityHeadersStep(options));
}
