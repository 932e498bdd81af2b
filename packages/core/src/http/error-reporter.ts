import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '../errors/codes';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { redact } from '../logging/redact';
import { safeGet } from '../logging/safe-get';
import { serializeError } from '../logging/serialize-error';
import { optionReader } from '../options/option-reader';
import { createErrorCounter } from '../telemetry/error-counter';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { createTelemetry } from '../telemetry/telemetry';
import { classifyError } from './classify-error';
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
  /** Where `guard.errors` is counted (an OpenTelemetry MeterProvider). Default: the global one. */
  meterProvider?: GuardMeterProvider;
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

/** Turns thrown values into client-safe problem responses and one structured log entry each. */
export interface ErrorReporter {
  /** Logs the error once (under a fresh errorId) and returns the response to send. */
  report(thrown: unknown, request: RequestInfo): ProblemResponse;
  /** Logs an error that came after the response started; nothing can be sent any more. */
  reportAfterHeadersSent(thrown: unknown, request: RequestInfo): void;
}

const KNOWN_OPTIONS = [
  'logger',
  'debug',
  'messages',
  'clientErrorLevel',
  'serverErrorLevel',
  'requestIdHeader',
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
  const countError = createErrorCounter(createTelemetry(readMeterProvider(read)));
  const getLogger = () => (logger ??= createDefaultLogger());

  function log(
    thrown: unknown,
    request: RequestInfo,
    status: number,
    code: string,
    errorId: string,
    afterHeaders: boolean,
  ) {
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
      error: serializeError(thrown),
      request: redact({ headers: request.headers, query: request.query, body: request.body }),
    };
    const level = status >= 500 ? serverErrorLevel : clientErrorLevel;
    try {
      getLogger().log(
        level,
        `${request.method ?? ''} ${path ?? ''} -> ${status} ${code}`.trim(),
        entry,
      );
    } catch {
      // A broken logger must not turn one error into a crash of the error path.
    }
  }

  return {
    report(thrown, request) {
      const errorId = randomUUID();
      const c = classifyError(thrown);
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
      log(thrown, request, c.status, c.code, errorId, false);
      countError(c.status, c.code);
      return { status: c.status, headers, body };
    },
    reportAfterHeadersSent(thrown, request) {
      const c = classifyError(thrown);
      log(thrown, request, c.status, c.code, randomUUID(), true);
      countError(c.status, c.code);
    },
  };
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
