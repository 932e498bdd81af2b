// pnpm bench redis-limiter [rounds] [seconds]
// rateLimit() with the Redis store against express-rate-limit + rate-limit-redis and against
// rate-limiter-flexible's RateLimiterRedis, all on Express 5 and the same Redis, interleaved medians;
// then Redis commands per request from INFO commandstats.
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { interleave, load, pinLoadGenerator, printTable, startServer } from './_http-bench.mjs';

const rounds = Number(process.argv[2] ?? 5);
const durationSeconds = Number(process.argv[3] ?? 5);
const script = fileURLToPath(new URL('./servers/rate-limit-server.mjs', import.meta.url));
const pinned = pinLoadGenerator();
const env = { NODE_ENV: 'production' };
const names = {
  bare: 'express bare',
  'guard-redis': 'rateLimit() redis',
  'erl-redis': 'express-rate-limit + rate-limit-redis',
  'rlf-redis': 'RateLimiterRedis middleware',
};
const cases = Object.entries(names).map(([variant, name]) => ({
  name,
  script,
  args: [variant],
  env,
  path: '/',
}));

console.log(
  `redis-limiter bench: ${rounds} interleaved rounds × ${durationSeconds} s, 50 connections, ` +
    `taskset ${pinned ? 'on (server core 1, load core 0)' : 'unavailable'}, node ${process.version}`,
);
const results = await interleave(cases, { rounds, durationSeconds, connections: 50 });
printTable('Redis store: req/s on Express 5 (limit never reached)', results, [
  { name: names.bare },
  { name: names['guard-redis'], baseline: names.bare },
  { name: names['erl-redis'], baseline: names.bare },
  { name: names['rlf-redis'], baseline: names.bare },
  { name: names['guard-redis'], baseline: names['erl-redis'] },
  { name: names['guard-redis'], baseline: names['rlf-redis'] },
]);

// Round trips: Redis's own count of commands over one short run per limiter. INFO commandstats is
// server-wide, so anything else using this Redis at the time inflates the figure (an upper bound).
const admin = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const commandCounts = async () => {
  const counts = {};
  for (const line of (await admin.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match) counts[match[1]] = Number(match[2]);
  }
  return counts;
};
console.log('\n### Redis commands per request (INFO commandstats delta ÷ requests served)\n');
console.log('| case | requests | commands/request | by command |');
console.log('| --- | ---: | ---: | --- |');
for (const variant of ['guard-redis', 'erl-redis', 'rlf-redis']) {
  const server = await startServer(script, [variant], env);
  try {
    await load(server.url, { durationSeconds: 1, connections: 10 }); // scripts loaded, connections up
    const before = await commandCounts();
    const sample = await load(server.url, { durationSeconds: 3, connections: 10 });
    const after = await commandCounts();
    const deltas = Object.entries(after)
      .map(([name, calls]) => [name, calls - (before[name] ?? 0)])
      .filter(([name, delta]) => delta > 0 && name !== 'info');
    const total = deltas.reduce((n, [, d]) => n + d, 0);
    console.log(
      `| ${names[variant]} | ${sample.requests} | ${(total / sample.requests).toFixed(3)} | ` +
        `${deltas.map(([n, d]) => `${n} ${(d / sample.requests).toFixed(3)}`).join(', ')} |`,
    );
  } finally {
    await server.stop();
  }
}
admin.disconnect();
