// pnpm bench telemetry-hot-path <base-root> [rounds]
// What the metrics add to a request's hot path when no SDK is registered, part by part: the same
// calls on the policies built from <base-root> (a build of the commit before the metrics) and from
// this checkout (@opentelemetry/api installed, no SDK), interleaved, medians of ns per call.
// The parts are every place a request through guard() meets the telemetry: admission (the gate
// counts an allowed request), the load-shedding check, the memory rate limiter, and the rate-limit
// section's answer.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { metricsReady as ready } from '@guard-suite/core';

const [baseArg, roundsArg = '11'] = process.argv.slice(2);
if (!baseArg) throw new Error('usage: pnpm bench telemetry-hot-path <base-root> [rounds]');
const rounds = Number(roundsArg);
const roots = {
  base: resolve(baseArg),
  branch: resolve(process.env.TELEMETRY_HOT_PATH_BRANCH ?? resolve(import.meta.dirname, '..')),
};
const load = (root, entry) =>
  import(pathToFileURL(join(root, 'packages', 'core', 'dist', `${entry}.js`)).href);

const res = { destroyed: false, headersSent: false, setHeader() {}, on() {}, req: { headers: {} } };
const state = { signal: undefined, deadline: Infinity, criticality: 'critical', abort() {} };
const app = {};

async function cases(root, isBranch) {
  const core = await load(root, 'index');
  const internal = await load(root, 'internal');
  await core.metricsReady?.();
  const gate = internal.createRequestGate(undefined, undefined);
  const shedder = internal.startLoadShedder(
    internal.resolveLoadShedding('guard', { sampleIntervalMs: 600_000 }).options,
  );
  const skip = undefined;
  const check = isBranch
    ? internal.createLoadSheddingCheck(shedder, skip, { insideGuard: true })
    : undefined;
  // The base's step as its adapters ran it: the graded shedder's per-class decision (a build before
  // it had only `overloaded`).
  const shedCheck = check
    ? (req) => check(req, state, app, req, res)
    : (req) => {
        const shed = shedder.shouldShed ? shedder.shouldShed('critical') : shedder.overloaded;
        if (shed && !skip?.(req)) throw shedder.error();
      };
  const limiter = core.createRateLimiter({ limit: 1e9, windowMs: 60_000 });
  const section = internal.createRateLimitSection(
    'guard',
    { limit: 1e9 },
    { insideGuard: true },
    'rateLimit.',
  );
  const decision = section.limiter.consume('k');
  const keys = Array.from({ length: 1024 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
  return {
    'gate.enter (admission)': () => gate.enter(res, state, undefined),
    'load-shedding check': () => shedCheck(res.req, state),
    'memory rate limiter consume': (i) => limiter.consume(keys[i & 1023]),
    'rate-limit section answer': () => section.answer(res, decision, 'k', state),
    close: () => (shedder.close(), limiter.close(), section.limiter.close()),
  };
}

function timeNs(fn, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}

const iterations = 2_000_000;
const side = process.env.TELEMETRY_HOT_PATH_SIDE;
if (side) {
  // A child: one side in a fresh process (a second instance in one process runs measurably slower
  // whichever build it comes from), warmed up, then each part timed once.
  await ready();
  const built = await cases(roots[side], side === 'branch');
  const names = Object.keys(built).filter((n) => n !== 'close');
  for (const n of names) timeNs(built[n], iterations);
  const out = Object.fromEntries(names.map((n) => [n, timeNs(built[n], iterations)]));
  built.close();
  process.stdout.write(JSON.stringify(out));
} else {
  const results = {};
  for (let round = 0; round < rounds; round++)
    for (const which of round % 2 ? ['branch', 'base'] : ['base', 'branch']) {
      const out = JSON.parse(
        execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
          env: { ...process.env, TELEMETRY_HOT_PATH_SIDE: which },
        }).toString(),
      );
      for (const [n, ns] of Object.entries(out))
        (results[n] ??= { base: [], branch: [] })[which].push(ns);
    }
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(
    `telemetry hot path: ${rounds} rounds, each side in its own process, ${iterations} calls per part, node ${process.version}`,
  );
  console.log('\n| part | before the metrics, ns | @opentelemetry/api, no SDK, ns | added, ns |');
  console.log('| --- | ---: | ---: | ---: |');
  let added = 0;
  for (const [n, { base, branch }] of Object.entries(results)) {
    const [b, a] = [median(base), median(branch)];
    added += a - b;
    console.log(`| ${n} | ${b.toFixed(1)} | ${a.toFixed(1)} | ${(a - b).toFixed(1)} |`);
  }
  console.log(`\nadded per request (sum of the medians' differences): ${added.toFixed(1)} ns`);
}
