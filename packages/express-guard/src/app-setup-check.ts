import type { Request } from 'express';
import { WarningCodes } from '@guard-suite/core';
import type { GuardLogger } from '@guard-suite/core';
import { createDefaultLogger } from '@guard-suite/core/internal';
import { appLayers, isErrorHandler } from './app-error-handler';
import type { RouterLayer } from './app-error-handler';

/** Apps already checked: each is checked once, on the first request one of our middleware sees. */
const checkedApps = new WeakSet<object>();

/** How many routes a warning names at most. */
const MAX_NAMED = 5;
/** How deep mounted routers are searched for async handlers. */
const MAX_ROUTER_DEPTH = 4;

/**
 * Checks, once per app and on the first request, how the app mounts what Express cannot check for
 * us (issue 14 #5), and logs a coded warning naming the fix for each problem found:
 * - `errorHandler()` mounted before other middleware or routes (the Koa habit): errors raised after
 *   it skip it, and Express's default handler answers them, with the stack outside production;
 * - Express 4: an async handler not wrapped in `asyncHandler()`: Express 4 ignores the promise, and
 *   its rejection crashes the process.
 * Never throws: a check that cannot read the app says nothing.
 */
export function checkAppSetup(req: Request, logger: GuardLogger | undefined): void {
  const app = req.app as object | undefined;
  if (!app || checkedApps.has(app)) return;
  checkedApps.add(app);
  try {
    const layers = appLayers(app);
    const warnings = [misplacedErrorHandler(layers), unwrappedAsyncHandlers(app, layers)];
    for (const warning of warnings)
      if (warning) (logger ?? createDefaultLogger()).warn(warning.message, { code: warning.code });
  } catch {
    // An app we cannot read is an app we say nothing about.
  }
}

/**
 * `checkAppSetup` for one middleware: the first request it sees triggers the check, later ones cost
 * one boolean test.
 */
export function appSetupChecker(logger?: GuardLogger): (req: Request) => void {
  let isChecked = false;
  return (req) => {
    if (isChecked) return;
    isChecked = true;
    checkAppSetup(req, logger);
  };
}

interface Warning {
  code: string;
  message: string;
}

function misplacedErrorHandler(layers: readonly RouterLayer[]): Warning | undefined {
  const at = layers.findLastIndex((layer) => isErrorHandler(layer.handle));
  if (at === -1) return undefined;
  // Error handlers (four parameters) after it are fine; anything else raises errors it never sees.
  const after = layers.slice(at + 1).filter((layer) => !isErrorMiddleware(layer.handle)).length;
  if (after === 0) return undefined;
  return {
    code: WarningCodes.ERROR_HANDLER_MISPLACED,
    message: `errorHandler() is mounted before ${after} other middleware or route(s): errors they raise never reach it, and Express's default handler answers them (showing the stack outside production): mount errorHandler() after your routes in Express (last, after notFound())`,
  };
}

function unwrappedAsyncHandlers(app: object, layers: readonly RouterLayer[]): Warning | undefined {
  // Express 5 catches a rejected promise itself; only Express 4 keeps its router in `_router`.
  if (!('_router' in app)) return undefined;
  const found: string[] = [];
  collectAsync(layers, '', found, 0);
  if (found.length === 0) return undefined;
  const named = found.slice(0, MAX_NAMED).join(', ');
  const more = found.length > MAX_NAMED ? ` and ${found.length - MAX_NAMED} more` : '';
  return {
    code: WarningCodes.ASYNC_HANDLER_UNWRAPPED,
    message: `Express 4 does not catch the rejection of an async handler, and one crashes the process: wrap each in asyncHandler(), as in app.get(path, asyncHandler(async (req, res) => …)) (unwrapped: ${named}${more})`,
  };
}

function collectAsync(
  layers: readonly RouterLayer[],
  prefix: string,
  found: string[],
  depth: number,
): void {
  for (const layer of layers) {
    const route = layer.route as { path?: unknown; stack?: unknown } | undefined;
    if (route && Array.isArray(route.stack)) {
      for (const inner of route.stack as (RouterLayer & { method?: unknown })[]) {
        if (!isAsyncFunction(inner.handle)) continue;
        const method = typeof inner.method === 'string' ? inner.method.toUpperCase() : 'ALL';
        found.push(`${method} ${prefix}${String(route.path)}`);
      }
    } else if (isAsyncFunction(layer.handle)) {
      found.push(`middleware ${layer.handle.name || '(anonymous)'}`);
    } else if (depth < MAX_ROUTER_DEPTH) {
      const nested = (layer.handle as { stack?: unknown } | undefined)?.stack;
      if (Array.isArray(nested)) collectAsync(nested as RouterLayer[], prefix, found, depth + 1);
    }
  }
}

function isAsyncFunction(value: unknown): value is (...args: unknown[]) => unknown {
  return typeof value === 'function' && value.constructor.name === 'AsyncFunction';
}

function isErrorMiddleware(value: unknown): boolean {
  return typeof value === 'function' && value.length === 4;
}
