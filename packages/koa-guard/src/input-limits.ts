import type { Middleware } from 'koa';
import { createInputLimits } from '@guard-suite/core/internal';
import type { InputLimitsOptions } from '@guard-suite/core';
import type { InputLimits } from '@guard-suite/core/internal';
import type { Step } from './step';
import { stepMiddleware } from './step';

/** The input-limits step: 414 / 413 from the headers, and a cap on a streamed body. */
export function createInputLimitsStep(limits: InputLimits): Step {
  return function inputLimitsStep(ctx) {
    limits.check(ctx.req, ctx.res, (ctx.state as { guard?: object }).guard);
  };
}

/**
 * Refuses over-long URLs (414) and bodies over `maxBodyBytes` (413), declared or streamed.
 * @example app.use(inputLimits({ maxUrlLength: 2048, maxBodyBytes: 1_048_576 }));
 */
export function inputLimits(options?: InputLimitsOptions): Middleware {
  return stepMiddleware(
    'inputLimitsMiddleware',
    createInputLimitsStep(createInputLimits(options, 'inputLimits')),
  );
}
