import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { WarningCodes } from '@guard-suite/core';
import {
  createDefaultLogger,
  createErrorReporter,
  noteShedAnswer,
  removeStaleHeaders,
  requestKind,
} from '@guard-suite/core/internal';
import type { ErrorHandlerOptions } from '@guard-suite/core';
import type { RequestInfo } from '@guard-suite/core/internal';
import { markErrorHandler } from './app-error-handler';

/** The `errorHandler()` middleware; `close()` logs the refusal counts not yet logged (at shutdown). */
export type ErrorHandlerMiddleware = ErrorRequestHandler & { close(): void };

/**
 * The secure error handler: mount it last. Answers every error as RFC 9457 problem+json with a
 * fresh `errorId`, logs the full error once under that id, and never shows a stack, path or secret.
 * @example app.use(notFound()); app.use(errorHandler({ logger }));
 */
export function errorHandler(options?: ErrorHandlerOptions): ErrorHandlerMiddleware;
// Four parameters make `errorHandler` itself an error handler in Express's eyes: mounted without
// being called (`app.use(errorHandler)`), Express hands it each error, and it answers with its
// defaults instead of leaving the errors to Express's default page (issue 14 #5).
export function errorHandler(
  options?: unknown,
  req?: unknown,
  res?: unknown,
  next?: unknown,
): ErrorHandlerMiddleware | undefined {
  if (requestKind(req) === 'request') {
    answerAsUncalled(options, req as Request, res as Response, next as NextFunction);
    return undefined;
  }
  const reporter = createErrorReporter(options, 'errorHandler');
  const middleware = markErrorHandler(function errorHandlerMiddleware(
    err: unknown,
    req,
    res,
    _next,
  ) {
    const info = requestInfo(req);
    if (res.headersSent) {
      const responseEnded = res.writableEnded;
      reporter.reportAfterHeadersSent(err, info, { responseEnded });
      // Part of a response is on the wire: close the connection so the client sees a truncated
      // response rather than a corrupt one (what Express's own handler does, minus its second print
      // of the stack to stderr). A complete answer (a timeout's 503, then the handler's late error)
      // leaves the connection alone: the client's next keep-alive request may already be on it.
      if (!responseEnded) res.destroy();
      return;
    }
    const { status, headers, payload } = reporter.report(err, info);
    // This handler answers the app's shed refusals: guard() may now refuse them before dispatch.
    noteShedAnswer(req.app, reporter, err);
    // The client left: logged, nothing to send. A request whose body was read to the end is
    // destroyed too (Node auto-destroys it), so only an incomplete one means the client is gone.
    if (res.destroyed || (req.destroyed && !req.complete)) return;
    try {
      removeStaleHeaders(res);
      // Node's own writeHead: Express's res.status().set() adds checks and a mime lookup per header.
      // An explicit length keeps Node from chunking the body: one write instead of a writev of four.
      res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
    } catch {
      // The reporter checked every header, so this is a response already broken some other way;
      // the error handler must not throw (Express would answer with its HTML stack page).
      res.destroy();
    }
  });
  return Object.defineProperty(middleware, 'close', {
    value: () => reporter.close(),
  }) as ErrorHandlerMiddleware;
}

/** The handler `errorHandler` stands in for when it was mounted without being called. */
let uncalled: ErrorRequestHandler | undefined;

function answerAsUncalled(err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (!uncalled) {
    uncalled = errorHandler();
    createDefaultLogger().warn(
      'errorHandler was mounted without being called (app.use(errorHandler)), so it answers with its default options: call it: app.use(errorHandler())',
      { code: WarningCodes.FACTORY_NOT_CALLED },
    );
  }
  void uncalled(err, req, res, next);
}

/** What the log line needs from an Express request. */
export function requestInfo(req: Request): RequestInfo {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return {
    method: req.method,
    url: req.originalUrl,
    route: typeof route === 'string' ? `${req.baseUrl}${route}` : undefined,
    headers: req.headers,
    query: safeQuery(req),
    body: req.body as unknown,
    ip: safeIp(req),
  };
}

function safeIp(req: Request): string | undefined {
  try {
    return req.ip; // reads req.socket, which is gone once a body reader destroyed the request
  } catch {
    return undefined;
  }
}

function safeQuery(req: Request): unknown {
  try {
    return req.query; // a getter in Express 5 that parses on access; a malformed query must not throw here
  } catch {
    return undefined;
  }
}
