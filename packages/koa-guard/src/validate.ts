import type { Middleware } from 'koa';
import { createRequestValidator } from '@guard-suite/core/internal';
import type { ValidateOptions, ValidationSchemas } from '@guard-suite/core';

/**
 * Validates `ctx.request.body`, `ctx.query` and `ctx.params` with Standard Schema validators and
 * replaces them with the validated values; 400 otherwise (field paths only with `revealFields: true`).
 * @example router.post('/users', jsonBody(), validate({ body: z.object({ age: z.number() }) }), handler);
 */
export function validate(schemas: ValidationSchemas, options?: ValidateOptions): Middleware {
  const validator = createRequestValidator(schemas, options, 'validate');
  return async function validateMiddleware(ctx, next) {
    const request = ctx.request as { body?: unknown };
    const withParams = ctx as { params?: unknown };
    const valid = await validator.validate({
      body: request.body,
      query: ctx.query,
      params: withParams.params,
    });
    request.body = valid.body;
    // ctx.query re-parses the query string on each read: shadow it on this request.
    Object.defineProperty(ctx.request, 'query', {
      value: valid.query,
      writable: true,
      configurable: true,
    });
    // @koa/router keeps the same object as ctx.params and ctx.request.params: replace both.
    withParams.params = valid.params;
    (ctx.request as { params?: unknown }).params = valid.params;
    await next();
  };
}
