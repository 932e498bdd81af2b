// pnpm bench breaker [rounds=21] [callsPerRound=200000]
// In-process ops/s of breaker.execute on an already-resolved function: a raw call, guard-core's
// breaker, cockatiel 3 and opossum 9 (with its default 10 s timeout, a timer per call, and with
// `timeout: false`), interleaved rounds, medians. Then the breaker's heap after 10,000,000 calls.
// Needs the built packages: pnpm run build.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { createCircuitBreaker } from '@guard-suite/core';
import CircuitBreaker from 'opossum';
import { pinLoadGenerator } from './_http-bench.mjs';

const rounds = Number(process.argv[2] ?? 21);
const callsPerRound = Number(process.argv[3] ?? 200_000);
const pinned = pinLoadGenerator();
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const resolved = Promise.resolve(1);
const fn = () => resolved;

const guard = createCircuitBreaker({ name: 'bench', failureThreshold: 5, resetTimeoutMs: 10_000 });
const cockatiel = circuitBreaker(handleAll, {
  halfOpenAfter: 10_000,
  breaker: new ConsecutiveBreaker(5),
});
const opossum = new CircuitBreaker(fn, { resetTimeout: 10_000 });
const opossumNoTimeout = new CircuitBreaker(fn, { resetTimeout: 10_000, timeout: false });

const cases = [
  { name: 'raw call', run: () => fn() },
  { name: 'guard-core breaker', run: () => guard.execute(fn) },
  { name: 'cockatiel 3 breaker', run: () => cockatiel.execute(fn) },
  { name: 'opossum 9 (default timeout)', run: () => opossum.fire() },
  { name: 'opossum 9 (timeout: false)', run: () => opossumNoTimeout.fire() },
];

async function measure(run, calls) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await run();
  return Number(process.hrtime.bigint() - started) / calls; // ns per call
}

console.log(
  `breaker bench: ${rounds} interleaved rounds × ${callsPerRound.toLocaleString('en-US')} sequential awaited calls, ` +
    `taskset ${pinned ? 'on (core 0)' : 'unavailable'}, node ${process.version}`,
);
for (const c of cases) await measure(c.run, 50_000); // warm-up, so the JIT sees every case
const samples = new Map(cases.map((c) => [c.name, []]));
for (let round = 0; round < rounds; round++)
  for (const c of cases) {
    gc();
    samples.get(c.name).push(await measure(c.run, callsPerRound));
  }

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ns = new Map([...samples].map(([name, values]) => [name, median(values)]));
const raw = ns.get('raw call');
const fmt = (n) => Math.round(n).toLocaleString('en-US');
// Paired per-round ratios (same round, neighbouring measurements) resist the drift of a shared
// machine better than a ratio of medians; both are printed.
const guardSamples = samples.get('guard-core breaker');
const pairedRatio = (name) =>
  median(samples.get(name).map((value, round) => value / guardSamples[round]));
console.log(
  '\n| case | ns/call (median) | ops/s (median) | added over raw call | guard-core speed-up (ratio of medians) | (median of per-round ratios) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [name, value] of ns) {
  const compared = name !== 'guard-core breaker' && name !== 'raw call';
  console.log(
    `| ${name} | ${value.toFixed(1)} | ${fmt(1e9 / value)} | ${name === 'raw call' ? '' : (value - raw).toFixed(1)} | ` +
      `${compared ? `${(value / ns.get('guard-core breaker')).toFixed(2)}×` : ''} | ${compared ? `${pairedRatio(name).toFixed(2)}×` : ''} |`,
  );
}

// Memory: the breaker keeps counters and, with failureRateThreshold, a fixed ring of buckets; neither
// grows with calls. Both configurations are measured.
async function heapAfter(breaker, total, step) {
  const points = [];
  for (let done = 0; done <= total; done += step) {
    if (done > 0) for (let i = 0; i < step; i++) await breaker.execute(fn);
    gc();
    points.push({ calls: done, heapUsed: process.memoryUsage().heapUsed });
  }
  return points;
}
const totalCalls = 10_000_000;
for (const [label, breaker] of [
  ['consecutive failures', createCircuitBreaker({ name: 'memory-a' })],
  [
    'failure rate (rolling window)',
    createCircuitBreaker({ name: 'memory-b', failureRateThreshold: 0.5, windowMs: 1000 }),
  ],
]) {
  const points = await heapAfter(breaker, totalCalls, 2_000_000);
  const first = points[1].heapUsed; // after the first 2M calls: JIT and caches settled
  const last = points.at(-1).heapUsed;
  console.log(
    `\nheap of a breaker (${label}), after GC: ` +
      points
        .map((p) => `${(p.calls / 1e6).toFixed(0)}M: ${(p.heapUsed / 1048576).toFixed(2)} MB`)
        .join(', ') +
      ` → growth from 2M to 10M calls: ${((last - first) / 1024).toFixed(1)} KB`,
  );
}
