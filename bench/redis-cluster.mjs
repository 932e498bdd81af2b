// pnpm bench redis-cluster [rounds] [seconds]
// The Redis rate limiter on one redis-server against a 3-primary Redis Cluster (same machine, same
// load: 50 connections, keys spread over 1,000 clients), and against rate-limiter-flexible's own
// RateLimiterRedis on the same Cluster; interleaved medians of req/s and p99. Then Redis commands
// per request on each Cluster primary, from INFO commandstats. Then the limiter alone, in this
// process, without HTTP (CPU µs per consume, less disturbed by other load on the machine). Both
// topologies are started here from the installed redis-server (examples/scale-out/redis-topology.mjs)
// and stopped at the end.
import { fileURLToPath } from 'node:url';
import { interleave, load, pinLoadGenerator, printTable, startServer } from './_http-bench.mjs';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { createRateLimiter } from '@guard-suite/core';
import { createRedisClient, ready } from '../examples/scale-out/redis-client.mjs';
import { redisCli, startCluster, startStandalone } from '../examples/scale-out/redis-topology.mjs';
import { median } from './_http-bench.mjs';

const rounds = Number(process.argv[2] ?? 3);
const durationSeconds = Number(process.argv[3] ?? 3);
const script = fileURLToPath(new URL('./servers/cluster-limit-server.mjs', import.meta.url));

// Redis first: its processes must not inherit the load generator's core.
const standalone = await startStandalone();
const cluster = await startCluster({ primaries: 3 });
try {
  const pinned = pinLoadGenerator();
  const on = (topology) => ({
    NODE_ENV: 'production',
    REDIS_CONNECTION: JSON.stringify(topology.connection),
  });
  const names = {
    bare: 'express bare',
    standalone: 'rateLimit() redis, standalone',
    cluster: 'rateLimit() redis, Cluster (3 primaries)',
    rlf: 'RateLimiterRedis middleware, same Cluster',
  };
  const cases = [
    { name: names.bare, script, args: ['bare'], env: { NODE_ENV: 'production' }, path: '/' },
    { name: names.standalone, script, args: ['guard'], env: on(standalone), path: '/' },
    { name: names.cluster, script, args: ['guard'], env: on(cluster), path: '/' },
    { name: names.rlf, script, args: ['rlf'], env: on(cluster), path: '/' },
  ];
  console.log(
    `redis-cluster bench: ${rounds} interleaved rounds × ${durationSeconds} s, 50 connections, ` +
      `1,000 keys, taskset ${pinned ? 'on (server core 1, load core 0)' : 'unavailable'}, ` +
      `node ${process.version}, ${(await redisCli(standalone.nodes[0].port, ['INFO', 'server'])).match(/redis_version:(\S+)/)?.[1]}`,
  );
  const results = await interleave(cases, { rounds, durationSeconds, connections: 50 });
  printTable(
    'Redis store: standalone vs Cluster, req/s on Express 5 (limit never reached)',
    results,
    [
      { name: names.bare },
      { name: names.standalone, baseline: names.bare },
      { name: names.cluster, baseline: names.bare },
      { name: names.cluster, baseline: names.standalone },
      { name: names.rlf, baseline: names.bare },
      { name: names.cluster, baseline: names.rlf },
    ],
  );

  // Commands per request on each primary. commandstats also counts what a script runs inside Redis
  // (SET, INCRBY, PTTL), so the round trips are the top-level commands: EVALSHA (and EVAL once per
  // node if it answered NOSCRIPT).
  const primaries = cluster.nodes;
  const stats = async (port) => {
    const calls = {};
    for (const m of (await redisCli(port, ['INFO', 'commandstats'])).matchAll(
      /^cmdstat_([^:]+):calls=(\d+)/gm,
    ))
      calls[m[1]] = Number(m[2]);
    return calls;
  };
  const upkeep = /^(cluster|info|config|ping|command|client|hello|select|readonly)\b/;
  console.log(
    '\n### Cluster: Redis commands per request, per primary (INFO commandstats ÷ requests served)\n',
  );
  console.log(
    '| case | requests | primary | share of requests | top-level commands/request (on that node) | run inside the script |',
  );
  console.log('| --- | ---: | --- | ---: | --- | --- |');
  for (const variant of ['guard', 'rlf']) {
    const server = await startServer(script, [variant], on(cluster));
    try {
      await load(server.url, { durationSeconds: 1, connections: 10 }); // scripts loaded on every node
      await Promise.all(primaries.map((node) => redisCli(node.port, ['CONFIG', 'RESETSTAT'])));
      const sample = await load(server.url, { durationSeconds: 3, connections: 10 });
      for (const node of primaries) {
        const calls = Object.entries(await stats(node.port)).filter(([name]) => !upkeep.test(name));
        const top = calls.filter(([name]) =>
          ['evalsha', 'eval', 'multi', 'exec', 'get', 'del'].includes(name),
        );
        const inside = calls.filter(([name]) => !top.some(([t]) => t === name));
        const evalsha = calls.find(([name]) => name === 'evalsha')?.[1] ?? 0;
        const per = (list) =>
          list.map(([n, c]) => `${n} ${(c / Math.max(evalsha, 1)).toFixed(3)}`).join(', ');
        console.log(
          `| ${variant === 'guard' ? names.cluster : names.rlf} | ${sample.requests} | :${node.port} | ` +
            `${((evalsha / sample.requests) * 100).toFixed(1)} % | ${per(top)} | ${per(inside)} |`,
        );
      }
    } finally {
      await server.stop();
    }
  }

  // The limiter alone: 20,000 consumes, 50 at a time, over 1,000 keys; CPU of this process per op.
  console.log(
    '\n### consume() in-process, no HTTP: CPU µs per call (median of 5 interleaved rounds)\n',
  );
  console.log('| limiter | standalone | Cluster (3 primaries) |');
  console.log('| --- | ---: | ---: |');
  const clients = {
    standalone: createRedisClient(standalone.connection),
    cluster: createRedisClient(cluster.connection),
  };
  await Promise.all(Object.values(clients).map(ready));
  const limiters = {};
  for (const [where, redis] of Object.entries(clients)) {
    const prefix = `guard-bench:${process.pid}:`;
    const ours = createRateLimiter({
      limit: 1e9,
      windowMs: 60_000,
      store: { redis, prefix, timeoutMs: 10_000 },
    });
    const rlf = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}rlf`,
      points: 1e9,
      duration: 60,
    });
    limiters[`rateLimit() ${where}`] = (key) => ours.consume(key);
    limiters[`RateLimiterRedis ${where}`] = (key) => rlf.consume(key);
  }
  const cpu = Object.fromEntries(Object.keys(limiters).map((name) => [name, []]));
  for (let round = 0; round < 5; round++) {
    const names = Object.keys(limiters);
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const consume = limiters[name];
      let n = 0;
      const before = process.cpuUsage();
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (n < 20_000) await consume(`client-${n++ % 1000}`);
        }),
      );
      const used = process.cpuUsage(before);
      cpu[name].push((used.user + used.system) / 20_000);
    }
  }
  for (const limiter of ['rateLimit()', 'RateLimiterRedis'])
    console.log(
      `| ${limiter} | ${median(cpu[`${limiter} standalone`]).toFixed(1)} | ` +
        `${median(cpu[`${limiter} cluster`]).toFixed(1)} |`,
    );
  for (const redis of Object.values(clients)) redis.disconnect();
} finally {
  await cluster.stop();
  await standalone.stop();
}
