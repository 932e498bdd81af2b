// One server for bench/error-handler.mjs: `<express|koa> <bare|guarded>`, GET /ok and GET /boom.
import express from 'express';
import Koa from 'koa';
import Router from '@koa/router';
import * as expressGuard from '@guard-suite/express-guard';
import * as koaGuard from '@guard-suite/koa-guard';
import { reportReady } from './_ready.mjs';

const [framework, variant] = process.argv.slice(2);
const guarded = variant === 'guarded';
let listener;

if (framework === 'express') {
  const app = express();
  app.get('/ok', (_req, res) => res.json({ ok: true }));
  app.get('/boom', () => {
    throw new Error('handler failed at /srv/app/handler.js');
  });
  if (guarded) {
    app.use(expressGuard.notFound());
    app.use(
      expressGuard.errorHandler(
        process.env.BENCH_LOGGER === 'noop' ? { logger: { log() {} } } : {},
      ),
    );
  }
  listener = app;
} else {
  const app = new Koa();
  const router = new Router();
  router.get('/ok', (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/boom', () => {
    throw new Error('handler failed at /srv/app/handler.js');
  });
  if (guarded) app.use(koaGuard.errorHandler());
  app.use(router.routes());
  listener = app;
}

const server = listener.listen(0, '127.0.0.1', () => reportReady(server));
