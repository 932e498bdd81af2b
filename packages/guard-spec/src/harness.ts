import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * The adapter module under test (express-guard or koa-guard). Both export the same names with the
 * same options, so a scenario builds its middleware from the kit without knowing the framework.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- middleware types differ per framework
export type GuardKit = Record<string, any>;

/** What a neutral route handler sees, whichever framework runs it. */
export interface SpecIO {
  readonly req: IncomingMessage;
  /** `req.guard` / `ctx.state.guard`. */
  readonly guard: { signal: AbortSignal; deadline: number; criticality: string } | undefined;
  /** `req.upload` / `ctx.state.upload`. */
  readonly upload: unknown;
  /** `req.body` / `ctx.request.body`. */
  readonly body: unknown;
  /** Sets a response header the framework's way (`res.setHeader` / `ctx.set`). */
  setHeader(name: string, value: string): void;
  /** Take over the raw response (Koa: `ctx.respond = false`), to stream or misbehave by hand. */
  raw(): ServerResponse;
  /**
   * The framework's own response object, for adapter helpers that take it (`sendStoredFile`): Express
   * `res`, Koa `ctx`. A Koa handler that set `ctx.body` through it and returns undefined keeps that body.
   */
  readonly native: unknown;
}

/**
 * A neutral handler: throw to fail; return a value to answer 200 JSON (undefined → 204), or a
 * Readable to stream it as the body (Express: `pipe(res)`; Koa: `ctx.body = readable`), unless the
 * handler took over the raw response.
 */
export type SpecHandler = (io: SpecIO) => unknown;

export interface SpecRoute {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  /** Route-level middleware built from the kit (for example `kit.rateLimit({...})`). */
  use?: unknown[];
  handler: SpecHandler;
}

export interface SpecApp {
  /** App-level middleware built from the kit, in order, after the Koa error handler / before routes. */
  use?: unknown[];
  routes: SpecRoute[];
  /** Options for `errorHandler()` (Express: last, with `notFound()` before it; Koa: first). `false` to leave it out. */
  errorHandler?: Record<string, unknown> | false;
  /** A ready middleware mounted where `errorHandler()` goes (to mount something else there, such as `errorHandler` not called). */
  errorHandlerMiddleware?: unknown;
  /** Mount the error handler before everything else, the Koa way, also in Express. */
  errorHandlerFirst?: boolean;
  /** Express `trust proxy` / Koa `app.proxy` (+ `maxIpsCount` when a number). */
  trustProxy?: boolean | number;
  /** node:http `maxHeaderSize` of the server, in bytes (Node's default is 16 KiB), e.g. to let a 100 KB URL reach the app. */
  maxHeaderSize?: number;
  /**
   * Sets each request's class (`req.guard.criticality` / `ctx.state.guard.criticality`) in a
   * middleware mounted before `use`. Stands in for `guard({ criticality })` until that option lands.
   */
  classify?: (req: IncomingMessage) => string | undefined;
  /** Receives the mounted `errorHandler()` (to `close()` it, which logs the pending refusal counts). */
  onErrorHandler?: (handler: { close(): void }) => void;
}

/** One framework under test. */
export interface Harness {
  readonly name: 'express' | 'koa';
  readonly kit: GuardKit;
  /** Builds the app and returns an http.Server (not yet listening; supertest listens on 127.0.0.1:0). */
  mount(app: SpecApp): Server;
}
