import { ErrorCodes } from '../errors/codes';
import { AbortedError } from '../errors/aborted-error';
import { GuardError, isGuardError } from '../errors/guard-error';
import type { GuardErrorOptions } from '../errors/guard-error';
import { InsufficientStorageError } from '../errors/insufficient-storage-error';
import { InvalidInputError } from '../errors/invalid-input-error';
import { PayloadTooLargeError } from '../errors/payload-too-large-error';
import { UnsupportedMediaTypeError } from '../errors/unsupported-media-type-error';
import { safeGet } from '../logging/safe-get';
import { MAX_FIELD_BYTES, MAX_FIELD_NAME_BYTES } from './upload-limits';
import type { ResolvedUploadOptions } from './upload-options';

type Rebuild = new (
  message: string,
  options: Omit<GuardErrorOptions, 'status' | 'code'>,
) => GuardError;

// Guard errors are immutable, so adding the uploadId means building the same class again.
const CLASSES: Readonly<Record<string, Rebuild>> = {
  [ErrorCodes.INVALID_INPUT]: InvalidInputError,
  [ErrorCodes.PAYLOAD_TOO_LARGE]: PayloadTooLargeError,
  [ErrorCodes.UNSUPPORTED_MEDIA_TYPE]: UnsupportedMediaTypeError,
  [ErrorCodes.INSUFFICIENT_STORAGE]: InsufficientStorageError,
  [ErrorCodes.ABORTED]: AbortedError,
};

/** The upload limits a 413 can name. */
export type UploadLimits = Pick<ResolvedUploadOptions, 'maxFileBytes' | 'maxFields'>;

/** What a multer limit code says: a size limit names its bytes to the client, a count only in the log. */
interface LimitCode {
  status: 413;
  message: string | ((limits: UploadLimits) => string);
  limitName: string;
  limit?: (limits: UploadLimits) => number;
}

// multer's limit codes: a count or size limit is 413; a file in the wrong field or a bad field name is 400.
const MULTER_CODES: Readonly<Record<string, LimitCode | { status: 400; message: string }>> = {
  LIMIT_PART_COUNT: {
    status: 413,
    message: 'Too many parts in the upload',
    limitName: 'upload parts (maxFiles + maxFields)',
  },
  LIMIT_FILE_SIZE: {
    status: 413,
    message: ({ maxFileBytes }) => `The file is larger than ${maxFileBytes} bytes`,
    limitName: 'upload.maxFileBytes',
    limit: ({ maxFileBytes }) => maxFileBytes,
  },
  LIMIT_FILE_COUNT: {
    status: 413,
    message: 'Too many files in the upload',
    limitName: 'upload.maxFiles',
  },
  LIMIT_FIELD_KEY: {
    status: 413,
    message: `A field name is longer than ${MAX_FIELD_NAME_BYTES} bytes`,
    limitName: 'upload field name',
    limit: () => MAX_FIELD_NAME_BYTES,
  },
  LIMIT_FIELD_VALUE: {
    status: 413,
    message: `A field value is larger than ${MAX_FIELD_BYTES} bytes`,
    limitName: 'upload field value',
    limit: () => MAX_FIELD_BYTES,
  },
  LIMIT_FIELD_COUNT: {
    status: 413,
    message: 'Too many fields in the upload',
    limitName: 'upload.maxFields',
    limit: ({ maxFields }) => maxFields,
  },
  LIMIT_UNEXPECTED_FILE: { status: 400, message: 'A file was sent in an unexpected field' },
  LIMIT_FIELD_NESTING: { status: 400, message: 'A field name is nested too deeply' },
  LIMIT_FIELD_ARRAY_INDEX: { status: 400, message: 'A field name has too large an index' },
  MISSING_FIELD_NAME: { status: 400, message: 'A part has no field name' },
  INVALID_FIELD_NAME: { status: 400, message: 'A field name is invalid' },
};

// busboy reports a broken multipart body with plain Errors; their messages are its own, stable text.
const MALFORMED_MULTIPART =
  /^(?:Malformed|Unexpected end of|Multipart: |Unsupported content type|Missing Content-Type|Part terminated early)/;
const CLIENT_GONE = /^Request (?:aborted|closed)$/;
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);
/** The upload defaults, for a caller that names no limits. */
const DEFAULT_LIMITS: UploadLimits = { maxFileBytes: 5_242_880, maxFields: 20 };

/**
 * Turns whatever stopped an upload (a guard error, a multer limit, a busboy parse error, a client that
 * went away, an I/O failure) into the contract's GuardError carrying the request's `uploadId`, so the
 * client can look the failure up with `status(uploadId)`.
 */
export function toUploadError(
  error: unknown,
  uploadId: string,
  limits: UploadLimits = DEFAULT_LIMITS,
): GuardError {
  const extensions = { uploadId };
  if (isGuardError(error)) {
    if (safeGet(error, 'extensions') && error.extensions.uploadId === uploadId) return error;
    const Class = CLASSES[error.code];
    const limitName = safeGet(error, 'limitName');
    const limit = safeGet(error, 'limit');
    const options = {
      extensions: { ...error.extensions, ...extensions },
      cause: error,
      // A 413's limit survives the rebuild (PayloadTooLargeError reads these; other classes drop them).
      ...(typeof limitName === 'string' ? { limitName } : {}),
      ...(typeof limit === 'number' ? { limit } : {}),
    };
    return Class
      ? new Class(error.message, options)
      : new GuardError(error.message, {
          ...options,
          status: error.status,
          code: error.code,
          expose: error.expose,
          type: error.type,
          headers: error.headers,
          ...(error.retryAfterSeconds === undefined
            ? {}
            : { retryAfterSeconds: error.retryAfterSeconds }),
        });
  }
  const name = safeGet(error, 'name');
  const code = safeGet(error, 'code');
  const message = safeGet(error, 'message');
  if (name === 'MulterError' && typeof code === 'string' && Object.hasOwn(MULTER_CODES, code)) {
    const known = MULTER_CODES[code];
    if (known?.status === 413)
      return new PayloadTooLargeError(
        typeof known.message === 'string' ? known.message : known.message(limits),
        {
          extensions,
          cause: error,
          limitName: known.limitName,
          ...(known.limit ? { limit: known.limit(limits) } : {}),
        },
      );
    if (known) return new InvalidInputError(known.message, { extensions, cause: error });
  }
  if (typeof message === 'string' && MALFORMED_MULTIPART.test(message))
    return new InvalidInputError('Malformed multipart body', { extensions, cause: error });
  if ((typeof message === 'string' && CLIENT_GONE.test(message)) || code === 'ECONNRESET')
    return new AbortedError('The client aborted the upload', { extensions, cause: error });
  if (typeof code === 'string' && NO_SPACE.has(code))
    return new InsufficientStorageError('Insufficient storage', { extensions, cause: error });
  return new GuardError('An unexpected error occurred', {
    status: 500,
    code: ErrorCodes.INTERNAL,
    expose: false,
    extensions,
    cause: error,
  });
}
