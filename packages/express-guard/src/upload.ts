import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
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
  /** Accepts exactly one file in `field`; the handler finds its record in `req.upload`. */
  single(field: string): RequestHandler;
  /** Accepts 1 to `min(max, maxFiles)` files in `field`; `req.upload` is an array of records. */
  array(field: string, max: number): RequestHandler;
  /** The state of an upload by its id (the record's `id` / `uploadId`, or an error body's `uploadId`). */
  status(uploadId: string): UploadStatus;
}

type UploadRequest = Request & {
  upload?: UploadRecord | UploadRecord[];
  guard?: { signal?: AbortSignal };
};

/**
 * Secure uploads on multer: each file is judged by name before a byte is written, streamed once into a
 * 0600 temporary file (counted, hashed, sniffed, scanned), and only moved into `dir` when the whole
 * request passed; any failure leaves nothing behind and answers with the contract's status and the
 * request's `uploadId`.
 * @example
 * const uploads = upload({ dir: './data/uploads', allowedExtensions: ['.pdf', '.png'] });
 * app.post('/uploads', uploads.single('file'), (req, res) => res.status(201).json(req.upload));
 */
export function upload(options: UploadOptions): Upload {
  const engine = createUploadEngine(options, 'upload');
  const parser = (maxFiles: number) => multer(multerOptions(engine, maxFiles));
  return {
    single(field) {
      routeFileLimit('single', field, undefined, engine.options.maxFiles);
      return uploadMiddleware(engine, parser(1).single(field), 'single');
    },
    array(field, max) {
      const limit = routeFileLimit('array', field, max, engine.options.maxFiles);
      return uploadMiddleware(engine, parser(limit).array(field, limit), 'array');
    },
    status: (uploadId) => engine.status(uploadId),
  };
}

function uploadMiddleware(
  engine: UploadEngine,
  parse: RequestHandler,
  shape: UploadShape,
): RequestHandler {
  return function uploadMiddleware(req: UploadRequest, res: Response, next) {
    const session = engine.begin(req, req.guard?.signal);
    let settled = false;
    const fail = (error: unknown) => void session.fail(error).then(next);
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      if (error) return fail(error);
      session.commit(parsedFiles(shape, req.file, req.files), shape).then((records) => {
        req.upload = shape === 'single' ? (records[0] as UploadRecord) : records;
        next();
      }, next);
    };
    if (!isMultipart(req.headers['content-type']))
      return settle(new UnsupportedMediaTypeError('Expected a multipart/form-data body'));
    // A refused file is answered now: multer would first read the rest of the body, all 2 GB of it.
    session.onRefused((error) => {
      closeAfterAnswer(req, res);
      settle(error);
    });
    void parse(req, res, (error?: unknown) => settle(error));
  };
}
