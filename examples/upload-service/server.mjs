// Starts the secure upload service: Express by default, the Koa twin with FRAMEWORK=koa. Runs on
// the embedded defaults (memory stores, ./data); with REDIS_URL set, rate limits and the breaker
// are shared through that Redis.
import { createServer } from 'node:http';
import { hardenServer } from '@guard-suite/core';
import { createExpressApp } from './express-app.mjs';
import { createKoaApp } from './koa-app.mjs';

const framework = process.env.FRAMEWORK === 'koa' ? 'koa' : 'express';
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

let redis;
if (process.env.REDIS_URL) {
  const { Redis } = await import('ioredis');
  // Fail fast when Redis is away: the limiter falls back to its in-process insurance instead.
  redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => {}); // reconnects on its own; the limiter logs the switch once
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
  console.log(
    `upload-service (${framework}${redis ? ', Redis' : ''}) listening on http://${host}:${actual}`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    service.close();
    redis?.disconnect();
  });
