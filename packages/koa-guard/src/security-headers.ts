import type { Middleware } from 'koa';
import helmet from 'helmet';
import { headerWriter, rejectRequestAsOptions } from '@guard-suite/core/internal';
import type { HeaderWrite } from '@guard-suite/core/internal';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** helmet's own options (passed to helmet unchanged). */
export type SecurityHeadersOptions = NonNullable<Parameters<typeof helmet>[0]>;

/**
 * The security-headers section as a step: the same helmet as Express, run on `ctx.req` /
 * `ctx.res`. `headerWrites` are helmet's writes when they are the same on every response (for
 * refusals made before dispatch).
 */
export function createSecurityHeadersStep(
  options?: SecurityHeadersOptions,
): Step & { readonly headerWrites: readonly HeaderWrite[] | undefined } {
  // helmet checks its own options here, at construction.
  const write = headerWriter(helmet(options), options);
  const step: Step = function securityHeadersStep(ctx) {
    write(ctx.req, ctx.res);
  };
  return Object.assign(step, { headerWrites: write.writes });
}

/**
 * Sets the security headers (helmet's), as the `helmet` section of `guard()` does.
 * @example app.use(securityHeaders({ contentSecurityPolicy: false }));
 */
export function securityHeaders(options?: SecurityHeadersOptions): Middleware {
  // helmet would only say "unknown option": name the fix of `app.use(securityHeaders)` first.
  rejectRequestAsOptions('securityHeaders', options);
  return stepMiddleware('securityHeadersMiddleware', createSecurityHeadersStep(options));
}
