import type { Middleware } from 'koa';
import helmet from 'helmet';
import { headerWriter, rejectRequestAsOptions } from '@guard-suite/core/internal';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** helmet's own options (passed to helmet unchanged). */
export type SecurityHeadersOptions = NonNullable<Parameters<typeof helmet>[0]>;

/** The security-headers section as a step: the same helmet as Express, run on `ctx.req` / `ctx.res`. */
export function createSecurityHeadersStep(options?: SecurityHeadersOptions): Step {
  // helmet checks its own options here, at construction.
  const write = headerWriter(helmet(options), options);
  return function securityHeadersStep(ctx) {
    write(ctx.req, ctx.res);
  };
}

/**
 * Sets helmet's security headers.
 * @example app.use(securityHeaders({ contentSecurityPolicy: false }));
 */
export function securityHeaders(options?: SecurityHeadersOptions): Middleware {
  // helmet would only say "unknown option": name the fix of `app.use(securityHeaders)` first.
  rejectRequestAsOptions('securityHeaders', options);
  return stepMiddleware('securityHeadersMiddleware', createSecurityHeadersStep(options));
}
