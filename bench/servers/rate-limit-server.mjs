// One server for bench/redis-limiter.mjs and bench/limiter-429.mjs: `<case>`, GET / answers JSON.
// Cases: bare, guard-redis, erl-redis, rlf-redis (limit never reached); guard-429, erl-429 (limit 1,
// so nearly every request takes the rejection path).
import express from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Redis } from 'ioredis';
import * as guard from '@guard-suite/express-guard';
import { reportReady } from './_ready.mjs';

const [variant] = process.argv.slice(2);
const prefix = `guard-bench:${process.pid}:`;
const redis = variant.endsWith('-redis')
  ? new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  : undefined;
const noopLogger = { log() {}, warn() {}, info() {}, error() {} };
const HIGH = 1_000_000_000;

const app = express();
switch (variant) {
  case 'bare':
    break;
  case 'guard-redis':
    // A generous timeout: on a loaded machine a slow answer would otherwise be served by the
    // in-process insurance store, and this case would measure memory instead of Redis.
    app.use(
      guard.rateLimit({
        limit: HIGH,
        windowMs: 60_000,
        store: { redis, prefix, timeoutMs: 10_000 },
      }),
    );
    break;
  case 'erl-redis':
    app.use(
      expressRateLimit({
        limit: HIGH,
        windowMs: 60_000,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        store: new RedisStore({ prefix, sendCommand: (...args) => redis.call(...args) }),
      }),
    );
    break;
  case 'rlf-redis': {
    // rate-limiter-flexible's own Express recipe.
    const limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}rlf`,
      points: HIGH,
      duration: 60,
    });
    app.use((req, res, next) => {
      limiter.consume(req.ip).then(
        () => next(),
        (rejection) => {
          if (rejection instanceof RateLimiterRes) res.status(429).send('Too Many Requests');
          else next(rejection);
        },
      );
    });
    break;
  }
  case 'guard-429':
    app.use(guard.rateLimit({ limit: 1, windowMs: 60_000 }));
    break;
  case 'erl-429':
    app.use(
      expressRateLimit({
        limit: 1,
        windowMs: 60_000,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
      }),
    );
    break;
  default:
    throw new Error(`unknown case ${variant}`);
}
app.get('/', (_req, res) => res.json({ ok: true }));
if (variant.startsWith('guard')) {
  app.use(guard.notFound());
  app.use(guard.errorHandler({ logger: noopLogger }));
}

const server = app.listen(0, '127.0.0.1', () => reportReady(server));
process.on('SIGTERM', () => {
  redis?.disconnect();
  process.exit(0);
});
