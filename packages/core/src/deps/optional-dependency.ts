import { createRequire } from 'node:module';
import { MissingDependencyError } from '../errors/missing-dependency-error';

// Resolved from this package's own location (tsup's shim gives the CommonJS build its file URL), so
// a peer the app installed is found the way Node finds any dependency of this package.
const requireHere = createRequire(import.meta.url);

/** Whether `error` says that `name` itself (not one of its own imports) could not be found. */
function isNotFound(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === 'MODULE_NOT_FOUND' &&
    typeof message === 'string' &&
    message.startsWith(`Cannot find module '${name}'`)
  );
}

/**
 * Loads an optional peer dependency synchronously, when the feature that needs it is created.
 * @param name - the package, such as `piscina`
 * @param feature - what needs it, for the message, such as `createIsolatedPool`
 * @throws MissingDependencyError (`ERR_GUARD_MISSING_DEPENDENCY`) naming the install command
 */
export function requireOptional<TModule>(name: string, feature: string): TModule {
  try {
    return requireHere(name) as TModule;
  } catch (error) {
    if (!isNotFound(error, name)) throw error;
    throw new MissingDependencyError(
      `${feature} needs the optional dependency "${name}", which is not installed: ` +
        `npm install ${name}`,
      name,
      error,
    );
  }
}
