import type { RequestHandler } from 'express';
import { createJsonBodyParser } from '@guard-suite/core/internal';
import type { JsonBodyOptions } from '@guard-suite/core';
import { appSetupChecker } from './app-setup-check';

/**
 * Parses a JSON body into `req.body` under size, depth and key limits, refusing prototype
 * poisoning (400), other content types (415) and oversized bodies (413).
 * @example app.post('/items', jsonBody({ maxBytes: 10_240 }), handler);
 */
export function jsonBody(options?: JsonBodyOptions): RequestHandler {
  const parser = createJsonBodyParser(options, 'jsonBody');
  const checkApp = appSetupChecker();
  return function jsonBodyMiddleware(req, res, next) {
    checkApp(req);
    if (req.body !== undefined) {
      next(); // another parser already read the body
      return;
    }
    parser.parse(req, res).then((body) => {
      req.body = body;
      next();
    }, next);
  };
}
