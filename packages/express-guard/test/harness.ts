import { createServer } from 'node:http';
import type { Server, ServerOptions } from 'node:http';
import { Readable } from 'node:stream';
import express from 'express';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Harness, SpecApp, SpecIO } from 'guard-spec';
import * as kit from '../src/index';
import { GuardState } from '@guard-suite/core/internal';
import type { Criticality } from '../src/index';

type GuardedRequest = express.Request & { upload?: unknown };

/** Runs the shared behaviour spec on Express 5: routes, then notFound(), then errorHandler() last. */
export const expressHarness: Harness = {
  name: 'express',
  kit,
  mount(spec: SpecApp): Server {
    const app = express();
    if (spec.trustProxy !== undefined) app.set('trust proxy', spec.trustProxy);
    const errorHandler = (spec.errorHandlerMiddleware ??
      (spec.errorHandler === false ? undefined : kit.errorHandler(spec.errorHandler ?? {}))) as
      ErrorRequestHandler | undefined;
    if (errorHandler && spec.errorHandlerFirst) app.use(errorHandler);
    const { classify } = spec;
    if (classify)
      app.use((req, res, next) => {
        const state = (req.guard ??= new GuardState(res));
        const criticality = classify(req);
        if (criticality !== undefined) state.criticality = criticality as Criticality;
        next();
      });
    for (const middleware of spec.use ?? []) app.use(middleware as RequestHandler);
    for (const route of spec.routes) {
      app[route.method](
        route.path,
        ...((route.use ?? []) as RequestHandler[]),
        async (req: GuardedRequest, res) => {
          const io: SpecIO = {
            req,
            get guard() {
              return req.guard;
            },
            get upload() {
              return req.upload;
            },
            get body(): unknown {
              return req.body as unknown;
            },
            setHeader: (name, value) => res.setHeader(name, value),
            raw: () => res,
            native: res,
          };
          const value = await route.handler(io);
          if (res.headersSent || res.writableEnded) return;
          if (value instanceof Readable) {
            res.type('application/octet-stream');
            value.pipe(res);
          } else if (value === undefined) res.status(204).end();
          else res.json(value);
        },
      );
    }
    if (errorHandler) {
      app.use(kit.notFound(spec.errorHandler || {}));
      spec.onErrorHandler?.(errorHandler as unknown as { close(): void });
      if (!spec.errorHandlerFirst) app.use(errorHandler);
    }
    return createServer(serverOptions(spec), app);
  },
};

function serverOptions(spec: SpecApp): ServerOptions {
  return spec.maxHeaderSize === undefined ? {} : { maxHeaderSize: spec.maxHeaderSize };
}
