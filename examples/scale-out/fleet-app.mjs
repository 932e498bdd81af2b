// The small app the scale-out proof runs N times (Express or Koa, by FRAMEWORK), each process with its
// own ioredis client (redis-client.mjs) on the topology in REDIS (a JSON `connection`):
//   GET /limited?key=K   rateLimit "exact": LIMIT (50) per WINDOW_MS per key, shared through Redis
//   GET /breaker[?fail=1] a call through the shared circuit breaker; fail=1 makes the dependency fail
//   GET /state            { instance, rateLimit: 'redis' | 'insurance', breaker: state }
// Every response names the instance that answered (X-Instance). Log lines are JSON on stdout; the
// first line is { listening: port }.
import { createServer } from 'node:http';
import { createCircuitBreaker, hardenServer } from '@guard-suite/core';
import { createRedisClient, ready } from './redis-client.mjs';

const framework = process.env.FRAMEWORK === 'koa' ? 'koa' : 'express';
const instance = process.env.INSTANCE ?? `${framework}-${process.pid}`;
const prefix = process.env.PREFIX ?? 'guard-scale:';
const limit = Number(process.env.LIMIT ?? 50);
const windowMs = Number(process.env.WINDOW_MS ?? 60_000);
// Longest wait for Redis before the fallback answers (the suite's defaults: 250 and 200 ms).
const timeoutMs = process.env.STORE_TIMEOUT_MS ? Number(process.env.STORE_TIMEOUT_MS) : undefined;
const timeout = timeoutMs === undefined ? {} : { timeoutMs };

const redis = createRedisClient(JSON.parse(process.env.REDIS));
await ready(redis);

const breaker = createCircuitBreaker({
  name: 'upstream',
  failureThreshold: 1,
  resetTimeoutMs: Number(process.env.BREAKER_RESET_MS ?? 100),
  store: { redis, prefix: `${prefix}breaker:`, ...timeout },
});
const upstream = (fail) =>
  fail ? Promise.reject(new Error('upstream failed')) : Promise.resolve('ok');
const limiterOptions = (keyOf) => ({
  name: 'exact',
  limit,
  windowMs,
  key: keyOf,
  store: { redis, prefix: `${prefix}rl:`, ...timeout },
});

let app;
let limited;
if (framework === 'koa') {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const { errorHandler, rateLimit } = await import('@guard-suite/koa-guard');
  limited = rateLimit(limiterOptions((ctx) => String(ctx.query.key)));
  const router = new Router();
  router.get('/limited', limited, (ctx) => {
    ctx.body = { instance };
  });
  router.get('/breaker', async (ctx) => {
    try {
      ctx.body = { instance, value: await breaker.execute(() => upstream(ctx.query.fail === '1')) };
    } catch (error) {
      if (error instanceof Error && error.message === 'upstream failed') ctx.status = 502;
      else throw error;
    }
  });
  router.get('/state', (ctx) => {
    ctx.body = state();
  });
  const koa = new Koa();
  koa.use(async (ctx, next) => {
    ctx.set('X-Instance', instance);
    await next();
  });
  koa.use(errorHandler());
  koa.use(router.routes());
  app = koa.callback();
} else {
  const { default: express } = await import('express');
  const { errorHandler, notFound, rateLimit } = await import('@guard-suite/express-guard');
  limited = rateLimit(limiterOptions((req) => String(req.query.key)));
  const router = express();
  router.use((_req, res, next) => {
    res.set('X-Instance', instance);
    next();
  });
  router.get('/limited', limited, (_req, res) => {
    res.json({ instance });
  });
  router.get('/breaker', async (req, res) => {
    try {
      res.json({ instance, value: await breaker.execute(() => upstream(req.query.fail === '1')) });
    } catch (error) {
      if (error instanceof Error && error.message === 'upstream failed') res.status(502).end();
      else throw error;
    }
  });
  router.get('/state', (_req, res) => {
    res.json(state());
  });
  router.use(notFound());
  router.use(errorHandler());
  app = router;
}

function state() {
  return { instance, framework, rateLimit: limited.limiter.mode, breaker: breaker.state };
}

const server = hardenServer(createServer(app));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port, instance })}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  redis.disconnect();
  limited.limiter.close();
});
