import type { PreDispatchFrame } from '@guard-suite/core/internal';

/** The router layers this reads: Express 4 (`app._router`) and 5 (`app.router`, the router package). */
interface Layer {
  readonly name?: unknown;
  readonly handle?: unknown;
  /** Express 5: mounted at `/`. */
  readonly slash?: unknown;
  /** Express 4: mounted at `/`. */
  readonly regexp?: { readonly fast_slash?: unknown };
}

/** Express 4's own first layers, which every request passes anyway. */
const BUILT_IN_LAYERS = new Set(['query', 'expressInit']);

function stackOf(app: object): readonly Layer[] | undefined {
  try {
    // Express 4 first: its `app.router` is a getter that throws ("app.router is deprecated").
    const router =
      (app as { _router?: { stack?: unknown } })._router ??
      (app as { router?: { stack?: unknown } }).router;
    return Array.isArray(router?.stack) ? (router.stack as Layer[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What Express can tell about an app, for refusing shed requests before it dispatches them: the
 * server's listener is the app itself (`app.listen()`, `http.createServer(app)`), and the first
 * middleware mounted at `/` is the one every request meets first.
 */
export const expressPreDispatchFrame: PreDispatchFrame = {
  isAppListener: (listener, app) => listener === app,
  firstMiddleware(app) {
    const first = stackOf(app)?.find(
      (layer) => typeof layer.name !== 'string' || !BUILT_IN_LAYERS.has(layer.name),
    );
    const isAtRoot = first?.slash === true || first?.regexp?.fast_slash === true;
    return isAtRoot ? first?.handle : undefined;
  },
  frameworkRequest(app, req, res) {
    // What Express's own init does first for every request (4: the expressInit layer, 5:
    // app.handle), and does again when this request is dispatched: `req.path`, `req.get()`,
    // `req.ip` then work as in any middleware.
    const { request, response } = app as { request?: object; response?: object };
    if (request) Object.setPrototypeOf(req, request);
    if (response) Object.setPrototypeOf(res, response);
    (req as { res?: unknown }).res = res;
    (res as { req?: unknown }).req = req;
    return req;
  },
};
