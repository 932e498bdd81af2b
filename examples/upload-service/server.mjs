// Starts the secure upload service: Express by default, the Koa twin with FRAMEWORK=koa. Runs on
// the embedded defaults (memory stores, ./data); with REDIS_URL set (or REDIS_CLUSTER, a list of
// host:port of a Redis Cluster), rate limits and the breaker are shared through that Redis.
// INSTANCE_ID names the instance in /health and the X-Instance header (npm run demo:cluster).
import { createServer } from 'node:http';
import { hardenServer } from '@guard-suite/core';
import { createExpressApp } from './express-app.mjs';
import { createKoaApp } from './koa-app.mjs';

const framework = process.env.FRAMEWORK === 'koa' ? 'koa' : 'express';
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

let redis;
if (process.env.REDIS_CLUSTER) {
  const { Cluster } = await import('ioredis');
  const nodes = process.env.REDIS_CLUSTER.split(',').map((node) => {
    const [nodeHost, nodePort] = node.trim().split(':');
    return { host: nodeHost, port: Number(nodePort) };
  });
  redis = new Cluster(nodes, { enableOfflineQueue: false });
} else if (process.env.REDIS_URL) {
  const { Redis } = await import('ioredis');
  // Fail fast when Redis is away: the limiter falls back to its in-process insurance instead.
  redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
}
if (redis) {
  redis.on('error', () => {}); // reconnects on its own; the limiter logs the switch once
  // Without an offline queue a command sent before the connection is up fails (and the limiter
  // starts on insurance): wait for it, a few seconds at most.
  await new Promise((resolve) => {
    redis.once('ready', resolve);
    setTimeout(resolve, 5000).unref();
  });
}

const service = (framework === 'koa' ? createKoaApp : createExpressApp)({ redis });
const server = hardenServer(
  createServer(framework === 'koa' ? service.app.callback() : service.app),
);
// A busy or forbidden port is a setup problem, not a crash: one line saying what to do.
server.once('error', (error) => {
  const free = 'start it with PORT=<another port>, or PORT=0 for any free one';
  const why = {
    EADDRINUSE: `port ${port} on ${host} is already in use (another upload-service?); ${free}`,
    EACCES: `port ${port} on ${host} needs more privileges; ${free}`,
    EADDRNOTAVAIL: `HOST=${host} is not an address of this machine; try HOST=127.0.0.1`,
  }[error.code];
  if (!why) throw error;
  console.error(`upload-service: ${why}`);
  service.close();
  redis?.disconnect();
  process.exitCode = 1;
});
server.listen(port, host, () => {
  const { port: actual } = server.address();
  const instance = process.env.INSTANCE_ID ? `${process.env.INSTANCE_ID}, ` : '';
  const shared = process.env.REDIS_CLUSTER ? ', Redis Cluster' : redis ? ', Redis' : '';
  console.log(
    `upload-service (${instance}${framework}${shared}) listening on http://${host}:${actual}`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    service.close();
    redis?.disconnect();
  });
