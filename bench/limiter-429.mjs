// pnpm bench limiter-429 [rounds] [seconds]
// The rejection path: every request over the limit (limit 1), rateLimit() + errorHandler() (429
// problem+json with Retry-After and RateLimit headers) against express-rate-limit's 429, Express 5.
import { fileURLToPath } from 'node:url';
import { interleave, pinLoadGenerator, printTable } from './_http-bench.mjs';

const rounds = Number(process.argv[2] ?? 5);
const durationSeconds = Number(process.argv[3] ?? 5);
const script = fileURLToPath(new URL('./servers/rate-limit-server.mjs', import.meta.url));
const pinned = pinLoadGenerator();
const env = { NODE_ENV: 'production' };
const cases = [
  { name: 'rateLimit() 429', script, args: ['guard-429'], env, path: '/' },
  { name: 'express-rate-limit 429', script, args: ['erl-429'], env, path: '/' },
];

console.log(
  `limiter-429 bench: ${rounds} interleaved rounds × ${durationSeconds} s, 50 connections, ` +
    `taskset ${pinned ? 'on (server core 1, load core 0)' : 'unavailable'}, node ${process.version}`,
);
const results = await interleave(cases, { rounds, durationSeconds, connections: 50 });
printTable('429 path on Express 5 (limit 1, every request after the first rejected)', results, [
  { name: 'express-rate-limit 429' },
  { name: 'rateLimit() 429', baseline: 'express-rate-limit 429' },
]);
