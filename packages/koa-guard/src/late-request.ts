import type { Context } from 'koa';
import { removeStaleHeaders, silenceLateWrites } from '@guard-suite/core/internal';
import type { TimeoutError } from '@guard-suite/core';
import { appReporter, markRequestReported } from './app-reporter';
import { requestInfo } from './request-info';

/**
 * Logs an error an abandoned chain raised after its 503, through the app's `errorHandler()` (at
 * `debug` when it only echoes the deadline the handler was told of), else through Koa's own
 * `error` event. Nothing is written: the answer is out (issue 12 #8).
 */
export function reportLateError(ctx: Context, error: unknown): void {
  const reporter = appReporter(ctx.app);
  if (reporter)
    reporter.reportAfterHeadersSent(error, requestInfo(ctx), {
      responseEnded: ctx.res.writableEnded,
    });
  else if (ctx.app.listenerCount('error') > 0) ctx.app.emit('error', error, ctx);
}

/**
 * Ends a response still being sent at its deadline although its chain had finished: a streamed body
 * (`ctx.body = readable`), which Koa pipes after the middleware returned (issue 12 #9). With nothing
 * sent yet the client gets the 503, otherwise the connection is closed; the body stream is destroyed
 * once it can no longer touch the answer, and the concurrency slot, released when the response
 * closes, is held until then.
 */
export function cutResponse(ctx: Context, error: TimeoutError): void {
  const { res } = ctx;
  const body: unknown = ctx.body;
  const reporter = appReporter(ctx.app);
  markRequestReported(ctx);
  // Koa may not have responded yet (a middleware outside this one is still running): it must not.
  ctx.respond = false;
  if (res.headersSent) {
    reporter?.reportAfterHeadersSent(error, requestInfo(ctx), { responseEnded: false });
    // Koa's pipeline then destroys the body stream.
    res.destroy();
    return;
  }
  if (reporter) {
    const { status, headers, payload } = reporter.report(error, requestInfo(ctx));
    removeStaleHeaders(res);
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  } else {
    // Koa's own answer to an error (text, its status and exposed message), as without the handler.
    ctx.onerror(error);
  }
  // The pipe may still write into the response: those writes are dropped. The body goes once the
  // answer is flushed (destroying it earlier would make Koa's pipeline destroy the response too).
  silenceLateWrites(res);
  if (isDestroyable(body)) res.once('finish', () => body.destroy());
}

function isDestroyable(value: unknown): value is { destroy(): void } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { destroy?: unknown }).destroy === 'function' &&
    typeof (value as { pipe?: unknown }).pipe === 'function'
  );
}
