// Driver of bench/telemetry-cost.mjs, run under callgrind: one process serves and requests.
// `<express|koa> <requests> <root> <none|sdk>`: guard() from <root>'s built packages (this checkout
// or a build of another commit), GET /ok sent `requests` times one after the other over one
// keep-alive connection. With `sdk`, an OpenTelemetry SDK MeterProvider (in-memory reader) is the
// global one before guard() is created.
import { Agent, createServer, request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
import Koa from 'koa';

const [framework, countArg, root, sdk] = process.argv.slice(2);
const count = Number(countArg);
const load = (name) => import(pathToFileURL(join(root, 'packages', name, 'dist', 'index.js')).href);

if (sdk === 'sdk') {
  const { metrics } = await import('@opentelemetry/api');
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  class Reader extends MetricReader {
    onForceFlush = () => Promise.resolve();
    onShutdown = () => Promise.resolve();
  }
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new Reader()] }));
}

const quiet = { logger: { log() {}, info() {}, warn() {}, error() {} } };
const guardOptions = {
  logger: quiet.logger,
  rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
  // No sampler tick during the run: under valgrind their number would follow the wall clock.
  loadShedding: {
    maxEventLoopDelayMs: 1000,
    maxEventLoopUtilization: 1,
    sampleIntervalMs: 600_000,
  },
  concurrency: { max: 100 },
  timeout: { ms: 30_000 },
};

let handler;
if (framework === 'express') {
  const kit = await load('express-guard');
  const app = express();
  app.use(kit.guard(guardOptions));
  app.get('/ok', (_req, res) => res.json({ ok: true }));
  app.use(kit.notFound());
  app.use(kit.errorHandler(quiet));
  handler = app;
} else {
  const kit = await load('koa-guard');
  const app = new Koa();
  app.use(kit.errorHandler(quiet));
  app.use(kit.guard(guardOptions));
  app.use((ctx) => {
    if (ctx.path === '/ok') ctx.body = { ok: true };
  });
  handler = app.callback();
}

const server = createServer(handler);
// Under valgrind on a loaded machine a gap between two requests can pass Node's 5 s keep-alive
// timeout, and a request sent as the server closes the idle socket fails with ECONNRESET.
server.keepAliveTimeout = 600_000;
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const one = () =>
  new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/ok', agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      res.resume();
      res.on('end', resolve);
    })
      .on('error', reject)
      .end();
  });
for (let i = 0; i < count; i++) await one();
agent.destroy();
server.close();
process.exit(0);
