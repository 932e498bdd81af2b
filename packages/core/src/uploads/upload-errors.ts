import { ErrorCodes } from '../errors/codes';
import { AbortedError } from '../errors/aborted-error';
import { GuardError, isGuardError } from '../errors/guard-error';
import type { GuardErrorOptions } from '../errors/guard-error';
import { InsufficientStorageError } from '../errors/insufficient-storage-error';
import { InvalidInputError } from '../errors/invalid-input-error';
import { PayloadTooLargeError } from '../errors/payload-too-large-error';
import { UnsupportedMediaTypeError } from '../errors/unsupported-media-type-error';
import { safeGet } from '../logging/safe-get';

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

// multer's limit codes: a count or size limit is 413; a file in the wrong field or a bad field name is 400.
const MULTER_CODES: Readonly<Record<string, { status: 400 | 413; message: string }>> = {
  LIMIT_PART_COUNT: { status: 413, message: 'Too many parts in the upload' },
  LIMIT_FILE_SIZE: { status: 413, message: 'The file is too large' },
  LIMIT_FILE_COUNT: { status: 413, message: 'Too many files in the upload' },
  LIMIT_FIELD_KEY: { status: 413, message: 'A field name is too long' },
  LIMIT_FIELD_VALUE: { status: 413, message: 'A field value is too large' },
  LIMIT_FIELD_COUNT: { status: 413, message: 'Too many fields in the upload' },
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

/**
 * Turns whatever stopped an upload (a guard error, a multer limit, a busboy parse error, a client that
 * went away, an I/O failure) into the contract's GuardError carrying the request's `uploadId`, so the
 * client can look the failure up with `status(uploadId)`.
 */
export function toUploadError(error: unknown, uploadId: string): GuardError {
  const extensions = { uploadId };
  if (isGuardError(error)) {
    if (safeGet(error, 'extensions') && error.extensions.uploadId === uploadId) return error;
    const Class = CLASSES[error.code];
    const options = { extensions: { ...error.extensions, ...extensions }, cause: error };
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
      return new PayloadTooLargeError(known.message, { extensions, cause: error });
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
