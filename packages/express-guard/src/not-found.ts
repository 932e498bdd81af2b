import type { RequestHandler } from 'express';
import { NotFoundError, optionReader } from 'guard-core';
import type { ErrorHandlerOptions } from 'guard-core';

/**
 * Answers requests no route matched with a 404 problem+json (through `errorHandler()`, which must follow).
 * Takes the same options as `errorHandler()`; only `messages[404]` is used here.
 * @example app.use(notFound()); app.use(errorHandler());
 */
export function notFound(options?: ErrorHandlerOptions): RequestHandler {
  const read = optionReader('notFound', options, [
    'logger',
    'debug',
    'messages',
    'clientErrorLevel',
    'serverErrorLevel',
    'requestIdHeader',
  ]);
  const message = (read.raw('messages') as Record<number, string> | undefined)?.[404];
  return function notFoundMiddleware(_req, _res, next) {
    next(new NotFoundError(message));
  };
}
