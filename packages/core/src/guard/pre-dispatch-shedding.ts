import { ServerResponse } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { GuardError } from '../errors/guard-error';
import type { HeaderWrite } from '../http/header-writer';
import type { RefusalResponder } from '../http/refusal-responder';
import type { Criticality } from '../overload/criticality';
import type { CriticalityResolver } from '../overload/resolve-criticality';
import type { LoadShedder } from '../policies/load-shedder';
import { shedAnswererOf } from './shed-answerers';

/** A server's `'request'` listener. */
type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** What an adapter knows of its framework's app, for pre-dispatch shedding. */
export interface PreDispatchFrame {
  /** Whether `listener`, the server's only `'request'` listener, is `app` itself. */
  isAppListener(listener: unknown, app: object): boolean;
  /**
   * The middleware that runs first for every request of `app` (Koa: the first one after
   * `errorHandler()`), or `undefined` when that cannot be told.
   */
  firstMiddleware(app: object): unknown;
  /**
   * What the framework hands a middleware for this request (Express: `req` with the app's request
   * prototype, as Express's own init gives it; Koa: a context), for the criticality callback.
   */
  frameworkRequest(app: object, req: IncomingMessage, res: ServerResponse): unknown;
}

/**
 * Shedding before the framework dispatches: once it is safe, the server's request listener (the
 * app) is wrapped so that a shed request is refused before Express or Koa do any work for it.
 * Express's own dispatch costs about as much CPU as the tiny request it dispatches
 * (bench/shed-cost.mjs), and under overload what a refusal costs is taken from the requests still
 * served. The refusal is the one `errorHandler()` would send (security headers, problem+json,
 * `Retry-After`, a fresh errorId), counted in the same refusal log, and in the metrics and on
 * `guard:reject` like any shed request (`onShed`).
 *
 * Safe means, checked at the first in-framework shed of each server: the server has one
 * `'request'` listener and it is the app; `guard()` is the app's first middleware (Koa: right
 * after `errorHandler()`), so nothing else would have run for a shed request; `errorHandler()` has
 * answered one of this app's shed refusals (so it, not an app's own handler, answers them); and
 * `guard()` has no `skip` (which wants the framework's request). Otherwise shedding stays in
 * `guard()`, as it was.
 *
 * With a criticality classifier, each request is classified there, on what the framework would
 * hand a middleware (`frame.frameworkRequest`), and shed by its class; `guard()` then reuses that
 * class (`classOf`), so the classifier still runs once per request. Without this, giving requests
 * classes took the cheap refusals away exactly when they matter: on the priority benchmark each
 * refusal then cost more CPU than the request it refused, and the refusals alone saturated the loop.
 */
export interface PreDispatchShedding {
  /** True when this request was already judged before dispatch (`guard()` must not judge it again). */
  hasJudged(req: IncomingMessage): boolean;
  /** Offers to take over shedding for the server of a request that `guard()` is about to shed. */
  offer(app: object, req: IncomingMessage, res: ServerResponse): void;
  /** Records the `guard()` middleware (it must be the app's first). */
  claim(middleware: unknown): void;
  /** The class a request was given before dispatch (by its headers object), if it was. */
  classOf(headers: IncomingHttpHeaders): Criticality | undefined;
  /** Gives every wrapped server its own listener back. */
  close(): void;
}

/** Per server: whether shedding is (or cannot be) done before dispatch. */
type ServerState = 'installed' | 'declined';

/** The part of an `http.Server` (an EventEmitter) this needs. */
interface ListenerHost {
  listeners(event: 'request'): unknown[];
  removeListener(event: 'request', listener: RequestListener): unknown;
  on(event: 'request', listener: RequestListener): unknown;
}

interface Wrapped {
  readonly server: ListenerHost;
  readonly listener: RequestListener;
  readonly wrapper: RequestListener;
}

/** The `server` of a request's socket (Node sets it on every accepted connection). */
function serverOf(req: IncomingMessage): object | undefined {
  const server = (req.socket as { server?: unknown } | null)?.server;
  return typeof server === 'object' && server !== null ? server : undefined;
}

function isListenerHost(value: object): value is ListenerHost {
  const candidate = value as Partial<ListenerHost>;
  return (
    typeof candidate.listeners === 'function' &&
    typeof candidate.removeListener === 'function' &&
    typeof candidate.on === 'function'
  );
}

/**
 * Creates the pre-dispatch shedding of one `guard()`; `securityHeaders` are helmet's recorded
 * writes (`[]` without helmet); `onShed` describes each refusal made before dispatch (with the
 * shared error it is answered with and the request's class); `classify` is `guard()`'s criticality
 * classifier (`undefined`: every request is `'critical'`).
 */
export function createPreDispatchShedding(
  shedder: LoadShedder,
  securityHeaders: readonly HeaderWrite[],
  frame: PreDispatchFrame,
  onShed: (
    error: GuardError,
    res: ServerResponse,
    criticality: Criticality | undefined,
  ) => void = () => undefined,
  classify?: CriticalityResolver<unknown>,
): PreDispatchShedding {
  const states = new WeakMap<object, ServerState>();
  // Servers whose requests were judged before dispatch; a WeakSet so a closed server is not kept.
  const judged = new WeakSet<object>();
  // Each request's class, by its headers object: the same for Node's request, Express's and ctx.req.
  const classes = new WeakMap<IncomingHttpHeaders, Criticality>();
  const wrapped: Wrapped[] = [];
  let guardMiddleware: unknown;

  function classOfNew(app: object, req: IncomingMessage, res: ServerResponse) {
    if (classify === undefined) return undefined;
    const criticality = classify(frame.frameworkRequest(app, req, res), req.headers);
    classes.set(req.headers, criticality);
    return criticality;
  }

  function install(
    server: ListenerHost,
    app: object,
    listener: RequestListener,
    error: GuardError,
    respond: RefusalResponder,
  ) {
    const wrapper: RequestListener = function shedBeforeDispatch(req, res) {
      let criticality: Criticality | undefined;
      try {
        criticality = classOfNew(app, req, res);
      } catch {
        // Thrown here, it would take the process down: the app gets the request unjudged, and
        // guard() calls the callback again inside the framework, whose error handler answers.
        listener(req, res);
        return;
      }
      if (shedder.shouldShed(criticality, req.socket)) {
        onShed(error, res, criticality);
        respond(req, res);
      } else listener(req, res);
    };
    server.removeListener('request', listener);
    server.on('request', wrapper);
    wrapped.push({ server, listener, wrapper });
  }

  return {
    hasJudged(req) {
      const server = serverOf(req);
      return server !== undefined && judged.has(server);
    },
    offer(app, req, res) {
      const server = serverOf(req);
      if (server === undefined || states.has(server)) return;
      // Not yet: errorHandler() has to answer one of this app's refusals first.
      const reporter = shedAnswererOf(app);
      if (reporter === undefined) return;
      const listeners = isListenerHost(server) ? server.listeners('request') : [];
      const listener = listeners[0];
      const isSafe =
        isListenerHost(server) &&
        res instanceof ServerResponse &&
        listeners.length === 1 &&
        typeof listener === 'function' &&
        frame.isAppListener(listener, app) &&
        guardMiddleware !== undefined &&
        frame.firstMiddleware(app) === guardMiddleware;
      if (!isSafe) {
        states.set(server, 'declined');
        return;
      }
      const error = shedder.error();
      install(
        server,
        app,
        listener as RequestListener,
        error,
        reporter.refusalResponder(error, securityHeaders),
      );
      states.set(server, 'installed');
      judged.add(server);
    },
    claim(middleware) {
      guardMiddleware = middleware;
    },
    classOf: (headers) => classes.get(headers),
    close() {
      for (const { server, listener, wrapper } of wrapped.splice(0)) {
        judged.delete(server);
        // Someone else took the wrapper off: their choice stands.
        if (!server.listeners('request').includes(wrapper)) continue;
        server.removeListener('request', wrapper);
        server.on('request', listener);
      }
    },
  };
}
