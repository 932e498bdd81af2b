import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';

/**
 * Thrown when a feature is created whose optional dependency is not installed (for example
 * `createIsolatedPool` without `piscina`). Its message names the package and the install command;
 * should one reach the error handler it is a plain 500, its message being for the developer.
 */
export class MissingDependencyError extends GuardError {
  /** The npm package to install. */
  readonly dependency: string;

  constructor(message: string, dependency: string, cause?: unknown) {
    super(message, { status: 500, code: ErrorCodes.MISSING_DEPENDENCY, expose: false, cause });
    this.dependency = dependency;
  }
}
