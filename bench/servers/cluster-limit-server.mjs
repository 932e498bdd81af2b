// The server of bench/redis-cluster.mjs: `<case>` on Express 5, its Redis from REDIS_CONNECTION (a
// topology connection of examples/scale-out: standalone or Cluster). Each request counts under one
// of 1,000 keys in turn, so on a Cluster the load spreads over the slots (and nodes) as real client
// addresses would. Cases: guard (rateLimit() with the Redis store), rlf (rate-limiter-flexible's
// RateLimiterRedis, its own Express recipe), bare. The limit is never reached.
import express from 'express';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import * as guard from '@guard-suite/express-guard';
import { createRedisClient, ready } from '../../examples/scale-out/redis-client.mjs';
import { reportReady } from './_ready.mjs';

const [variant] = process.argv.slice(2);
const prefix = `guard-bench:${process.pid}:`;
const redis =
  variant === 'bare' ? undefined : createRedisClient(JSON.parse(process.env.REDIS_CONNECTION));
if (redis) await ready(redis);
const HIGH = 1_000_000_000;
let next = 0;
const key = () => `client-${next++ % 1000}`;

const app = express();
if (variant === 'guard')
  // A generous timeout: on a loaded machine a slow answer would otherwise be served by the
  // in-process insurance store, and this case would measure memory instead of Redis.
  app.use(
    guard.rateLimit({
      limit: HIGH,
      windowMs: 60_000,
      key,
      store: { redis, prefix, timeoutMs: 10_000 },
    }),
  );
else if (variant === 'rlf') {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}rlf`,
    points: HIGH,
    duration: 60,
  });
  app.use((_req, res, next) => {
    limiter.consume(key()).then(
      () => next(),
      (rejection) => {
        if (rejection instanceof RateLimiterRes) res.status(429).send('Too Many Requests');
        else next(rejection);
      },
    );
  });
} else if (variant !== 'bare') throw new Error(`unknown case ${variant}`);
app.get('/', (_req, res) => res.json({ ok: true }));

const server = app.listen(0, '127.0.0.1', () => reportReady(server));
process.on('SIGTERM', () => {
  redis?.disconnect();
  process.exit(0);
});
