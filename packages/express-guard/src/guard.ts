import type { Request, RequestHandler } from 'express';
import { planGuard, resolveGuardOptions } from '@guard-suite/core/internal';
import type { GuardOptions } from '@guard-suite/core';
import type { GuardControls } from '@guard-suite/core';
import { admit } from './admission';
import { appSetupChecker } from './app-setup-check';
import { createInputLimitsStep } from './input-limits';
import { createLoadSheddingStep } from './load-shedding';
import { expressPreDispatchFrame } from './pre-dispatch-frame';
import { createRateLimitStep } from './rate-limit';
import type { ExpressRateLimitOptions } from './rate-limit';
import { createSecurityHeadersStep } from './security-headers';
import { guardStateOf, runSteps } from './step';

/** Options of the Express `guard()`. */
export type ExpressGuardOptions = GuardOptions<Request, ExpressRateLimitOptions>;

/** The `guard()` middleware with its live figures and `close()`. */
export type GuardMiddleware = RequestHandler & GuardControls;

/**
 * One middleware applying, in order: security headers, load shedding, rate limit, input limits,
 * concurrency limit, request timeout. Cheap refusals come first so they never hold a slot.
 * @example app.use(guard({ timeout: { ms: 10_000 } })); // concurrency: an adaptive limit by default
 */
export function guard(options?: ExpressGuardOptions): GuardMiddleware {
  const resolved = resolveGuardOptions<Request, ExpressRateLimitOptions>('guard', options);
  const { classify, steps, gate, expose } = planGuard(resolved, {
    securityHeaders: createSecurityHeadersStep,
    loadShedding: createLoadSheddingStep,
    rateLimit: createRateLimitStep,
    inputLimits: createInputLimitsStep,
    preDispatchFrame: expressPreDispatchFrame,
  });

  const checkApp = appSetupChecker(resolved.logger);
  const middleware: RequestHandler = function guardMiddleware(req, res, next) {
    checkApp(req);
    const state = guardStateOf(req, res);
    if (classify) state.criticality = classify(req, req.headers);
    runSteps(steps, req, res, next, () => admit(gate, req, res, next));
  };
  return expose(middleware);
}
