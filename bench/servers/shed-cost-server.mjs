// One server for bench/shed-cost.mjs: `<node|express|koa> <bare|shed|shed-in-framework>`.
// bare: GET /ok answers a tiny JSON (the yardstick: what one cheap request costs).
// shed: guard() with its defaults (rateLimit off, as the load comes from one address) and the
//       secure error handler with its default logger, while the load shedder refuses every request
//       (a heap limit of one byte is a hard signal: everything is shed), so each request is a refusal.
//       guard() is first: after its first refusal it refuses before the framework dispatches.
// shed-in-framework: the same with a pass-through middleware before guard(), which keeps the
//       refusals inside the framework (guard() then cannot tell nothing else would have run).
import { createServer } from 'node:http';
import express from 'express';
import Koa from 'koa';
import Router from '@koa/router';
import * as expressGuard from '@guard-suite/express-guard';
import * as koaGuard from '@guard-suite/koa-guard';
import { reportReady } from './_ready.mjs';

const [framework, variant] = process.argv.slice(2);
const shed = variant !== 'bare';
const passThrough = variant === 'shed-in-framework';
const guardOptions = { rateLimit: false, loadShedding: { maxHeapUsedBytes: 1 } };
let listener;

if (framework === 'node') {
  const body = JSON.stringify({ ok: true });
  listener = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
} else if (framework === 'express') {
  const app = express();
  if (passThrough) app.use((_req, _res, next) => next());
  if (shed) app.use(expressGuard.guard(guardOptions));
  app.get('/ok', (_req, res) => res.json({ ok: true }));
  if (shed) {
    app.use(expressGuard.notFound());
    app.use(expressGuard.errorHandler());
  }
  listener = app;
} else {
  const app = new Koa();
  const router = new Router();
  router.get('/ok', (ctx) => {
    ctx.body = { ok: true };
  });
  if (shed) {
    app.use(koaGuard.errorHandler());
    if (passThrough) app.use((_ctx, next) => next());
    app.use(koaGuard.guard(guardOptions));
  }
  app.use(router.routes());
  listener = app;
}

const server = listener.listen(0, '127.0.0.1', () => reportReady(server));
