import { ErrorCodes } from './codes';
import { GUARD_ERROR_BRAND } from './guard-error';

/**
 * Thrown when a middleware or policy is created with invalid options (never on a request).
 * A `TypeError`, as the contract promises, with `code` `ERR_GUARD_INVALID_OPTION`; branded like
 * every guard error, so `isGuardError()` recognises it. Should one ever reach the error handler
 * (a middleware built inside a request), it is a plain 500: its message is for the developer.
 */
export class GuardConfigError extends TypeError {
  readonly [GUARD_ERROR_BRAND] = true;
  readonly code = ErrorCodes.INVALID_OPTION;
  readonly status = 500;
  readonly expose = false;
  /** The option path at fault, such as `rateLimit.windowMs`. */
  readonly option: string;

  constructor(message: string, option: string) {
    super(message);
    this.name = 'GuardConfigError';
    this.option = option;
  }
}
