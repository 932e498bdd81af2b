import type { Middleware } from 'koa';
import { createJsonBodyParser } from '@guard-suite/core/internal';
import type { JsonBodyOptions } from '@guard-suite/core';

/**
 * Parses a JSON body into `ctx.request.body` under size, depth and key limits, refusing prototype
 * poisoning (400), other content types (415) and oversized bodies (413).
 * @example router.post('/items', jsonBody({ maxBytes: 10_240 }), handler);
 */
export function jsonBody(options?: JsonBodyOptions): Middleware {
  const parser = createJsonBodyParser(options, 'jsonBody');
  return async function jsonBodyMiddleware(ctx, next) {
    const request = ctx.request as { body?: unknown };
    // Another parser may already have read the body.
    if (request.body === undefined) request.body = await parser.parse(ctx.req, ctx.res);
    await next();
  };
}
