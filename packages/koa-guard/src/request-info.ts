import type { Context } from 'koa';
import type { RequestInfo } from '@guard-suite/core/internal';

/** What the log line needs from a Koa context. */
export function requestInfo(ctx: Context): RequestInfo {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return {
    method: ctx.method,
    url: ctx.originalUrl,
    route: typeof route === 'string' ? route : undefined,
    headers: ctx.headers,
    query: ctx.query,
    body: (ctx.request as { body?: unknown }).body,
    ip: safeIp(ctx),
  };
}

function safeIp(ctx: Context): string | undefined {
  try {
    return ctx.ip; // reads ctx.req.socket, which is gone once a body reader destroyed the request
  } catch {
    return undefined;
  }
}
