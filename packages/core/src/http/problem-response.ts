import { ErrorCodes } from '../errors/codes';
import { safeGet, truncate } from '../logging/safe-get';
import { serializeError } from '../logging/serialize-error';
import type { ErrorClassification } from './classify-error';
import { DEFAULT_DETAILS } from './default-details';
import type { ProblemBody, ProblemResponse } from './problem';
import { PROBLEM_CONTENT_TYPE, statusTitle } from './problem';

/** How the error handler words its answers: `errorHandler()`'s `messages` and `debug`. */
export interface ProblemWording {
  messages: Readonly<Record<number, string>>;
  debug: boolean;
}

/** How much of a message or stack `debug: true` adds to the body. */
const MAX_DEBUG_TEXT = 65_536;

/**
 * Builds the client's problem+json answer for a classified error, payload included, and never
 * throws: should anything in it fail, the client gets a bare 500.
 *
 * The body carries `code` for every 4xx of ours and for the 5xx that are deliberate refusals (they
 * carry a `reason`: busy, timed out, overloaded, circuit open, resource limit, insufficient storage).
 * Any other 5xx is a 500 to the client, or a 503 for an unreachable dependency: its code (an invalid
 * option met at run time, an internal error, a refused connection) would tell a client only about
 * the server's inside (issue 14 #10).
 */
export function problemResponse(
  c: ErrorClassification,
  thrown: unknown,
  errorId: string,
  wording: ProblemWording,
): ProblemResponse {
  try {
    return build(c, thrown, errorId, wording);
  } catch {
    return bareInternalError(errorId);
  }
}

function build(
  c: ErrorClassification,
  thrown: unknown,
  errorId: string,
  { messages, debug }: ProblemWording,
): ProblemResponse {
  const override = messages[c.status];
  const detail =
    (c.exposedMessage !== undefined && !(c.isGuardMessage && override !== undefined)
      ? c.exposedMessage
      : override) ??
    DEFAULT_DETAILS[c.status] ??
    statusTitle(c.status);
  const isDeliberate = c.status < 500 || c.reason !== undefined;
  const body: ProblemBody = {
    ...c.extensions,
    type: c.type,
    title: statusTitle(c.status),
    status: c.status,
    detail,
    errorId,
    ...(c.reason === undefined ? {} : { reason: c.reason }),
    ...(isDeliberate && c.code.startsWith('ERR_GUARD_') && c.code !== ErrorCodes.INTERNAL
      ? { code: c.code }
      : {}),
  };
  if (debug) {
    const message = safeGet(thrown, 'message');
    const stack = safeGet(thrown, 'stack');
    // Only on explicit request: the whole point of the handler is that these never leak.
    body.message = truncate(
      typeof message === 'string' ? message : (serializeError(thrown).message ?? ''),
      MAX_DEBUG_TEXT,
    );
    if (typeof stack === 'string') body.stack = truncate(stack, MAX_DEBUG_TEXT);
  }
  const headers: Record<string, string> = {
    ...c.headers,
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
  };
  if (c.retryAfterSeconds !== undefined) headers['retry-after'] = String(c.retryAfterSeconds);
  return { status: c.status, headers, body, payload: JSON.stringify(body) };
}

/** The answer when building the real one failed: a 500 that cannot fail in turn. */
function bareInternalError(errorId: string): ProblemResponse {
  const body: ProblemBody = {
    type: 'about:blank',
    title: statusTitle(500),
    status: 500,
    detail: DEFAULT_DETAILS[500] ?? 'An unexpected error occurred',
    errorId,
  };
  return {
    status: 500,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' },
    body,
    payload: JSON.stringify(body),
  };
}
