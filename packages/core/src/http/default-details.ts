import { ErrorCodes } from '../errors/codes';
import type { ErrorCode } from '../errors/codes';

/** The generic client message of each status (CONTRACT.md, "What the client sees"). */
export const DEFAULT_DETAILS: Readonly<Record<number, string>> = {
  400: 'Invalid input provided',
  403: 'Access denied',
  404: 'Requested resource not found',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'An unexpected error occurred',
  503: 'Service temporarily unavailable',
  507: 'Insufficient storage',
};

/** Node system error codes that say something the client may know, by `err.code`. */
export const SYSTEM_ERRORS: Readonly<
  Record<string, { status: number; code: ErrorCode; detail?: string }>
> = {
  ENOENT: { status: 404, code: ErrorCodes.NOT_FOUND },
  EACCES: { status: 403, code: ErrorCodes.FORBIDDEN },
  EPERM: { status: 403, code: ErrorCodes.FORBIDDEN },
  ECONNREFUSED: { status: 503, code: ErrorCodes.SERVICE_UNAVAILABLE },
  ECONNRESET: { status: 503, code: ErrorCodes.SERVICE_UNAVAILABLE },
  EAI_AGAIN: { status: 503, code: ErrorCodes.SERVICE_UNAVAILABLE },
  ETIMEDOUT: { status: 503, code: ErrorCodes.TIMEOUT, detail: 'Operation timed out' },
};

/**
 * body-parser / raw-body / co-body error types, by `err.type`. Their messages can echo the input
 * (a JSON parse error quotes the body), so the client gets the table's message instead.
 */
export const BODY_PARSER_ERRORS: Readonly<
  Record<string, { status: number; code: ErrorCode; limitName?: string; isBytes?: boolean }>
> = {
  'entity.too.large': {
    status: 413,
    code: ErrorCodes.PAYLOAD_TOO_LARGE,
    limitName: 'body parser limit',
    isBytes: true,
  },
  'parameters.too.many': {
    status: 413,
    code: ErrorCodes.PAYLOAD_TOO_LARGE,
    limitName: 'body parser parameterLimit',
  },
  'entity.parse.failed': { status: 400, code: ErrorCodes.INVALID_INPUT },
  'entity.verify.failed': { status: 400, code: ErrorCodes.INVALID_INPUT },
  'request.size.invalid': { status: 400, code: ErrorCodes.INVALID_INPUT },
  'request.aborted': { status: 400, code: ErrorCodes.INVALID_INPUT },
  'encoding.unsupported': { status: 415, code: ErrorCodes.UNSUPPORTED_MEDIA_TYPE },
  'charset.unsupported': { status: 415, code: ErrorCodes.UNSUPPORTED_MEDIA_TYPE },
};
