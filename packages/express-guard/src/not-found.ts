import type { RequestHandler } from 'express';
import { NotFoundError } from '@guard-suite/core';
import { createErrorReporter } from '@guard-suite/core/internal';
import type { ErrorHandlerOptions } from '@guard-suite/core';
import { appSetupChecker } from './app-setup-check';

/**
 * Answers requests no route matched with a 404 problem+json (through `errorHandler()`, which must follow).
 * Takes the same options as `errorHandler()`, checked the same way; only `messages[404]` is used here.
 * @example app.use(notFound()); app.use(errorHandler());
 */
export function notFound(options?: ErrorHandlerOptions): RequestHandler {
  // The reporter checks every option (it creates no logger until an error is reported).
  createErrorReporter(options, 'notFound');
  const message = options?.messages?.[404];
  const checkApp = appSetupChecker(options?.logger);
  return function notFoundMiddleware(req, _res, next) {
    checkApp(req);
    next(new NotFoundError(message));
  };
}
