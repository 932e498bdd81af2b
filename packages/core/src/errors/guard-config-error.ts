import { ErrorCodes } from './codes';

/**
 * Thrown when a middleware or policy is created with invalid options (never on a request).
 * A `TypeError`, as the contract promises, with `code` `ERR_GUARD_INVALID_OPTION`.
 */
export class GuardConfigError extends TypeError {
  readonly code = ErrorCodes.INVALID_OPTION;
  /** The option path at fault, such as `rateLimit.windowMs`. */
  readonly option: string;

  constructor(message: string, option: string) {
    super(message);
    this.name = 'GuardConfigError';
    this.option = option;
  }
}
