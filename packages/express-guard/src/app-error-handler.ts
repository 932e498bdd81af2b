import type { ErrorRequestHandler, Request } from 'express';

/**
 * Marks the middleware `errorHandler()` returns, so the adapter can find it among an app's layers.
 * A registered symbol, so that another copy of the adapter finds it too.
 */
const ERROR_HANDLER_MARK = Symbol.for('guard-suite.express.errorHandler');

/** Marks `fn` as the middleware of `errorHandler()`. */
export function markErrorHandler<TFn extends ErrorRequestHandler>(fn: TFn): TFn {
  Object.defineProperty(fn, ERROR_HANDLER_MARK, { value: true });
  return fn;
}

/** Whether `fn` is the middleware of `errorHandler()` (from any copy of the adapter). */
export function isErrorHandler(fn: unknown): fn is ErrorRequestHandler {
  return (
    typeof fn === 'function' &&
    (fn as { [ERROR_HANDLER_MARK]?: unknown })[ERROR_HANDLER_MARK] === true
  );
}

/** One entry of an Express router's stack, as far as the adapter reads it. */
export interface RouterLayer {
  handle?: unknown;
  route?: unknown;
}

/**
 * The top-level layers of an Express app: `app._router.stack` in Express 4 (whose `app.router` getter
 * throws), `app.router.stack` in Express 5. Empty when neither can be read.
 */
export function appLayers(app: unknown): readonly RouterLayer[] {
  try {
    const holder = app as { _router?: { stack?: unknown }; router?: { stack?: unknown } };
    const stack = '_router' in holder ? holder._router?.stack : holder.router?.stack;
    return Array.isArray(stack) ? (stack as RouterLayer[]) : [];
  } catch {
    return [];
  }
}

/** How many parent apps of a mounted sub-app are searched. */
const MAX_APP_DEPTH = 8;

/**
 * The `errorHandler()` mounted at the top level of the request's app, or of an app it is mounted in
 * (the last one when there are several). At a request's deadline the adapter answers through it
 * directly instead of `next(err)`: that would move Express's router past it, and the handler's own
 * later error would reach Express's final handler, which prints the stack and destroys the socket
 * with the client's next keep-alive request on it (issue 12 #8).
 */
export function appErrorHandler(req: Request): ErrorRequestHandler | undefined {
  let app: unknown = req.app;
  for (let depth = 0; depth < MAX_APP_DEPTH && app; depth += 1) {
    const found = appLayers(app).findLast((layer) => isErrorHandler(layer.handle));
    if (found) return found.handle as ErrorRequestHandler;
    app = (app as { parent?: unknown }).parent;
  }
  return undefined;
}
