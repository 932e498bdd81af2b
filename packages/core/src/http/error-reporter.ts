import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '../errors/codes';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { safeGet } from '../logging/safe-get';
import { optionReader } from '../options/option-reader';
import { classifyError } from './classify-error';
import type { ErrorClassification } from './classify-error';
import { errorLogEntry } from './error-log-entry';
import type { ErrorLogInput, ErrorLogSettings, RequestInfo } from './error-log-entry';
import type { ProblemResponse } from './problem';
import { problemResponse } from './problem-response';

/** Options of `errorHandler()` in both adapters. */
export interface ErrorHandlerOptions {
  /** A winston logger (or one with the same methods). Default: JSON lines on stdout. */
  logger?: GuardLogger;
  /** Adds the error's message and stack to the client body. Default `false`; `NODE_ENV` never turns it on. */
  debug?: boolean;
  /** Client messages by status, replacing the default detail of responses whose message is not exposed. */
  messages?: Readonly<Record<number, string>>;
  /** Log level of 4xx errors. Default `'warn'`. */
  clientErrorLevel?: string;
  /** Log level of 5xx errors. Default `'error'`. */
  serverErrorLevel?: string;
  /** Log level of 499, a client that left before its answer (no failure of the server). Default `'info'`. */
  abortedLevel?: string;
  /**
   * How much a client error's (4xx, 499) log entry carries: `'short'`, one line without stack, cause
   * or request; `'full'`, everything a 5xx entry has. Default `'short'`.
   */
  clientErrorLog?: 'short' | 'full';
  /** Request header whose value is logged as the request id. Default `'x-request-id'`. */
  requestIdHeader?: string;
}

export type { RequestInfo } from './error-log-entry';

/** Turns thrown values into client-safe problem responses and one structured log entry each. */
export interface ErrorReporter {
  /** Logs the error once (under a fresh errorId) and returns the response to send. */
  report(thrown: unknown, request: RequestInfo): ProblemResponse;
  /**
   * Logs an error that came after the response started; nothing can be sent any more. With
   * `responseEnded` (the answer was complete: a timeout's 503, or the handler's own), an error that
   * only echoes the request's own abort (its `AbortedError`, or the request deadline's
   * `TimeoutError`, possibly inside Node's AbortError) is logged at `debug`: it is what the handler
   * was told to do, and the answer was logged already. Any other late error keeps its level.
   */
  reportAfterHeadersSent(
    thrown: unknown,
    request: RequestInfo,
    options?: { responseEnded?: boolean },
  ): void;
}

const KNOWN_OPTIONS = [
  'logger',
  'debug',
  'messages',
  'clientErrorLevel',
  'serverErrorLevel',
  'abortedLevel',
  'clientErrorLog',
  'requestIdHeader',
] as const;

/** Response headers that describe a body the handler meant to send, not the error body. */
const STALE_HEADERS = new Set([
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-range',
  'content-type',
  'etag',
  'last-modified',
]);

/**
 * Removes the headers a handler set for the body it meant to send, before an error body replaces
 * it. Only the names present are touched: usually none, and each call on an Express response is
 * slow (every response has a prototype of its own, so method lookups miss V8's caches).
 */
export function removeStaleHeaders(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) if (STALE_HEADERS.has(name)) res.removeHeader(name);
}

/**
 * Builds the shared core of `errorHandler()`: options are checked here, once.
 * @example
 * const reporter = createErrorReporter({ debug: false }, 'errorHandler');
 * const { status, headers, body } = reporter.report(err, { method: 'GET', url: '/x' });
 */
export function createErrorReporter(options: unknown, factory = 'errorHandler'): ErrorReporter {
  const read = optionReader(factory, options, KNOWN_OPTIONS);
  const debug = read.boolean('debug', false);
  const messages = readMessages(read.raw('messages'), (key, expected, value) =>
    read.fail(key, expected, value),
  );
  const loggerOption = read.raw('logger');
  if (loggerOption !== undefined && typeof safeGet(loggerOption, 'log') !== 'function')
    read.fail('logger', 'a winston logger (an object with a log method)', loggerOption);
  let logger = loggerOption as GuardLogger | undefined;
  const getLogger = () => (logger ??= createDefaultLogger());

  const logSettings: ErrorLogSettings = {
    clientErrorLevel: read.string('clientErrorLevel', 'warn'),
    serverErrorLevel: read.string('serverErrorLevel', 'error'),
    abortedLevel: read.string('abortedLevel', 'info'),
    clientErrorLog: read.oneOf('clientErrorLog', ['short', 'full'] as const, 'short'),
    requestIdHeader: read.string('requestIdHeader', 'x-request-id').toLowerCase(),
  };

  function log(input: ErrorLogInput): void {
    try {
      const { level, message, meta } = errorLogEntry(input, logSettings);
      getLogger().log(level, message, meta);
    } catch {
      // A broken logger must not turn one error into a crash of the error path.
    }
  }

  return {
    report(thrown, request) {
      const errorId = randomUUID();
      const c = classifyError(thrown);
      const response = problemResponse(c, thrown, errorId, { messages, debug });
      // Should the answer have fallen back to a bare 500, the log says what the client got.
      const logged =
        response.status === c.status
          ? c
          : { ...c, status: response.status, code: ErrorCodes.INTERNAL };
      log({
        thrown,
        request,
        classification: logged,
        errorId,
        detail: response.body.detail,
        afterHeadersSent: false,
      });
      return response;
    },
    reportAfterHeadersSent(thrown, request, options) {
      const classification = classifyError(thrown);
      log({
        thrown,
        request,
        classification,
        errorId: randomUUID(),
        afterHeadersSent: true,
        level: options?.responseEnded === true && isAbortEcho(classification) ? 'debug' : undefined,
      });
    },
  };
}

/** Whether a classified error is the request's own abort: its client left, or its deadline passed. */
function isAbortEcho(c: ErrorClassification): boolean {
  return c.code === ErrorCodes.ABORTED || (c.code === ErrorCodes.TIMEOUT && c.source === 'request');
}

function readMessages(
  value: unknown,
  fail: (key: string, expected: string, value: unknown) => never,
): Record<number, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('messages', 'an object of status → message', value);
  const out: Record<number, string> = {};
  for (const [key, message] of Object.entries(value)) {
    const status = Number(key);
    if (!Number.isInteger(status) || status < 400 || status > 599)
      fail(`messages.${key}`, 'keyed by an HTTP error status (400–599)', key);
    if (typeof message !== 'string') return fail(`messages.${key}`, 'a string', message);
    out[status] = message;
  }
  return out;
}
