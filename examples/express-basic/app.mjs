// A small Express app behind the secure error handler: every failure becomes a problem+json
// response with an errorId, and the full error goes to the log under that id.
import express from 'express';
import { errorHandler, guard, notFound } from '@guard-suite/express-guard';

/**
 * Builds the app; `logger` is any winston logger (default: JSON lines on stdout), `loadShedding`
 * thresholds over guard()'s defaults.
 */
export function createApp({ logger, loadShedding } = {}) {
  const app = express();
  // Security headers, load shedding, rate limit, input limits, concurrency limit, timeout: one middleware.
  // The health check is exempt from shedding and rate limiting, so a monitor can always see the figures.
  const isHealth = (req) => req.path === '/health';
  const protection = guard({
    ...(logger ? { logger } : {}),
    loadShedding: { ...loadShedding, skip: isHealth },
    rateLimit: { limit: 120, windowMs: 60_000, skip: isHealth },
    // No concurrency option: the limit adapts to measured latency (it starts at 20) and /health shows it.
    timeout: { ms: 10_000 },
  });
  app.use(protection);
  app.get('/', (_req, res) => {
    res.json({ service: 'express-basic', try: ['/fail', '/missing-file', '/nowhere', '/health'] });
  });
  app.get('/health', (_req, res) => res.json(protection.status()));
  // A bug with secrets in its message: the client sees a generic 500 and an errorId, the log sees all.
  app.get('/fail', () => {
    throw new Error('connect to postgres://app:hunter2@10.0.0.7/db failed at /srv/app/db.js');
  });
  // A Node system error: ENOENT becomes a plain 404.
  app.get('/missing-file', async (_req, res) => {
    const { readFile } = await import('node:fs/promises');
    res.send(await readFile('/definitely/not/here.txt'));
  });
  app.use(notFound());
  app.use(errorHandler(logger ? { logger } : {}));
  return app;
}
