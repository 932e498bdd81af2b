import { createServer } from 'node:http';
import type { Server, ServerOptions } from 'node:http';
import Koa from 'koa';
import type { Middleware } from 'koa';
import Router from '@koa/router';
import type { Harness, SpecApp, SpecIO } from 'guard-spec';
import * as kit from '../src/index';
import type { Criticality } from '../src/index';
import { GuardState } from '@guard-suite/core/internal';

/** Runs the shared behaviour spec on Koa 3: errorHandler() outermost, then the app middleware, then routes. */
export const koaHarness: Harness = {
  name: 'koa',
  kit,
  mount(spec: SpecApp): Server {
    const app = new Koa();
    if (spec.trustProxy !== undefined && spec.trustProxy !== false) {
      app.proxy = true;
      if (typeof spec.trustProxy === 'number') app.maxIpsCount = spec.trustProxy;
    }
    const errorHandler =
      spec.errorHandlerMiddleware ??
      (spec.errorHandler === false ? undefined : kit.errorHandler(spec.errorHandler ?? {}));
    // Koa's error handler is outermost, so `errorHandlerFirst` changes nothing here.
    if (errorHandler) {
      spec.onErrorHandler?.(errorHandler as unknown as { close(): void });
      app.use(errorHandler as Middleware);
    }
    const { classify } = spec;
    if (classify)
      app.use((ctx, next) => {
        const state = ctx.state as { guard?: GuardState };
        const guardState = (state.guard ??= new GuardState(ctx.res));
        const criticality = classify(ctx.req);
        if (criticality !== undefined) guardState.criticality = criticality as Criticality;
        return next();
      });
    for (const middleware of spec.use ?? []) app.use(middleware as Middleware);
    const router = new Router();
    for (const route of spec.routes) {
      const handle: Middleware = async (ctx) => {
        const io: SpecIO = {
          req: ctx.req,
          get guard() {
            return (ctx.state as { guard?: SpecIO['guard'] }).guard;
          },
          get upload(): unknown {
            return (ctx.state as { upload?: unknown }).upload;
          },
          get body(): unknown {
            return (ctx.request as { body?: unknown }).body;
          },
          setHeader: (name, value) => ctx.set(name, value),
          raw: () => {
            ctx.respond = false;
            return ctx.res;
          },
          native: ctx,
        };
        const value = await route.handler(io);
        if (ctx.respond === false) return;
        if (value === undefined) {
          if (ctx.body == null) ctx.status = 204;
        } else ctx.body = value;
      };
      router[route.method](route.path, ...((route.use ?? []) as Middleware[]), handle);
    }
    app.use(router.routes());
    app.use(router.allowedMethods());
    // Koa's own listener, as app.listen() installs it (guard() recognises it to shed before dispatch).
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Koa handles its own rejections
    return createServer(serverOptions(spec), app.callback());
  },
};

function serverOptions(spec: SpecApp): ServerOptions {
  return spec.maxHeaderSize === undefined ? {} : { maxHeaderSize: spec.maxHeaderSize };
}
