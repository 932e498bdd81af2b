import { ErrorCodes } from '../errors/codes';
import { safeGet } from '../logging/safe-get';
import type { ErrorReporter } from '../http/error-reporter';

/** Per app (Express `app`, Koa `app`): the error reporter that answered one of its shed refusals. */
const answerers = new WeakMap<object, ErrorReporter>();

/**
 * Notes that `reporter` (an `errorHandler()`) answered `thrown` for `app`, when `thrown` is a shed
 * refusal: pre-dispatch shedding then answers that app's refusals exactly as this handler would.
 * A refusal no `errorHandler()` ever answered (the app has its own handler) is never pre-dispatched.
 */
export function noteShedAnswer(app: object, reporter: ErrorReporter, thrown: unknown): void {
  if (safeGet(thrown, 'code') === ErrorCodes.OVERLOADED && !answerers.has(app))
    answerers.set(app, reporter);
}

/** The error reporter that answers `app`'s shed refusals, once one was answered. */
export function shedAnswererOf(app: object): ErrorReporter | undefined {
  return answerers.get(app);
}
