import { ErrorCodes } from '../errors/codes';
import { isGuardError } from '../errors/guard-error';
import { safeGet } from '../logging/safe-get';
import { isRejectionReason } from '../telemetry/rejection';
import type { RejectionReason } from '../telemetry/rejection';
import type { TimeoutSource } from '../errors/timeout-error';
import { BODY_PARSER_ERRORS, SYSTEM_ERRORS } from './default-details';
import { jsonExtensions, retryAfterSeconds, sendableHeaders } from './problem-fields';

/** What the error handler decided about a thrown value, before messages and ids are applied. */
export interface ErrorClassification {
  status: number;
  /** A registered `ErrorCode`, or `HTTP_<status>` for a foreign error that carried a status. */
  code: string;
  /** The error's own message, only when it is safe to show (guard errors, exposed 4xx). */
  exposedMessage?: string;
  /** Whether the exposed message came from the suite itself (a `messages` entry may replace it). */
  isGuardMessage: boolean;
  retryAfterSeconds?: number;
  headers: Record<string, string>;
  type: string;
  extensions: Record<string, unknown>;
  /** A guard refusal's reason (`queue_full`, `overloaded`, …), sent as the problem+json `reason`. */
  reason?: RejectionReason;
  /** Which deadline an `ERR_GUARD_TIMEOUT` was (logged, never sent). */
  source?: TimeoutSource;
  /** The limit a 413 hit, as its option is called (logged, never sent). */
  limitName?: string;
  /** That limit's value: bytes for a size, a count otherwise (logged). */
  limit?: number;
}

const TIMEOUT_SOURCES: ReadonlySet<unknown> = new Set(['request', 'policy', 'pool', 'system']);

/** The longest exposed message the client gets; longer ones fall back to the generic detail. */
const MAX_EXPOSED_MESSAGE = 1024;
/** The longest problem `type` URI taken from one of our errors. */
const MAX_TYPE_LENGTH = 2048;
/** What a registered code looks like; anything else on one of our errors becomes `ERR_GUARD_INTERNAL`. */
const GUARD_CODE = /^ERR_GUARD_[A-Z0-9_]{1,64}$/;

/** What the handler answers when even classifying the thrown value failed. */
const INTERNAL: Readonly<ErrorClassification> = Object.freeze({
  status: 500,
  code: ErrorCodes.INTERNAL,
  isGuardMessage: false,
  headers: {},
  type: 'about:blank',
  extensions: {},
});

/**
 * Decides status, code and what may be shown for any thrown value, and never throws: our errors
 * (`isGuardError`: `instanceof` or the brand every copy of the package shares) as they say, with
 * their headers and extensions checked, also behind the abort errors that carry them as `cause`; Node system errors by `code`; body-parser errors by `type`;
 * http-errors style errors by `status`/`statusCode` (message kept only for an exposed 4xx, headers
 * and extensions never taken); everything else a generic 500.
 */
export function classifyError(thrown: unknown): ErrorClassification {
  try {
    if (isGuardError(thrown)) return classifyOurs(thrown);
    const behind = ourErrorBehindAborts(thrown);
    return behind === undefined ? classifyForeign(thrown) : classifyOurs(behind);
  } catch {
    // A value hostile enough to break the checks above is an internal error like any other.
    return { ...INTERNAL, headers: {}, extensions: {} };
  }
}

/** How many abort errors deep the chain is followed. */
const MAX_ABORT_LINKS = 8;

/**
 * Our error behind a chain of abort errors, if there is one. A handler that awaits a timer, stream
 * or event with `req.guard.signal` rejects with Node's AbortError whose `cause` is the signal's
 * reason: our `AbortedError` (the client left → 499) or `TimeoutError` (the deadline → 503), which is
 * what happened (issue 12 #13). Only abort errors are looked through: an application error that
 * merely has one of ours as its cause is the application's own failure.
 */
function ourErrorBehindAborts(thrown: unknown): object | undefined {
  let current = thrown;
  for (let link = 0; link < MAX_ABORT_LINKS && isAbortError(current); link += 1) {
    current = safeGet(current, 'cause');
    if (isGuardError(current)) return current;
  }
  return undefined;
}

function isAbortError(value: unknown): boolean {
  return safeGet(value, 'name') === 'AbortError' || safeGet(value, 'code') === 'ABORT_ERR';
}

function classifyOurs(thrown: object): ErrorClassification {
  const code = safeGet(thrown, 'code');
  const message = safeGet(thrown, 'message');
  const type = safeGet(thrown, 'type');
  const reason = safeGet(thrown, 'reason');
  const source = safeGet(thrown, 'source');
  const limitName = safeGet(thrown, 'limitName');
  const limit = safeGet(thrown, 'limit');
  const retryAfter = retryAfterSeconds(safeGet(thrown, 'retryAfterSeconds'));
  const exposed =
    safeGet(thrown, 'expose') !== false &&
    typeof message === 'string' &&
    message.length <= MAX_EXPOSED_MESSAGE;
  return {
    status: validStatus(safeGet(thrown, 'status')) ?? 500,
    code: typeof code === 'string' && GUARD_CODE.test(code) ? code : ErrorCodes.INTERNAL,
    ...(exposed ? { exposedMessage: message } : {}),
    isGuardMessage: true,
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    headers: sendableHeaders(safeGet(thrown, 'headers')),
    type: typeof type === 'string' && type.length <= MAX_TYPE_LENGTH ? type : 'about:blank',
    extensions: jsonExtensions(safeGet(thrown, 'extensions')),
    ...(isRejectionReason(reason) ? { reason } : {}),
    ...(TIMEOUT_SOURCES.has(source) ? { source: source as TimeoutSource } : {}),
    ...(typeof limitName === 'string' ? { limitName: limitName.slice(0, 100) } : {}),
    ...(isCount(limit) ? { limit } : {}),
  };
}

/**
 * The limit a body parser's 413 hit: its `limit` (bytes) or `parameterLimit`; the bytes are a number,
 * so the client's detail may name them (issue 14 #3), as our own 413s do.
 */
function bodyParserLimit(
  thrown: unknown,
  known: { limitName?: string; isBytes?: boolean },
): Partial<ErrorClassification> {
  if (known.limitName === undefined) return {};
  const limit = safeGet(thrown, 'limit');
  if (!isCount(limit)) return { limitName: known.limitName };
  return {
    limitName: known.limitName,
    limit,
    ...(known.isBytes === true
      ? {
          exposedMessage: `Payload too large: the body is larger than ${limit} bytes`,
          isGuardMessage: true,
        }
      : {}),
  };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A value that is not ours: only its status (and, for an exposed 4xx, its message) is believed. */
function classifyForeign(thrown: unknown): ErrorClassification {
  const base = { isGuardMessage: false, headers: {}, type: 'about:blank', extensions: {} };
  const bodyParserType = safeGet(thrown, 'type');
  if (typeof bodyParserType === 'string' && Object.hasOwn(BODY_PARSER_ERRORS, bodyParserType)) {
    const known = BODY_PARSER_ERRORS[bodyParserType];
    if (known)
      return { ...base, status: known.status, code: known.code, ...bodyParserLimit(thrown, known) };
  }

  const systemCode = safeGet(thrown, 'code');
  if (typeof systemCode === 'string' && Object.hasOwn(SYSTEM_ERRORS, systemCode)) {
    const known = SYSTEM_ERRORS[systemCode];
    if (known)
      return {
        ...base,
        status: known.status,
        code: known.code,
        // The table's own wording (ETIMEDOUT's), which a `messages` entry may replace.
        ...(known.detail ? { exposedMessage: known.detail, isGuardMessage: true } : {}),
        ...(known.code === ErrorCodes.TIMEOUT ? { source: 'system' as const } : {}),
      };
  }

  const status =
    validStatus(safeGet(thrown, 'status')) ?? validStatus(safeGet(thrown, 'statusCode'));
  if (status !== undefined) {
    const message = safeGet(thrown, 'message');
    const exposed =
      status < 500 &&
      safeGet(thrown, 'expose') === true &&
      typeof message === 'string' &&
      message.length <= MAX_EXPOSED_MESSAGE;
    return {
      ...base,
      status,
      code: status < 500 ? `HTTP_${status}` : ErrorCodes.INTERNAL,
      ...(exposed ? { exposedMessage: message } : {}),
    };
  }
  return { ...base, status: 500, code: ErrorCodes.INTERNAL };
}

function validStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599
    ? value
    : undefined;
}
