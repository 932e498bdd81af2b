// pnpm bench error-handler [rounds] [seconds]
// The secure error handler against the frameworks' own handlers: the error path (a handler that
// throws) and the success path with errorHandler installed vs bare, interleaved, medians.
import { fileURLToPath } from 'node:url';
import { interleave, pinLoadGenerator, printTable } from './_http-bench.mjs';

const rounds = Number(process.argv[2] ?? 5);
const durationSeconds = Number(process.argv[3] ?? 5);
const script = fileURLToPath(new URL('./servers/error-handler-server.mjs', import.meta.url));
const pinned = pinLoadGenerator();
const env = { NODE_ENV: 'production' };

const cases = [];
for (const framework of ['express', 'koa'])
  for (const variant of ['bare', 'guarded'])
    for (const path of ['/ok', '/boom'])
      cases.push({
        name: `${framework} ${variant} ${path}`,
        script,
        args: [framework, variant],
        env,
        path,
      });

console.log(
  `error-handler bench: ${rounds} interleaved rounds × ${durationSeconds} s, 50 connections, ` +
    `taskset ${pinned ? 'on (server core 1, load core 0)' : 'unavailable'}, node ${process.version}`,
);
const results = await interleave(cases, { rounds, durationSeconds, connections: 50 });
printTable('Success path (GET /ok): errorHandler installed vs bare', results, [
  { name: 'express bare /ok' },
  { name: 'express guarded /ok', baseline: 'express bare /ok' },
  { name: 'koa bare /ok' },
  { name: 'koa guarded /ok', baseline: 'koa bare /ok' },
]);
printTable("Error path (GET /boom): errorHandler vs the framework's default handler", results, [
  { name: 'express bare /boom' },
  { name: 'express guarded /boom', baseline: 'express bare /boom' },
  { name: 'koa bare /boom' },
  { name: 'koa guarded /boom', baseline: 'koa bare /boom' },
]);
