// pnpm bench guard [rounds] [seconds]
// The full guard() (memory rate limiter) against bare express/koa and against the peer stack a user
// would assemble today, interleaved in one run: medians of req/s, server CPU per request, p99.
import { fileURLToPath } from 'node:url';
import { interleave, pinLoadGenerator, printTable } from './_http-bench.mjs';

const rounds = Number(process.argv[2] ?? 5);
const durationSeconds = Number(process.argv[3] ?? 5);
const script = fileURLToPath(new URL('./servers/guard-server.mjs', import.meta.url));
const pinned = pinLoadGenerator();
const env = { NODE_ENV: 'production' };

const cases = [];
for (const framework of ['express', 'koa'])
  for (const variant of ['bare', 'peer', 'guard'])
    cases.push({
      name: `${framework} ${variant}`,
      script,
      args: [framework, variant],
      env,
      path: '/ok',
    });

console.log(
  `guard bench: ${rounds} interleaved rounds × ${durationSeconds} s, 50 connections, ` +
    `taskset ${pinned ? 'on (server core 1, load core 0)' : 'unavailable'}, node ${process.version}`,
);
const results = await interleave(cases, { rounds, durationSeconds, connections: 50 });
for (const framework of ['express', 'koa']) {
  printTable(`${framework}: full guard() vs bare and vs the peer stack (GET /ok)`, results, [
    { name: `${framework} bare` },
    { name: `${framework} peer`, baseline: `${framework} bare` },
    { name: `${framework} guard`, baseline: `${framework} bare` },
    { name: `${framework} guard`, baseline: `${framework} peer` },
  ]);
}
const failures = Object.entries(results).filter(([, r]) => r.non2xx > 0 || r.errors > 0);
for (const [name, r] of failures)
  console.log(`\nwarning: ${name} had ${r.non2xx} non-2xx and ${r.errors} errors`);
