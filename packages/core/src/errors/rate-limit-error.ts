import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** Problem type of draft-ietf-httpapi-ratelimit-headers for a 429. */
export const QUOTA_EXCEEDED_TYPE = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

/** The client is over its rate limit; carries `retryAfterSeconds` and the RateLimit headers. Status 429, code `ERR_GUARD_RATE_LIMITED`. */
export class RateLimitError extends GuardError {
  constructor(
    message = 'Too many requests',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, {
      reason: RejectionReasons.LIMIT_EXCEEDED,
      type: QUOTA_EXCEEDED_TYPE,
      ...options,
      status: 429,
      code: ErrorCodes.RATE_LIMITED,
    });
  }
}
