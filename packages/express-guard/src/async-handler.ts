import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GuardConfigError } from '@guard-suite/core';
import { requestKind, withoutStack } from '@guard-suite/core/internal';
import { appSetupChecker } from './app-setup-check';

/**
 * For Express 4: forwards an async handler's rejection to `next`, so `errorHandler()` answers it.
 * Express 5 does this itself and needs nothing.
 * @example app.get('/users', asyncHandler(async (req, res) => { res.json(await db.users()); }));
 */
export function asyncHandler<TRequest extends Request = Request>(
  fn: (req: TRequest, res: Response, next: NextFunction) => unknown,
): RequestHandler {
  if (typeof fn !== 'function') {
    const received = requestKind(fn) ?? describeReceived(fn);
    throw withoutStack(
      () =>
        new GuardConfigError(
          `asyncHandler: expects your handler, received a ${received}: wrap the handler, as in app.get(path, asyncHandler(async (req, res) => …))`,
          'fn',
        ),
    );
  }
  const checkApp = appSetupChecker();
  return function asyncHandlerMiddleware(req, res, next) {
    checkApp(req);
    try {
      Promise.resolve(fn(req as TRequest, res, next)).catch(next);
    } catch (error) {
      next(error);
    }
  };
}

function describeReceived(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
