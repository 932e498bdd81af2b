// pnpm bench pool [rounds=11] [callsPerRound=5000]
// Round-trip latency (p50/p99) of a trivial task through createIsolatedPool vs piscina used directly,
// one worker each, sequential calls, interleaved rounds (order alternating, GC before each), medians
// of the per-round percentiles.
// Needs the built packages: pnpm run build.
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createIsolatedPool } from '@guard-suite/core';
import { Piscina } from 'piscina';

const rounds = Number(process.argv[2] ?? 11);
const callsPerRound = Number(process.argv[3] ?? 5000);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const filename = fileURLToPath(new URL('./workers/echo.mjs', import.meta.url));

const guardPool = createIsolatedPool({
  filename,
  maxWorkers: 1,
  timeoutMs: 10_000,
  maxMemoryMb: 64,
});
const piscina = new Piscina({ filename, maxThreads: 1, minThreads: 1 });
const cases = [
  { name: 'piscina direct', run: (i) => piscina.run(i) },
  { name: 'createIsolatedPool', run: (i) => guardPool.run(i) },
];

async function measure(run, calls) {
  const latencies = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const started = process.hrtime.bigint();
    await run(i);
    latencies[i] = Number(process.hrtime.bigint() - started) / 1000; // µs
  }
  latencies.sort();
  return { p50: latencies[Math.floor(calls * 0.5)], p99: latencies[Math.floor(calls * 0.99)] };
}

console.log(
  `pool bench: ${rounds} interleaved rounds × ${callsPerRound.toLocaleString('en-US')} sequential round trips, ` +
    `1 worker, node ${process.version}`,
);
for (const c of cases) await measure(c.run, 2000); // warm-up: workers started, JIT settled
const results = new Map(cases.map((c) => [c.name, { p50: [], p99: [] }]));
for (let round = 0; round < rounds; round++)
  // Alternate the order each round so neither side always inherits the other's garbage.
  for (const c of round % 2 ? [...cases].reverse() : cases) {
    gc();
    const { p50, p99 } = await measure(c.run, callsPerRound);
    results.get(c.name).p50.push(p50);
    results.get(c.name).p99.push(p99);
  }
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const base = results.get('piscina direct');
// Per-round ratios pair neighbouring measurements, which resists a shared machine's drift.
const paired = (r, key) => median(r[key].map((value, round) => value / base[key][round]));
console.log(
  '\n| case | p50 µs (median) | p99 µs (median) | p50 vs piscina | p99 vs piscina | p50 vs piscina (median of per-round ratios) | p99 (same) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [name, r] of results)
  console.log(
    `| ${name} | ${median(r.p50).toFixed(1)} | ${median(r.p99).toFixed(1)} | ` +
      `${(median(r.p50) / median(base.p50)).toFixed(2)}× | ${(median(r.p99) / median(base.p99)).toFixed(2)}× | ` +
      `${paired(r, 'p50').toFixed(2)}× | ${paired(r, 'p99').toFixed(2)}× |`,
  );
await guardPool.close();
await piscina.destroy();
