import type { RequestHandler } from 'express';
import { createRequestValidator } from '@guard-suite/core/internal';
import type { ValidateOptions, ValidationSchemas } from '@guard-suite/core';

/**
 * Validates `req.body`, `req.query` and `req.params` with Standard Schema validators and replaces
 * them with the validated values; 400 otherwise (field paths only with `revealFields: true`).
 * @example app.post('/users', jsonBody(), validate({ body: z.object({ age: z.number() }) }), handler);
 */
export function validate(schemas: ValidationSchemas, options?: ValidateOptions): RequestHandler {
  const validator = createRequestValidator(schemas, options, 'validate');
  return function validateMiddleware(req, _res, next) {
    validator
      .validate({ body: req.body as unknown, query: req.query, params: req.params })
      .then((valid) => {
        req.body = valid.body;
        // Express 5's req.query is a getter: shadow it on this request with the validated value.
        Object.defineProperty(req, 'query', {
          value: valid.query,
          writable: true,
          configurable: true,
        });
        req.params = valid.params as typeof req.params;
        next();
      }, next);
  };
}
