import type Koa from 'koa';
import type { Context, Middleware, Next } from 'koa';
import { NotFoundError, WarningCodes } from '@guard-suite/core';
import {
  PROBLEM_CONTENT_TYPE,
  createDefaultLogger,
  createErrorReporter,
  isClientGone,
  noteShedAnswer,
  removeStaleHeaders,
  requestKind,
} from '@guard-suite/core/internal';
import type { ErrorHandlerOptions } from '@guard-suite/core';
import type { ErrorReporter } from '@guard-suite/core/internal';
import { wasAbandoned } from './admission';
import { markRequestReported, setAppReporter, wasRequestReported } from './app-reporter';
import { ERROR_HANDLER_MARK } from './pre-dispatch-frame';
import { requestInfo } from './request-info';

/** The `errorHandler()` middleware; `close()` logs the refusal counts not yet logged (at shutdown). */
export type ErrorHandlerMiddleware = Middleware & { close(): void };

/** Errors already logged by the middleware, so the app-level listener does not log them again. */
const reported = new WeakSet<object>();
/** Apps whose default `error` listener was replaced. */
const adoptedApps = new WeakSet<Koa>();

/**
 * The secure error handler: mount it first, so it wraps everything. Answers every error (and
 * unmatched routes, as 404) with RFC 9457 problem+json and a fresh `errorId`, logs the full error
 * once under that id (a policy's refusals: in aggregate), and never shows a stack, path or secret.
 * @example app.use(errorHandler({ logger })); app.use(guard()); app.use(router.routes());
 */
export function errorHandler(options?: ErrorHandlerOptions): ErrorHandlerMiddleware;
// Mounted without being called (`app.use(errorHandler)`), Koa calls `errorHandler(ctx, next)`: it
// then works as the middleware with its defaults (issue 14 #5).
export function errorHandler(
  options?: unknown,
  next?: unknown,
): ErrorHandlerMiddleware | Promise<void> {
  if (requestKind(options) === 'Koa context')
    return runAsUncalled(options as Context, next as Next);
  const reporter = createErrorReporter(options, 'errorHandler');
  const notFoundMessage = (options as ErrorHandlerOptions | undefined)?.messages?.[404];
  const middleware: Middleware = async function errorHandlerMiddleware(ctx, next) {
    adoptApp(ctx.app, reporter);
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null && ctx.respond !== false) {
        throw new NotFoundError(notFoundMessage);
      }
    } catch (err) {
      if (ctx.headerSent || !ctx.writable) {
        // Part of a response is on the wire (or the client left): log once and close the connection.
        reporter.reportAfterHeadersSent(err, requestInfo(ctx));
        markReported(err);
        markRequestReported(ctx);
        ctx.res.destroy();
        return;
      }
      const { status, headers, payload } = reporter.report(err, requestInfo(ctx));
      markReported(err);
      markRequestReported(ctx);
      // This handler answers the app's shed refusals: guard() may now refuse them before dispatch.
      noteShedAnswer(ctx.app, reporter, err);
      try {
        removeStaleHeaders(ctx.res);
        // A handler that took over the response (ctx.respond = false) and threw before writing a
        // byte would otherwise leave the client hanging: the error answer goes out through Koa.
        ctx.respond = true;
        ctx.status = status;
        ctx.set(headers);
        ctx.body = payload;
        ctx.type = headers['content-type'] ?? PROBLEM_CONTENT_TYPE;
        if (wasAbandoned(ctx)) sendNow(ctx);
      } catch {
        // The reporter checked every header, so this is a response already broken some other way;
        // the error handler must not throw (Koa would reset the connection).
        ctx.respond = false;
        ctx.res.destroy();
      }
    }
  };
  return Object.defineProperties(middleware, {
    close: { value: () => reporter.close() },
    [ERROR_HANDLER_MARK]: { value: true },
  }) as ErrorHandlerMiddleware;
}

/** The middleware `errorHandler` stands in for when it was mounted without being called. */
let uncalled: Middleware | undefined;

function runAsUncalled(ctx: Context, next: Next): Promise<void> {
  if (!uncalled) {
    uncalled = errorHandler();
    createDefaultLogger().warn(
      'errorHandler was mounted without being called (app.use(errorHandler)), so it answers with its default options: call it: app.use(errorHandler())',
      { code: WarningCodes.FACTORY_NOT_CALLED },
    );
  }
  return uncalled(ctx, next) as Promise<void>;
}

/**
 * Sends the answer of a timed-out request at once and keeps Koa from responding again. Its
 * abandoned handler may still assign `ctx.body`, `ctx.status` or headers before Koa would have
 * responded; once the 503 is on the wire, those writes are dropped, and a stream it assigns is
 * destroyed by Koa (its body setter closes streams when the response has finished). The cost:
 * middleware outside the error handler can no longer add headers to this one response. Holding the
 * body and status instead let the handler's late headers (a Content-Length) corrupt the 503.
 */
function sendNow(ctx: Context): void {
  ctx.respond = false;
  ctx.res.statusCode = ctx.status;
  ctx.res.end(ctx.body as string);
}

/**
 * Koa prints the stack of every error that reaches `app.on('error')` to stderr. Errors the middleware
 * already answered never get there; the rest (a streamed body failing after the headers) are logged
 * through the reporter instead, once, and Koa's default printer is removed.
 */
function adoptApp(app: Koa, reporter: ErrorReporter): void {
  if (adoptedApps.has(app)) return;
  adoptedApps.add(app);
  setAppReporter(app, reporter);
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the same reference Koa registered
  app.removeListener('error', app.onerror);
  app.on('error', (err: unknown, ctx?: Context) => {
    if (typeof err === 'object' && err !== null && reported.has(err)) return;
    if (ctx && wasRequestReported(ctx)) return;
    // A client that left mid-download or mid-upload is not a server failure (Koa reports the failed
    // write, or the parser's end-of-connection error; the middleware logs the upload's 499).
    if (isClientGone(err)) return;
    markReported(err);
    const responseEnded = ctx?.res.writableEnded === true;
    reporter.reportAfterHeadersSent(err, ctx ? requestInfo(ctx) : {}, { responseEnded });
    if (ctx && !responseEnded) ctx.res.destroy();
  });
}

function markReported(err: unknown): void {
  if (typeof err === 'object' && err !== null) reported.add(err);
}
