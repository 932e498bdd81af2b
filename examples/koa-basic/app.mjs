// A small Koa app behind the secure error handler (outermost): every failure, and every unmatched
// route, becomes a problem+json response with an errorId; the full error goes to the log.
import Koa from 'koa';
import Router from '@koa/router';
import { errorHandler, guard } from '@guard-suite/koa-guard';

/**
 * Builds the app; `logger` is any winston logger (default: JSON lines on stdout), `loadShedding`
 * thresholds over guard()'s defaults.
 */
export function createApp({ logger, loadShedding } = {}) {
  const app = new Koa();
  const router = new Router();
  // Security headers, load shedding, rate limit, input limits, concurrency limit, timeout: one middleware.
  // The health check is exempt from shedding and rate limiting, so a monitor can always see the figures.
  const isHealth = (ctx) => ctx.path === '/health';
  const protection = guard({
    ...(logger ? { logger } : {}),
    loadShedding: { ...loadShedding, skip: isHealth },
    rateLimit: { limit: 120, windowMs: 60_000, skip: isHealth },
    // No concurrency option: the limit adapts to measured latency (it starts at 20) and /health shows it.
    timeout: { ms: 10_000 },
  });
  router.get('/', (ctx) => {
    ctx.body = { service: 'koa-basic', try: ['/fail', '/conflict', '/nowhere', '/health'] };
  });
  router.get('/health', (ctx) => {
    ctx.body = protection.status();
  });
  router.get('/fail', () => {
    throw new Error('connect to postgres://app:hunter2@10.0.0.7/db failed at /srv/app/db.js');
  });
  // An exposed client error keeps its own message.
  router.get('/conflict', (ctx) => ctx.throw(409, 'That name is already taken'));
  app.use(errorHandler(logger ? { logger } : {}));
  app.use(protection);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
