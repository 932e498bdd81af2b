import { GuardConfigError } from '../errors/guard-config-error';
import { withoutStack } from '../errors/without-stack';

/**
 * What a value is when a framework passed it where options belong: an HTTP request (Express's `req`,
 * Node's IncomingMessage) or a Koa context; `undefined` for anything else.
 */
export function requestKind(value: unknown): 'request' | 'Koa context' | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    // A Koa context also answers to socket, headers and method (it delegates them): test it first.
    if ('req' in value && 'res' in value && 'app' in value) return 'Koa context';
    if ('socket' in value && 'headers' in value && 'method' in value) return 'request';
  } catch {
    // A Proxy whose `has` trap throws is no request.
  }
  return undefined;
}

/**
 * Throws a configuration error when a middleware factory received a request (Express `req`) or a
 * Koa context as its options: the sign of `app.use(guard)` written for `app.use(guard())`. The
 * framework then calls the factory on each request, so this can only fire on the first one; its
 * message says exactly what to change, and it carries no stack: its frames would only point into
 * the framework, and a default error page that shows stacks shows this one line instead.
 */
export function rejectRequestAsOptions(factory: string, options: unknown): void {
  const kind = requestKind(options);
  if (kind === undefined) return;
  throw withoutStack(
    () =>
      new GuardConfigError(
        `${factory}: received a ${kind} as options, so it was mounted without being called: call it: app.use(${factory}()) instead of app.use(${factory})`,
        'options',
      ),
  );
}
