import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '../errors/codes';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { redact } from '../logging/redact';
import { safeGet } from '../logging/safe-get';
import { serializeError } from '../logging/serialize-error';
import { optionReader } from '../options/option-reader';
import { classifyError } from './classify-error';
import type { ErrorClassification } from './classify-error';
import type { GuardError } from '../errors/guard-error';
import type { HeaderWrite } from './header-writer';
import { createRefusalLog, isPolicyRefusal } from './refusal-log';
import { createRefusalResponder } from './refusal-responder';
import type { RefusalResponder } from './refusal-responder';
import type { RefusalLog, RefusalLogSettings } from './refusal-log';
import { DEFAULT_DETAILS } from './default-details';
import type { ProblemBody, ProblemResponse } from './problem';
import { PROBLEM_CONTENT_TYPE, statusTitle } from './problem';

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
  /** Request header whose value is logged as the request id. Default `'x-request-id'`. */
  requestIdHeader?: string;
  /**
   * Refusals by a policy (shed, busy, rate limited, timed out: a guard error with a `reason`,
   * answered 429 or 503) are logged in aggregate: per policy and reason, the first `individualCount`
   * of each `intervalMs` on a line of their own, then one line with the count of all of them.
   * Defaults `{ intervalMs: 10_000, individualCount: 5 }`; `false` logs every refusal on its own line.
   */
  refusalLog?: RefusalLogOptions | false;
}

/** How refusals are logged in aggregate (see `ErrorHandlerOptions.refusalLog`). */
export interface RefusalLogOptions {
  /** Length of one counting interval, in milliseconds. Default `10_000`. */
  intervalMs?: number;
  /** Refusals of each policy and reason logged on a line of their own per interval. Default `5`. */
  individualCount?: number;
}

/** What an adapter knows about the request, for the log line. */
export interface RequestInfo {
  method?: string | undefined;
  /** The URL; its query string is cut off before logging. */
  url?: string | undefined;
  /** The matched route pattern, when the framework knows it (`/users/:id`). */
  route?: string | undefined;
  headers?: Record<string, unknown> | undefined;
  query?: unknown;
  body?: unknown;
  ip?: string | undefined;
}

/**
 * Turns thrown values into client-safe problem responses and one structured log entry each (a
 * policy's refusals: counted, and logged in aggregate).
 */
export interface ErrorReporter {
  /** Logs the error once (under a fresh errorId) and returns the response to send. */
  report(thrown: unknown, request: RequestInfo): ProblemResponse;
  /** Logs an error that came after the response started; nothing can be sent any more. */
  reportAfterHeadersSent(thrown: unknown, request: RequestInfo): void;
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
  'requestIdHeader',
  'refusalLog',
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
  const clientErrorLevel = read.string('clientErrorLevel', 'warn');
  const serverErrorLevel = read.string('serverErrorLevel', 'error');
  const requestIdHeader = read.string('requestIdHeader', 'x-request-id').toLowerCase();
  const messages = readMessages(read.raw('messages'), (key, expected, value) =>
    read.fail(key, expected, value),
  );
  const loggerOption = read.raw('logger');
  if (loggerOption !== undefined && typeof safeGet(loggerOption, 'log') !== 'function')
    read.fail('logger', 'a winston logger (an object with a log method)', loggerOption);
  let logger = loggerOption as GuardLogger | undefined;
  const getLogger = () => (logger ??= createDefaultLogger());
  const levelOf = (status: number) => (status >= 500 ? serverErrorLevel : clientErrorLevel);
  const write = (level: string, message: string, entry: Record<string, unknown>) => {
    try {
      getLogger().log(level, message, entry);
    } catch {
      // A broken logger must not turn one error into a crash of the error path.
    }
  };
  const refusals = readRefusalLog(factory, read.raw('refusalLog'), (status, message, entry) =>
    write(levelOf(status), message, entry),
  );

  function log(
    thrown: unknown,
    request: RequestInfo,
    c: ErrorClassification,
    errorId: string,
    afterHeaders: boolean,
  ) {
    const { status, code } = c;
    const path = typeof request.url === 'string' ? request.url.split('?', 1)[0] : undefined;
    const requestId = request.headers?.[requestIdHeader];
    const entry = {
      errorId,
      status,
      code,
      method: request.method,
      path,
      ...(request.route ? { route: request.route } : {}),
      ...(typeof requestId === 'string' ? { requestId: requestId.slice(0, 200) } : {}),
      ...(request.ip ? { ip: request.ip } : {}),
      ...(afterHeaders ? { afterHeadersSent: true } : {}),
      ...(c.reason === undefined ? {} : { reason: c.reason }),
      error: serializeError(thrown),
      request: redact({ headers: request.headers, query: request.query, body: request.body }),
    };
    write(
      levelOf(status),
      `${request.method ?? ''} ${path ?? ''} -> ${status} ${code}`.trim(),
      entry,
    );
  }

  /** The response for a classified error, under `errorId`. */
  function respond(thrown: unknown, c: ErrorClassification, errorId: string): ProblemResponse {
    const override = messages[c.status];
    const detail =
      (c.exposedMessage !== undefined && !(c.isGuardMessage && override !== undefined)
        ? c.exposedMessage
        : override) ??
      DEFAULT_DETAILS[c.status] ??
      statusTitle(c.status);
    const body: ProblemBody = {
      ...c.extensions,
      type: c.type,
      title: statusTitle(c.status),
      status: c.status,
      detail,
      errorId,
      ...(c.reason === undefined ? {} : { reason: c.reason }),
      ...(c.code.startsWith('ERR_GUARD_') && c.code !== ErrorCodes.INTERNAL
        ? { code: c.code }
        : {}),
    };
    if (debug) {
      const message = safeGet(thrown, 'message');
      const stack = safeGet(thrown, 'stack');
      // Only on explicit request: the whole point of the handler is that these never leak.
      body.message = typeof message === 'string' ? message : serializeError(thrown).message;
      if (typeof stack === 'string') body.stack = stack;
    }
    const headers: Record<string, string> = {
      ...c.headers,
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': 'no-store',
    };
    if (c.retryAfterSeconds !== undefined)
      headers['retry-after'] = String(Math.max(0, Math.ceil(c.retryAfterSeconds)));
    return { status: c.status, headers, body };
  }

  /** Logs an answered error: a policy's refusal is counted, and only the first few get a line. */
  function logAnswered(
    thrown: unknown,
    requestOf: () => RequestInfo,
    c: ErrorClassification,
    errorId: string,
  ) {
    // The request is described only for a line that is written: most refusals have none.
    if (refusals === undefined || !isPolicyRefusal(c) || refusals.count(c))
      log(thrown, requestOf(), c, errorId, false);
  }

  return {
    report(thrown, request) {
      const errorId = randomUUID();
      const c = classifyError(thrown);
      const response = respond(thrown, c, errorId);
      logAnswered(thrown, () => request, c, errorId);
      return response;
    },
    reportAfterHeadersSent(thrown, request) {
      log(thrown, request, classifyError(thrown), randomUUID(), true);
    },
    refusalResponder(error, securityHeaders) {
      const c = classifyError(error);
      return createRefusalResponder(
        (errorId) => respond(error, c, errorId),
        securityHeaders,
        // What the log line says of a request refused before dispatch: what Node alone knows.
        (req, errorId) =>
          logAnswered(
            error,
            () => ({
              method: req.method,
              url: req.url,
              headers: req.headers,
              ip: req.socket.remoteAddress,
            }),
            c,
            errorId,
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
