import type { Middleware } from 'koa';
import helmet from 'helmet';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** helmet's own options (passed to helmet unchanged). */
export type SecurityHeadersOptions = NonNullable<Parameters<typeof helmet>[0]>;

/** The security-headers section as a step: the same helmet as Express, run on `ctx.req` / `ctx.res`. */
export function createSecurityHeadersStep(options?: SecurityHeadersOptions): Step {
  const apply = helmet(options); // helmet checks its own options here, at construction
  return function securityHeadersStep(ctx) {
    let failure: unknown;
    // helmet only sets headers and calls next synchronously.
    apply(ctx.req, ctx.res, (error) => {
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
export function securityHeaders(options?: SecurityHeadersOptions): Middleware {
  return stepMiddleware('securityHeadersMiddleware', createSecurityHeadersStep(options));
}
