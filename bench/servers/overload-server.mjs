// One server for bench/overload.mjs: node overload-server.mjs <contender> <model> [slots] [priority]
//   contender  bare      Express alone
//              peer      helmet + toobusy-js + connect-timeout, both at their own defaults (maxLag
//                        70 ms, 5 s), + a JSON error handler: what a user assembles today
//              peer-lax  the same with bench/servers/guard-server.mjs's out-of-reach values
//                        (maxLag 1000 ms, 30 s)
//              guard     guard({ rateLimit: false }) (the load comes from one address) + notFound()
//                        + errorHandler(), everything else at its defaults
//   model      io        GET /work waits for one of `slots` downstream slots, holds it 20 ms
//              cpu       GET /work spins 2 ms of CPU
//              tiny      GET /work answers at once
//   priority   with `priority`, guard() also gets `criticality` mapping the x-bench-class header
//              (critical | sheddable), when this checkout's guard() accepts that option.
// Over IPC (besides _ready.mjs's 'cpu'): 'mark' starts a measurement window, 'stats' reports it.
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';
import express from 'express';
import helmet from 'helmet';
import connectTimeout from 'connect-timeout';
import toobusy from 'toobusy-js';
import * as expressGuard from '@guard-suite/express-guard';
import { createDownstreamPool } from './_downstream-pool.mjs';
import { reportReady } from './_ready.mjs';

const { eventLoopUtilization } = performance;
const [contender, model, slotsArg, priorityArg] = process.argv.slice(2);
const HOLD_MS = 20;
const CPU_MS = 2;
const pool =
  model === 'io' ? createDownstreamPool({ slots: Number(slotsArg ?? 32), holdMs: HOLD_MS }) : null;

const counts = { handled: 0, ok: 0, late: 0, refused: 0 };
// guard()'s refusals by class and reason (its guard:reject channel), so a run shows who was refused and why.
const refusals = {};
subscribe('guard:reject', ({ criticality: cls, reason }) => {
  const key = `${cls ?? 'critical'}:${reason}`;
  refusals[key] = (refusals[key] ?? 0) + 1;
  counts.refused++;
});
const app = express();

// --- the contender's stack ---------------------------------------------------------------------
let guardMiddleware;
let criticality = 'n/a';
if (contender === 'guard') {
  const build = (extra) => expressGuard.guard({ rateLimit: false, ...extra });
  if (priorityArg === 'priority') {
    try {
      guardMiddleware = build({
        criticality: (req) =>
          req.headers['x-bench-class'] === 'sheddable' ? 'sheddable' : 'critical',
      });
      criticality = 'supported';
    } catch (error) {
      // This checkout's guard() has no `criticality` option: report n/a, do not fake it.
      if (error?.code !== 'ERR_GUARD_INVALID_OPTION') throw error;
      criticality = 'unsupported';
    }
  }
  guardMiddleware ??= build({});
  app.use(guardMiddleware);
} else if (contender === 'peer' || contender === 'peer-lax') {
  const lax = contender === 'peer-lax';
  if (lax) toobusy.maxLag(1000);
  app.use(helmet());
  app.use((_req, res, next) => {
    if (toobusy()) res.status(503).json({ error: 'Server is overloaded' });
    else next();
  });
  app.use(connectTimeout(lax ? '30s' : '5s'));
} else if (contender !== 'bare') {
  throw new Error(`unknown contender ${contender}`);
}

/** The signal a handler passes to the pool wait: guard()'s own, or one the user would build. */
function signalOf(req, res) {
  if (contender === 'guard') return req.guard.signal;
  const controller = new globalThis.AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  // connect-timeout announces its deadline with a 'timeout' event on the request.
  if (contender !== 'bare') req.once('timeout', () => controller.abort(new Error('timed out')));
  return controller.signal;
}

/** True once nothing more should be written: the client left or the stack already answered. */
const isAnswered = (req, res) => res.headersSent || res.destroyed || req.timedout === true;

function spin(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

// --- the service -------------------------------------------------------------------------------
app.get('/work', async (req, res, next) => {
  counts.handled++;
  if (model === 'io') {
    try {
      await pool.call(signalOf(req, res));
    } catch (error) {
      if (isAnswered(req, res)) return;
      return next(error);
    }
  } else if (model === 'cpu') {
    spin(CPU_MS);
  }
  if (isAnswered(req, res)) {
    counts.late++; // work done for a client that has left (or already had its answer)
    return;
  }
  counts.ok++;
  res.json({ ok: true });
});

if (contender === 'guard') {
  app.use(expressGuard.notFound());
  app.use(expressGuard.errorHandler());
} else if (contender !== 'bare') {
  app.use((err, _req, res, _next) => {
    if (res.headersSent) return;
    res.status(err.status ?? 500).json({ error: err.expose ? err.message : 'Internal error' });
  });
}

// --- measurement window ------------------------------------------------------------------------
// Every 100 ms: guard()'s concurrency figures (its `limit` when the checkout reports one) and
// whether its load shedder is on, so a run shows what the policies were doing, not only the outcome.
// BENCH_TRACE=<prefix>: these figures every 100 ms, one JSON line each, in <prefix>-server.jsonl.
const traceFile = process.env.BENCH_TRACE ? `${process.env.BENCH_TRACE}-server.jsonl` : undefined;
let window = newWindow();
function newWindow() {
  for (const key of Object.keys(refusals)) delete refusals[key];
  return { counts: { ...counts }, elu: eventLoopUtilization(), samples: 0, sums: {}, max: {} };
}
function sample() {
  const status = guardMiddleware?.status?.();
  const figures = {
    limit: status?.concurrency?.limit ?? guardMiddleware?.limiter?.options?.max,
    active: status?.concurrency?.active,
    queued: status?.concurrency?.queued,
    shedding: status?.loadShedding ? Number(status.loadShedding.overloaded) : undefined,
    shedProbability: status?.loadShedding?.shedProbability,
    eventLoopDelayMs: status?.loadShedding?.eventLoopDelayMs,
    sampledElu: status?.loadShedding?.eventLoopUtilization,
    poolWaiting: pool?.stats().waiting,
  };
  if (traceFile) {
    appendFileSync(
      traceFile,
      `${JSON.stringify({ t: Date.now(), ...figures, ...traceDelta() })}\n`,
    );
  }
  window.samples++;
  for (const [key, value] of Object.entries(figures)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    window.sums[key] = (window.sums[key] ?? 0) + value;
    window.max[key] = Math.max(window.max[key] ?? -Infinity, value);
  }
}
setInterval(sample, 100).unref();

// The trace's own figures since its last line: requests handled and served, guard()'s refusals,
// and the server's CPU in milliseconds, so a trace shows where the loop's time went.
let traceLast = { counts: { ...counts }, cpu: process.cpuUsage() };
function traceDelta() {
  const cpu = process.cpuUsage(traceLast.cpu);
  const delta = {
    handled: counts.handled - traceLast.counts.handled,
    ok: counts.ok - traceLast.counts.ok,
    late: counts.late - traceLast.counts.late,
    refused: counts.refused - traceLast.counts.refused,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
  traceLast = { counts: { ...counts }, cpu: process.cpuUsage() };
  return delta;
}

process.on('message', (message) => {
  if (message === 'mark') {
    window = newWindow();
    process.send({ marked: true });
  } else if (message === 'stats') {
    const delta = Object.fromEntries(
      Object.entries(counts).map(([key, value]) => [key, value - window.counts[key]]),
    );
    const mean = Object.fromEntries(
      Object.entries(window.sums).map(([key, sum]) => [key, sum / window.samples]),
    );
    process.send({
      stats: {
        ...delta,
        eventLoopUtilization: eventLoopUtilization(window.elu).utilization,
        mean,
        max: window.max,
        pool: pool?.stats(),
        refusals,
        criticality,
      },
    });
  }
});

// BENCH_PROFILE=<prefix>: a V8 CPU profile of this server's whole life, written when the bench stops
// it (SIGTERM) to <prefix>-<pid>.cpuprofile (open it in Chrome DevTools' Performance panel).
if (process.env.BENCH_PROFILE) {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  process.once('SIGTERM', async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(
      `${process.env.BENCH_PROFILE}-${process.pid}.cpuprofile`,
      JSON.stringify(profile),
    );
    process.exit(0);
  });
}

// Node's default listen backlog (511) unless the bench asks for another: when it overflows, the
// kernel drops new connections before the application sees them.
const backlog = process.env.BENCH_BACKLOG ? Number(process.env.BENCH_BACKLOG) : undefined;
const server = app.listen({ port: 0, host: '127.0.0.1', backlog }, () => reportReady(server));
