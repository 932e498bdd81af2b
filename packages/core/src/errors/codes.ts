/**
 * The stable machine-readable codes of every error the suite raises.
 * A code is never renamed or reused; docs/errors.md lists each one and a test keeps the two in step.
 */
export const ErrorCodes = {
  INVALID_OPTION: 'ERR_GUARD_INVALID_OPTION',
  RATE_LIMITED: 'ERR_GUARD_RATE_LIMITED',
  BUSY: 'ERR_GUARD_BUSY',
  TIMEOUT: 'ERR_GUARD_TIMEOUT',
  OVERLOADED: 'ERR_GUARD_OVERLOADED',
  CIRCUIT_OPEN: 'ERR_GUARD_CIRCUIT_OPEN',
  RESOURCE_LIMIT: 'ERR_GUARD_RESOURCE_LIMIT',
  PAYLOAD_TOO_LARGE: 'ERR_GUARD_PAYLOAD_TOO_LARGE',
  URI_TOO_LONG: 'ERR_GUARD_URI_TOO_LONG',
  INVALID_INPUT: 'ERR_GUARD_INVALID_INPUT',
  UNSUPPORTED_MEDIA_TYPE: 'ERR_GUARD_UNSUPPORTED_MEDIA_TYPE',
  INSUFFICIENT_STORAGE: 'ERR_GUARD_INSUFFICIENT_STORAGE',
  NOT_FOUND: 'ERR_GUARD_NOT_FOUND',
  FORBIDDEN: 'ERR_GUARD_FORBIDDEN',
  SERVICE_UNAVAILABLE: 'ERR_GUARD_SERVICE_UNAVAILABLE',
  ABORTED: 'ERR_GUARD_ABORTED',
  INTERNAL: 'ERR_GUARD_INTERNAL',
  // added by first-hour
  MISSING_DEPENDENCY: 'ERR_GUARD_MISSING_DEPENDENCY',
} as const;

/** Union of every stable error code. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Prefix shared by every code. Recognition of our errors relies on their brand, never on this prefix. */
export const ERROR_CODE_PREFIX = 'ERR_GUARD_';
