import { GuardConfigError } from '../errors/guard-config-error';
import { createUploadEngine } from './upload-engine';
import type { UploadEngine } from './upload-engine';
import type { UploadOptions } from './upload-options';
import type { UploadStatus } from './upload-status';

/** How a route takes files: `upload(u).single(field)` or `upload(u).array(field, max)`. */
export type UploadShape = 'single' | 'array';

/** What `upload(options)` returns in both adapters: route middleware factories and the status lookup. */
export interface UploadRoutes<TMiddleware> {
  /** Accepts exactly one file in `field`; the handler finds its record in `req.upload` / `ctx.state.upload`. */
  single(field: string): TMiddleware;
  /** Accepts 1 to `min(max, maxFiles)` files in `field`; the handler finds an array of records. */
  array(field: string, max: number): TMiddleware;
  /** The state of an upload by its id (the record's `id` / `uploadId`, or an error body's `uploadId`). */
  status(uploadId: string): UploadStatus;
}

/**
 * Builds `upload(options)` for an adapter: the engine is made (its options checked) once, each
 * route's arguments are checked when the route is built, and `route` turns the engine, the route's
 * shape, field and file limit into the framework's middleware.
 * @example createUploadRoutes(options, (engine, shape, field, maxFiles) => middlewareFor(...));
 */
export function createUploadRoutes<TMiddleware>(
  options: UploadOptions,
  route: (engine: UploadEngine, shape: UploadShape, field: string, maxFiles: number) => TMiddleware,
): UploadRoutes<TMiddleware> {
  const engine = createUploadEngine(options, 'upload');
  const { maxFiles } = engine.options;
  return {
    single: (field) =>
      route(engine, 'single', field, routeFileLimit('single', field, undefined, maxFiles)),
    array: (field, max) =>
      route(engine, 'array', field, routeFileLimit('array', field, max, maxFiles)),
    status: (uploadId) => engine.status(uploadId),
  };
}

export { isMultipart } from '../input/is-multipart';

/**
 * Checks a route's arguments when it is built and returns how many files it accepts:
 * 1 for `single`, `min(max, maxFiles)` for `array` (the contract's rule).
 */
export function routeFileLimit(
  shape: UploadShape,
  field: unknown,
  max: unknown,
  maxFiles: number,
): number {
  const factory = `upload().${shape}`;
  if (typeof field !== 'string' || field.length === 0)
    throw new GuardConfigError(
      `${factory}: "field" must be a non-empty string, received ${typeof field}`,
      'field',
    );
  if (shape === 'single') return 1;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max <= 0)
    throw new GuardConfigError(
      `${factory}: "max" must be a positive integer (files), received ${String(max)}`,
      'max',
    );
  return Math.min(max, maxFiles);
}

/** The files multer parsed for a route (`req.file` / `req.files`, or Koa's `ctx.file` / `ctx.files`), as a list. */
export function parsedFiles(shape: UploadShape, file: unknown, files: unknown): object[] {
  if (shape === 'single') return typeof file === 'object' && file !== null ? [file] : [];
  return Array.isArray(files) ? (files as object[]) : [];
}

/**
 * multer's options for a route accepting `maxFiles` files, the same for multer and @koa/multer:
 * the engine as storage, names judged exactly as sent (multer would otherwise strip directories and
 * decode latin1), the engine's limits and stream buffers.
 */
export function multerOptions(engine: UploadEngine, maxFiles: number) {
  return {
    storage: engine.storage,
    preservePath: true,
    defParamCharset: 'utf8',
    limits: engine.limits(maxFiles),
    ...engine.streamBuffers,
  };
}
