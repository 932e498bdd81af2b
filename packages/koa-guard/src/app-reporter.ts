import type Koa from 'koa';
import type { ErrorReporter } from '@guard-suite/core/internal';

/** The reporter of the `errorHandler()` each app runs, set on its first request. */
const reporters = new WeakMap<Koa, ErrorReporter>();

/**
 * Registers the reporter of the app's `errorHandler()`. Whoever must log or answer for a request
 * after the error handler's middleware has returned (an abandoned handler's late error, a streamed
 * body cut at the deadline) reaches it here.
 */
export function setAppReporter(app: Koa, reporter: ErrorReporter): void {
  reporters.set(app, reporter);
}

/** The reporter of the app's `errorHandler()`, if it has one. */
export function appReporter(app: Koa): ErrorReporter | undefined {
  return reporters.get(app);
}

/** Requests already logged: one entry per request (a socket error may follow the answer). */
const reportedRequests = new WeakSet<object>();

/** Records that the request's error was logged (by the error handler, or at its deadline). */
export function markRequestReported(ctx: object): void {
  reportedRequests.add(ctx);
}

/** Whether the request's error was logged already. */
export function wasRequestReported(ctx: object): boolean {
  return reportedRequests.has(ctx);
}
