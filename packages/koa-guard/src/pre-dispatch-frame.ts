import type Koa from 'koa';
import type { PreDispatchFrame } from '@guard-suite/core/internal';

/** Marks the middleware `errorHandler()` returns, so the frame can tell it is first. */
export const ERROR_HANDLER_MARK: unique symbol = Symbol('koa-guard errorHandler');

/**
 * What Koa can tell about an app, for refusing shed requests before it dispatches them: Koa's own
 * request listener (`app.listen()`, `http.createServer(app.callback())`: a function it names
 * `handleRequest`) is the server's, and `guard()` comes right after `errorHandler()`.
 */
export const koaPreDispatchFrame: PreDispatchFrame = {
  isAppListener: (listener) => typeof listener === 'function' && listener.name === 'handleRequest',
  firstMiddleware(app) {
    const middleware = (app as Partial<Koa>).middleware;
    if (!Array.isArray(middleware)) return undefined;
    const [first, second] = middleware as unknown[];
    const isErrorHandler =
      typeof first === 'function' &&
      (first as { [ERROR_HANDLER_MARK]?: unknown })[ERROR_HANDLER_MARK] === true;
    return isErrorHandler ? second : undefined;
  },
  // A context as Koa makes one (it makes its own when it dispatches the request): `ctx.path`,
  // `ctx.get()`, `ctx.ip` work as in any middleware; `ctx.state` starts empty.
  frameworkRequest: (app, req, res) => (app as Koa).createContext(req, res),
};
