import type { IncomingMessage } from 'node:http';
import type { Context, Middleware } from 'koa';
import koaMulter from '@koa/multer';
import { UnsupportedMediaTypeError } from '@guard-suite/core';
import {
  closeAfterAnswer,
  createUploadRoutes,
  isMultipart,
  multerOptions,
  parsedFiles,
} from '@guard-suite/core/internal';
import type { GuardState, UploadOptions, UploadRecord } from '@guard-suite/core';
import type { UploadRoutes } from '@guard-suite/core';
import type { UploadEngine, UploadShape } from '@guard-suite/core/internal';

/** What `upload(options)` returns: `single(field)`, `array(field, max)` and `status(uploadId)`. */
export type Upload = UploadRoutes<Middleware>;

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
  return createUploadRoutes(options, (engine, shape, field, maxFiles) => {
    const parser = koaMulter(multerOptions(engine, maxFiles) as unknown as KoaMulterOptions);
    const parse = shape === 'single' ? parser.single(field) : parser.array(field, maxFiles);
    return uploadMiddleware(engine, parse as Middleware, shape);
  });
}

function uploadMiddleware(engine: UploadEngine, parse: Middleware, shape: UploadShape): Middleware {
  return async function uploadMiddleware(ctx: Context, next) {
    const req: IncomingMessage = ctx.req;
    // ctx.state.guard is typed as set, but upload() may run on a route no guard section covers.
    const session = engine.begin(req, (ctx.state.guard as GuardState | undefined)?.signal);
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
