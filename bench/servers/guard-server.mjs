// One server for bench/guard.mjs: `<express|koa> <bare|guard|peer>`, GET /ok answering JSON.
// guard: the full guard() (memory rate limiter) in one middleware, with the secure error handler.
// peer:  what a user would assemble today — Express: helmet + express-rate-limit + connect-timeout +
//        toobusy-js + a JSON error handler; Koa: koa-helmet + koa-ratelimit (memory driver).
import express from 'express';
import Koa from 'koa';
import Router from '@koa/router';
import helmet from 'helmet';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import connectTimeout from 'connect-timeout';
import toobusy from 'toobusy-js';
import koaHelmet from 'koa-helmet';
import koaRatelimit from 'koa-ratelimit';
import * as expressGuard from '@guard-suite/express-guard';
import * as koaGuard from '@guard-suite/koa-guard';
import { reportReady } from './_ready.mjs';

const [framework, variant] = process.argv.slice(2);
const quiet = { logger: { log() {}, info() {}, warn() {}, error() {} } };
// Same budget in every stack: a limit one client never reaches, a 30 s timeout, and shedding
// thresholds out of reach (1 s of event-loop lag in both, guard()'s utilization check at 1): a
// benchmark saturates the server's core by design, and on a shared machine the lag of a starved
// process would trip either shedder. This measures what the checks cost, not their verdicts.
const guardOptions = {
  logger: quiet.logger,
  rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
  loadShedding: { maxEventLoopDelayMs: 1000, maxEventLoopUtilization: 1 },
  concurrency: { max: 100 },
  timeout: { ms: 30_000 },
};
let listener;

if (framework === 'express') {
  const app = express();
  if (variant === 'guard') app.use(expressGuard.guard(guardOptions));
  if (variant === 'peer') {
    toobusy.maxLag(1000);
    app.use(helmet());
    app.use((_req, res, next) => {
      if (toobusy()) res.status(503).json({ error: 'Server is overloaded' });
      else next();
    });
    app.use(
      expressRateLimit({
        limit: 1_000_000_000,
        windowMs: 60_000,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
      }),
    );
    app.use(connectTimeout('30s'));
  }
  app.get('/ok', (_req, res) => res.json({ ok: true }));
  if (variant === 'guard') {
    app.use(expressGuard.notFound());
    app.use(expressGuard.errorHandler(quiet));
  }
  if (variant === 'peer')
    app.use((err, _req, res, _next) => {
      res.status(err.status ?? 500).json({ error: err.expose ? err.message : 'Internal error' });
    });
  listener = app;
} else {
  const app = new Koa();
  const router = new Router();
  router.get('/ok', (ctx) => {
    ctx.body = { ok: true };
  });
  if (variant === 'guard') {
    app.use(koaGuard.errorHandler(quiet));
    app.use(koaGuard.guard(guardOptions));
  }
  if (variant === 'peer') {
    app.use(koaHelmet.default ? koaHelmet.default() : koaHelmet());
    app.use(
      koaRatelimit({
        driver: 'memory',
        db: new Map(),
        duration: 60_000,
        max: 1_000_000_000,
        id: (ctx) => ctx.ip,
      }),
    );
  }
  app.use(router.routes());
  listener = app;
}

const server = listener.listen(0, '127.0.0.1', () => reportReady(server));
