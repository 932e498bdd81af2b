import { ErrorCodes } from '../errors/codes';
import { isGuardError } from '../errors/guard-error';
import { safeGet } from '../logging/safe-get';
import { isRejectionReason } from '../telemetry/rejection';
import type { RejectionReason } from '../telemetry/rejection';
import type { TimeoutSource } from '../errors/timeout-error';
import { BODY_PARSER_ERRORS, SYSTEM_ERRORS } from './default-details';

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
}

const TIMEOUT_SOURCES: ReadonlySet<unknown> = new Set(['request', 'policy', 'pool', 'system']);

/** The longest exposed message the client gets; longer ones fall back to the generic detail. */
const MAX_EXPOSED_MESSAGE = 1024;

/**
 * Decides status, code and what may be shown for any thrown value: guard errors as they say;
 * Node system errors by `code`; body-parser errors by `type`; http-errors style errors by
 * `status`/`statusCode` (message kept only for an exposed 4xx); everything else a generic 500.
 */
export function classifyError(thrown: unknown): ErrorClassification {
  if (isGuardError(thrown)) {
    const retryAfterSeconds = safeGet(thrown, 'retryAfterSeconds');
    const headers = safeGet(thrown, 'headers');
    const type = safeGet(thrown, 'type');
    const extensions = safeGet(thrown, 'extensions');
    const message = safeGet(thrown, 'message');
    const expose = safeGet(thrown, 'expose') !== false;
    const status = validStatus(safeGet(thrown, 'status')) ?? 500;
    const reason = safeGet(thrown, 'reason');
    const source = safeGet(thrown, 'source');
    return {
      status,
      code: thrown.code,
      ...(expose && typeof message === 'string' ? { exposedMessage: message } : {}),
      isGuardMessage: true,
      ...(typeof retryAfterSeconds === 'number' && Number.isFinite(retryAfterSeconds)
        ? { retryAfterSeconds }
        : {}),
      headers: isPlainRecord(headers) ? stringRecord(headers) : {},
      type: typeof type === 'string' ? type : 'about:blank',
      extensions: isPlainRecord(extensions) ? { ...extensions } : {},
      ...(isRejectionReason(reason) ? { reason } : {}),
      ...(TIMEOUT_SOURCES.has(source) ? { source: source as TimeoutSource } : {}),
    };
  }

  const base = { isGuardMessage: false, headers: {}, type: 'about:blank', extensions: {} };
  const bodyParserType = safeGet(thrown, 'type');
  if (typeof bodyParserType === 'string' && Object.hasOwn(BODY_PARSER_ERRORS, bodyParserType)) {
    const known = BODY_PARSER_ERRORS[bodyParserType];
    if (known) return { ...base, status: known.status, code: known.code };
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

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item;
  return out;
}
