import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * For Express 4: forwards an async handler's rejection to `next`, so `errorHandler()` answers it.
 * Express 5 does this itself and needs nothing.
 * @example app.get('/users', asyncHandler(async (req, res) => { res.json(await db.users()); }));
 */
export function asyncHandler<TRequest extends Request = Request>(
  fn: (req: TRequest, res: Response, next: NextFunction) => unknown,
): RequestHandler {
  return function asyncHandlerMiddleware(req, res, next) {
    try {
      Promise.resolve(fn(req as TRequest, res, next)).catch(next);
    } catch (error) {
      next(error);
    }
  };
}
