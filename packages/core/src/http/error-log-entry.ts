import { redact } from '../logging/redact';
import { safeGet, truncate } from '../logging/safe-get';
import { serializeError } from '../logging/serialize-error';
import type { RejectionRecord } from '../telemetry/rejection';
import type { ErrorClassification } from './classify-error';

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

/** How much a client error's entry carries: one short line, or everything a 5xx gets. */
export type ClientErrorLog = 'short' | 'full';

/** How the error handler logs, from its options: a level per kind of error and the client-error shape. */
export interface ErrorLogSettings {
  clientErrorLevel: string;
  serverErrorLevel: string;
  abortedLevel: string;
  clientErrorLog: ClientErrorLog;
  /** Lower-cased request header logged as the request id. */
  requestIdHeader: string;
}

/** One error to log. */
export interface ErrorLogInput {
  thrown: unknown;
  request: RequestInfo;
  classification: ErrorClassification;
  errorId: string;
  /** What the client was told, when an answer was sent. */
  detail?: string | undefined;
  /** The error came after the response had started (or ended): nothing more could be sent. */
  afterHeadersSent: boolean;
  /** A level that overrides the one chosen by status (a late echo of the request's own abort). */
  level?: string | undefined;
  /**
   * The rejection record of a refusal (`rejectionOf(thrown)`): logged as `rejection`, with the
   * figures the client never sees (limit, observed value and threshold, class, key hash).
   */
  rejection?: RejectionRecord | undefined;
}

/** What goes to `logger.log(level, message, meta)`. */
export interface ErrorLogEntry {
  level: string;
  message: string;
  meta: Record<string, unknown>;
}

/** Longest error message a short entry keeps, in characters. */
const SHORT_MESSAGE = 200;

/**
 * Decides the level and shape of an error's log entry (issue 14 #6). A 5xx gets the full entry:
 * the error with its stack and cause chain, and the redacted request. A client error (4xx, and 499
 * for a client that left) is one short line by default: ids, status, code, route, what the client
 * was told (`detail`), and the error's name and code; no stack, no cause, no request. Every entry
 * carries the refusal `reason` (and the rejection record, when the refusing policy described it),
 * a timeout's `source` and a 413's `limitName` and `limit` when there are such. Never throws: a part that cannot be read is left out by the helpers it uses.
 */
export function errorLogEntry(input: ErrorLogInput, settings: ErrorLogSettings): ErrorLogEntry {
  const { request, classification: c } = input;
  const path = typeof request.url === 'string' ? request.url.split('?', 1)[0] : undefined;
  const requestId = request.headers?.[settings.requestIdHeader];
  const isServerError = c.status >= 500;
  const full = isServerError || settings.clientErrorLog === 'full';
  const meta: Record<string, unknown> = {
    errorId: input.errorId,
    status: c.status,
    code: c.code,
    method: request.method,
    path,
    ...(request.route ? { route: request.route } : {}),
    ...(typeof requestId === 'string' ? { requestId: requestId.slice(0, 200) } : {}),
    ...(request.ip ? { ip: request.ip } : {}),
    ...(input.afterHeadersSent ? { afterHeadersSent: true } : {}),
    ...(c.reason === undefined ? {} : { reason: c.reason }),
    ...(c.source === undefined ? {} : { source: c.source }),
    ...(c.limitName === undefined ? {} : { limitName: c.limitName }),
    ...(c.limit === undefined ? {} : { limit: c.limit }),
    ...(input.rejection === undefined ? {} : { rejection: input.rejection }),
    ...(input.detail === undefined ? {} : { detail: truncate(input.detail, SHORT_MESSAGE) }),
    error: full ? serializeError(input.thrown) : shortError(input.thrown),
    ...(full
      ? { request: redact({ headers: request.headers, query: request.query, body: request.body }) }
      : {}),
  };
  const level =
    input.level ??
    (c.status === 499
      ? settings.abortedLevel
      : isServerError
        ? settings.serverErrorLevel
        : settings.clientErrorLevel);
  const message = `${request.method ?? ''} ${path ?? ''} -> ${c.status} ${c.code}`.trim();
  return { level, message, meta };
}

/**
 * The error of a short entry: its name and code. Its message is left out: what the client was told
 * is the entry's `detail`, and a foreign 4xx's own message can quote the input (a body parser's).
 */
function shortError(thrown: unknown): Record<string, unknown> {
  const name = safeGet(thrown, 'name');
  const code = safeGet(thrown, 'code');
  return {
    ...(typeof name === 'string' ? { name: truncate(name, SHORT_MESSAGE) } : {}),
    ...(typeof code === 'string' ? { code: truncate(code, SHORT_MESSAGE) } : {}),
  };
}
