// pnpm bench redis-cluster [rounds] [seconds]
// The Redis rate limiter on one redis-server against a 3-primary Redis Cluster (same machine, same
// load: 50 connections, keys spread over 1,000 clients), and against rate-limiter-flexible's own
// RateLimiterRedis on the same Cluster; interleaved medians of req/s and p99. Then Redis commands
// per request on each Cluster primary, from INFO commandstats. Both topologies are started here from
// the installed redis-server (examples/scale-out/redis-topology.mjs) and stopped at the end.
import { fileURLToPath } from 'node:url';
import { interleave, load, pinLoadGenerator, printTable, startServer } from './_http-bench.mjs';
import { redisCli, startCluster, startStandalone } from '../examples/scale-out/redis-topology.mjs';

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
} finally {
  await cluster.stop();
  await standalone.stop();
}
