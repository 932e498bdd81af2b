// pnpm bench shed-cost [rounds] [seconds]
// What a shed refusal costs: guard() at its defaults (rateLimit off) refusing every request (503
// problem+json with the security headers, Retry-After and a fresh errorId, the error handler's
// default logger on) against a bare server answering a tiny JSON, server on one core. The target
// (issue 10): a refusal costs at most a quarter of a bare-express request's CPU, i.e. refusals per
// second ≥ 4× bare express's requests per second. "in framework": the same refusals made inside
// Express/Koa (a pass-through middleware before guard() keeps them from being made before dispatch).
import { fileURLToPath } from 'node:url';
import { interleave, pinLoadGenerator, printTable } from './_http-bench.mjs';

const rounds = Number(process.argv[2] ?? 5);
const durationSeconds = Number(process.argv[3] ?? 5);
const script = fileURLToPath(new URL('./servers/shed-cost-server.mjs', import.meta.url));
const pinned = pinLoadGenerator();
const env = { NODE_ENV: 'production' };
const cases = [
  { name: 'node:http bare', script, args: ['node', 'bare'], env, path: '/ok' },
  { name: 'express bare', script, args: ['express', 'bare'], env, path: '/ok' },
  { name: 'express shed', script, args: ['express', 'shed'], env, path: '/ok' },
  {
    name: 'express shed in framework',
    script,
    args: ['express', 'shed-in-framework'],
    env,
    path: '/ok',
  },
  { name: 'koa bare', script, args: ['koa', 'bare'], env, path: '/ok' },
  { name: 'koa shed', script, args: ['koa', 'shed'], env, path: '/ok' },
  { name: 'koa shed in framework', script, args: ['koa', 'shed-in-framework'], env, path: '/ok' },
];

console.log(
  `shed-cost bench: ${rounds} interleaved rounds × ${durationSeconds} s, 50 connections, ` +
    `taskset ${pinned ? 'on (server core 1, load core 0)' : 'unavailable'}, node ${process.version}`,
);
const results = await interleave(cases, { rounds, durationSeconds, connections: 50 });
printTable('A shed refusal against a bare request (GET /ok)', results, [
  { name: 'express bare' },
  { name: 'node:http bare', baseline: 'express bare' },
  { name: 'express shed', baseline: 'express bare' },
  { name: 'express shed in framework', baseline: 'express bare' },
  { name: 'koa bare', baseline: 'express bare' },
  { name: 'koa shed', baseline: 'express bare' },
  { name: 'koa shed in framework', baseline: 'express bare' },
  { name: 'koa shed', baseline: 'koa bare' },
]);
for (const name of [
  'express shed',
  'express shed in framework',
  'koa shed',
  'koa shed in framework',
]) {
  const r = results[name];
  const share = r.cpu / results['express bare'].cpu;
  console.log(
    `\n${name}: ${r.non2xx} non-2xx of the measured requests; one refusal costs ` +
      `${(share * 100).toFixed(0)} % of a bare-express request's CPU (target ≤ 25 %)`,
  );
}
