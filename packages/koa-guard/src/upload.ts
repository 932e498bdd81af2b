import type { IncomingMessage } from 'node:http';
import type { Middleware, ParameterizedContext } from 'koa';
import koaMulter from '@koa/multer';
import {
  closeAfterAnswer,
  createUploadEngine,
  isMultipart,
  multerOptions,
  parsedFiles,
  routeFileLimit,
  UnsupportedMediaTypeError,
} from 'guard-core';
import type {
  UploadEngine,
  UploadOptions,
  UploadRecord,
  UploadShape,
  UploadStatus,
} from 'guard-core';

/** What `upload(options)` returns: middleware factories plus the status lookup. */
export interface Upload {
  /** Accepts exactly one file in `field`; the handler finds its record in `ctx.state.upload`. */
  single(field: string): Middleware;
  /** Accepts 1 to `min(max, maxFiles)` files in `field`; `ctx.state.upload` is an array of records. */
  array(field: string, max: number): Middleware;
  /** The state of an upload by its id (the record's `id` / `uploadId`, or an error body's `uploadId`). */
  status(uploadId: string): UploadStatus;
}

type UploadState = {
  upload?: UploadRecord | UploadRecord[];
  guard?: { signal?: AbortSignal };
};

type KoaMulterOptions = Parameters<typeof koaMulter>[0];

/**
 * Secure uploads on @koa/multer: each file is judged by name before a byte is written, streamed once
 * into a 0600 temporary file (counted, hashed, sniffed, scanned), and only moved into `dir` when the
 * whole request passed; any failure leaves nothing behind and throws the contract's error carrying
 * the request's `uploadId`.
 * @example
 * const uploads = upload({ dir: './data/uploads' });
 * router.post('/uploads', uploads.single('file'), (ctx) => { ctx.status = 201; ctx.body = ctx.state.upload; });
 */
export function upload(options: UploadOptions): Upload {
  const engine = createUploadEngine(options, 'upload');
  const parser = (maxFiles: number) =>
    koaMulter(multerOptions(engine, maxFiles) as unknown as KoaMulterOptions);
  return {
    single(field) {
      routeFileLimit('single', field, undefined, engine.options.maxFiles);
      return uploadMiddleware(engine, parser(1).single(field) as Middleware, 'single');
    },
    array(field, max) {
      const limit = routeFileLimit('array', field, max, engine.options.maxFiles);
      return uploadMiddleware(engine, parser(limit).array(field, limit) as Middleware, 'array');
    },
    status: (uploadId) => engine.status(uploadId),
  };
}

function uploadMiddleware(engine: UploadEngine, parse: Middleware, shape: UploadShape): Middleware {
  return async function uploadMiddleware(ctx: ParameterizedContext<UploadState>, next) {
    const req: IncomingMessage = ctx.req;
    const session = engine.begin(req, ctx.state.guard?.signal);
    if (!isMultipart(req.headers['content-type']))
      throw await session.fail(
        new UnsupportedMediaTypeError('Expected a multipart/form-data body'),
      );
    // A refused file is answered now: multer would first read the rest of the body, all 2 GB of it.
    const refused = new Promise<{ error: unknown }>((resolve) =>
      session.onRefused((error) => {
        closeAfterAnswer(req, ctx.res);
        resolve({ error });
      }),
    );
    const parsed = (parse(ctx, () => Promise.resolve()) as Promise<unknown>).then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    const outcome = await Promise.race([parsed, refused]);
    if (outcome) throw await session.fail(outcome.error);
    const { file, files } = ctx as unknown as { file?: unknown; files?: unknown };
    const records = await session.commit(parsedFiles(shape, file, files), shape);
    ctx.state.upload = shape === 'single' ? (records[0] as UploadRecord) : records;
    await next();
  };
}
