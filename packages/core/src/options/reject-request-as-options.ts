import { GuardConfigError } from '../errors/guard-config-error';

/**
 * Throws a configuration error when a middleware factory received a request (Express `req`) or a
 * Koa context as its options: the sign of `app.use(rateLimit)` written for `app.use(rateLimit())`.
 * The framework then calls the factory on each request, so this can only fire on the first one;
 * its message says exactly what to change.
 */
export function rejectRequestAsOptions(factory: string, options: unknown): void {
  if (typeof options !== 'object' || options === null) return;
  const value = options as Record<string, unknown>;
  const isRequest = 'socket' in value && 'headers' in value && 'method' in value;
  const isKoaContext = 'req' in value && 'res' in value && 'app' in value;
  if (isRequest || isKoaContext)
    throw new GuardConfigError(
      `${factory}: received a ${isRequest ? 'request' : 'Koa context'} as options: write app.use(${factory}()) instead of app.use(${factory})`,
      'options',
    );
}
