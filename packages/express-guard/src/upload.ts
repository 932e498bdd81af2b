import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
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
export type Upload = UploadRoutes<RequestHandler>;

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
  return createUploadRoutes(options, (engine, shape, field, maxFiles) => {
    const parser = multer(multerOptions(engine, maxFiles));
    const parse = shape === 'single' ? parser.single(field) : parser.array(field, maxFiles);
    return uploadMiddleware(engine, parse, shape);
  });
}

function uploadMiddleware(
  engine: UploadEngine,
  parse: RequestHandler,
  shape: UploadShape,
): RequestHandler {
  return function uploadMiddleware(req: Request, res: Response, next) {
    // req.guard is typed as set, but upload() may run on a route no guard section covers.
    const session = engine.begin(req, (req.guard as GuardState | undefined)?.signal);
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
