import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '../errors/codes';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { safeGet } from '../logging/safe-get';
import { optionReader } from '../options/option-reader';
import { createErrorCounter } from '../telemetry/error-counter';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { rejectionOf } from '../telemetry/refusal';
import { createTelemetry } from '../telemetry/telemetry';
import { classifyError } from './classify-error';
import type { ErrorClassification } from './classify-error';
import { errorLogEntry } from './error-log-entry';
import type { ErrorLogInput, ErrorLogSettings, RequestInfo } from './error-log-entry';
import type { ProblemResponse } from './problem';
import { problemResponse } from './problem-response';
import type { GuardError } from '../errors/guard-error';
import type { HeaderWrite } from './header-writer';
import { createRefusalLog, isPolicyRefusal } from './refusal-log';
import type { RefusalLog, RefusalLogSettings } from './refusal-log';
import { createRefusalResponder } from './refusal-responder';
import type { RefusalResponder } from './refusal-responder';

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
  /**
   * Refusals by a policy (shed, busy, rate limited, timed out: a guard error with a `reason`,
   * answered 429 or 503) are logged in aggregate: per policy and reason, the first `individualCount`
   * of each `intervalMs` on a line of their own, then one line with the count of all of them.
   * Defaults `{ intervalMs: 10_000, individualCount: 5 }`; `false` logs every refusal on its own line.
   */
  refusalLog?: RefusalLogOptions | false;
  /** Where `guard.errors` is counted (an OpenTelemetry MeterProvider). Default: the global one. */
  meterProvider?: GuardMeterProvider;
}

/** How refusals are logged in aggregate (see `ErrorHandlerOptions.refusalLog`). */
export interface RefusalLogOptions {
  /** Length of one counting interval, in milliseconds. Default `10_000`. */
  intervalMs?: number;
  /** Refusals of each policy and reason logged on a line of their own per interval. Default `5`. */
  individualCount?: number;
}

export type { RequestInfo } from './error-log-entry';

/**
 * Turns thrown values into client-safe problem responses and one structured log entry each (a
 * policy's refusals: counted, and logged in aggregate).
 */
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
  /**
   * A prebuilt answer to one refusal that never changes (a shed request), for refusing before the
   * framework dispatches: the same status, headers and body as `report(error)` gives, with a fresh
   * errorId each time, the security headers first, and the same refusal log.
   */
  refusalResponder(error: GuardError, securityHeaders: readonly HeaderWrite[]): RefusalResponder;
  /** Logs the refusal counts not yet logged and stops their timer (call it at shutdown). */
  close(): void;
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
  'refusalLog',
  'meterProvider',
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
  const countError = createErrorCounter(createTelemetry(readMeterProvider(read)));
  const getLogger = () => (logger ??= createDefaultLogger());

  const logSettings: ErrorLogSettings = {
    clientErrorLevel: read.string('clientErrorLevel', 'warn'),
    serverErrorLevel: read.string('serverErrorLevel', 'error'),
    abortedLevel: read.string('abortedLevel', 'info'),
    clientErrorLog: read.oneOf('clientErrorLog', ['short', 'full'] as const, 'short'),
    requestIdHeader: read.string('requestIdHeader', 'x-request-id').toLowerCase(),
  };

  const write = (level: string, message: string, meta: Record<string, unknown>) => {
    try {
      getLogger().log(level, message, meta);
    } catch {
      // A broken logger must not turn one error into a crash of the error path.
    }
  };
  function log(input: ErrorLogInput): void {
    try {
      const { level, message, meta } = errorLogEntry(input, logSettings);
      write(level, message, meta);
    } catch {
      // An entry that cannot be built must not turn one error into a crash of the error path.
    }
  }
  const refusals = readRefusalLog(factory, read.raw('refusalLog'), (status, message, entry) =>
    write(
      status >= 500 ? logSettings.serverErrorLevel : logSettings.clientErrorLevel,
      message,
      entry,
    ),
  );

  /**
   * Logs an answered error: a policy's refusal is counted, and only the first few get a line. The
   * request is described only for a line that is written: most refusals have none.
   */
  function logAnswered(
    thrown: unknown,
    requestOf: () => RequestInfo,
    c: ErrorClassification,
    errorId: string,
    response: ProblemResponse,
  ): void {
    // Should the answer have fallen back to a bare 500, the log says what the client got.
    const logged =
      response.status === c.status
        ? c
        : { ...c, status: response.status, code: ErrorCodes.INTERNAL };
    countError(logged.status, logged.code);
    // The record the refusing policy described this refusal with: it keys the refusal's count
    // and goes on its line.
    const rejection = rejectionOf(thrown);
    if (
      refusals !== undefined &&
      isPolicyRefusal(logged, rejection) &&
      !refusals.count(logged, rejection)
    )
      return;
    log({
      thrown,
      request: requestOf(),
      classification: logged,
      errorId,
      detail: response.body.detail,
      afterHeadersSent: false,
      rejection,
    });
  }

  return {
    report(thrown, request) {
      const errorId = randomUUID();
      const c = classifyError(thrown);
      const response = problemResponse(c, thrown, errorId, { messages, debug });
      logAnswered(thrown, () => request, c, errorId, response);
      return response;
    },
    reportAfterHeadersSent(thrown, request, options) {
      const classification = classifyError(thrown);
      countError(classification.status, classification.code);
      log({
        thrown,
        request,
        classification,
        errorId: randomUUID(),
        afterHeadersSent: true,
        rejection: rejectionOf(thrown),
        level: options?.responseEnded === true && isAbortEcho(classification) ? 'debug' : undefined,
      });
    },
    refusalResponder(error, securityHeaders) {
      const c = classifyError(error);
      const respond = (errorId: string) => problemResponse(c, error, errorId, { messages, debug });
      // Status and detail do not depend on the errorId: what the log needs of the answer, once.
      const answer = respond('');
      return createRefusalResponder(respond, securityHeaders, (req, errorId) =>
        logAnswered(
          error,
          // What the log line says of a request refused before dispatch: what Node alone knows.
          () => ({
            method: req.method,
            url: req.url,
            headers: req.headers,
            ip: req.socket.remoteAddress,
          }),
          c,
          errorId,
          answer,
        ),
      );
    },
    close() {
      refusals?.close();
    },
  };
}

function readRefusalLog(
  factory: string,
  value: unknown,
  write: RefusalLogSettings['write'],
): RefusalLog | undefined {
  if (value === false) return undefined;
  const read = optionReader(
    factory,
    value === undefined ? {} : value,
    ['intervalMs', 'individualCount'],
    'refusalLog.',
  );
  return createRefusalLog({
    // Handed to setInterval, which would turn anything over 2^31-1 ms into a 1 ms interval.
    intervalMs: read.timerMs('intervalMs', 10_000),
    individualCount: read.nonNegativeInteger('individualCount', 5, 'refusals'),
    write,
  });
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
