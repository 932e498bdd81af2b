// Redis topologies for the scale-out proof and the demo, started from the installed redis-server
// and redis-cli (no Docker) on free ports, each in its own temporary folder: standalone, a Cluster
// of primaries (optionally with one replica each) and Sentinel (primary, replica, three sentinels).
// Every process is a registered process group (process-registry.mjs): stop() ends them all, and so
// does the reaper if the caller dies first.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { exited, makeTempDir, removeDir, spawnGroup, stopGroup } from './process-registry.mjs';

const HOST = '127.0.0.1';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` distinct free TCP ports on 127.0.0.1, held open together so none is handed out twice. */
export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Runs `redis-cli -p <port> <args…>` and resolves with its output (raw format: one value a line). */
export function redisCli(port, args, { timeoutMs = 3000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      'redis-cli',
      ['-h', HOST, '-p', String(port), ...args],
      { timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${stderr || error.message}`));
        else resolve(stdout.trim());
      },
    );
  });
}

/** Polls `check` until it returns a truthy value (which is returned), or throws after `timeoutMs`. */
export async function waitUntil(check, what, { timeoutMs = 20_000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`,
      );
    await sleep(intervalMs);
  }
}

/** `field:value` lines of INFO (or CLUSTER INFO) as an object. */
export function parseInfo(text) {
  const fields = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

/** Alternating name/value lines (redis-cli's raw output of a flat map reply) as an object. */
function parsePairs(text) {
  const lines = text.split(/\r?\n/);
  const fields = {};
  for (let i = 0; i + 1 < lines.length; i += 2) fields[lines[i]] = lines[i + 1];
  return fields;
}

/**
 * Starts one redis-server (or sentinel) with `config` lines in `dir/<name>`, on a free port; a port
 * taken between the check and the start is retried with another.
 */
async function startServer(root, name, config, { sentinel = false, extraPorts = 0 } = {}) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const [port, ...extra] = await freePorts(1 + extraPorts);
    const file = join(dir, sentinel ? 'sentinel.conf' : 'redis.conf');
    const lines = [
      `port ${port}`,
      `bind ${HOST}`,
      `dir ${dir}`,
      `logfile ${join(dir, 'server.log')}`,
      'daemonize no',
      // No persistence, and a replica's first sync starts at once (the default waits 5 s for more).
      ...(sentinel ? [] : ['save ""', 'appendonly no', 'repl-diskless-sync-delay 0']),
      ...config({ port, extra }),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const node = { name, port, extraPorts: extra, dir, file, sentinel, child: undefined };
    await launch(node);
    const up = await waitUntil(
      async () => {
        if (node.child.exitCode !== null) return 'exited';
        return (await redisCli(port, ['PING'])) === 'PONG' ? 'up' : undefined;
      },
      `${name} on port ${port}`,
      { timeoutMs: 10_000 },
    );
    if (up === 'up') return node;
    if (attempt >= 3) throw new Error(`${name} would not start (see ${dir}/server.log)`);
  }
}

async function launch(node) {
  // Started in its folder: redis-server rewrites its command line and environment (its process
  // title), so its working directory is what tells the leftover check whose it is.
  node.child = spawnGroup('redis-server', [node.file, ...(node.sentinel ? ['--sentinel'] : [])], {
    cwd: node.dir,
    stdio: 'ignore',
  });
  node.alive = true;
}

/** Stops a node's process group now (SIGKILL: a crash, not a shutdown). */
async function killNode(node) {
  if (!node.child) return;
  node.alive = false;
  await stopGroup(node.child, { signal: 'SIGKILL' });
}

/** Starts a killed node again on its port, with its folder (a Cluster node keeps its identity). */
async function restartNode(node) {
  await launch(node);
  await waitUntil(
    async () => (await redisCli(node.port, ['PING'])) === 'PONG',
    `${node.name} back on port ${node.port}`,
  );
}

function topology(kind, dir, nodes, connection, extra = {}) {
  let stopped = false;
  return {
    kind,
    dir,
    nodes,
    connection,
    /** Kills a node (SIGKILL) under whatever load there is. */
    kill: killNode,
    restart: restartNode,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(nodes.map(killNode));
      removeDir(dir);
    },
    ...extra,
  };
}

/** One redis-server. `connection`: `{ kind: 'standalone', host, port }`. */
export async function startStandalone() {
  const dir = makeTempDir('standalone');
  try {
    const node = await startServer(dir, 'redis', () => []);
    node.role = 'primary';
    return topology('standalone', dir, [node], { kind: 'standalone', host: HOST, port: node.port });
  } catch (error) {
    removeDir(dir);
    throw error;
  }
}

/** The nodes a Cluster reports: `{ id, port, flags, primaryId, slots }` per line of CLUSTER NODES. */
export async function clusterNodes(port) {
  const text = await redisCli(port, ['CLUSTER', 'NODES']);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, address, flags, primaryId, , , , link, ...slots] = line.split(' ');
      return {
        id,
        port: Number(address.split('@')[0].split(':').pop()),
        flags: flags.split(','),
        primaryId: primaryId === '-' ? undefined : primaryId,
        connected: link === 'connected',
        slots,
      };
    });
}

/**
 * A Cluster of `primaries` primaries, each with `replicas` replicas, created with
 * `redis-cli --cluster create … --cluster-yes`. `cluster-node-timeout` is short (`nodeTimeoutMs`)
 * so a killed primary's replica is promoted within a couple of seconds.
 * `connection`: `{ kind: 'cluster', nodes: [{ host, port }…] }`.
 */
export async function startCluster({ primaries = 3, replicas = 0, nodeTimeoutMs = 1000 } = {}) {
  const dir = makeTempDir('cluster');
  const nodes = [];
  const stopAll = async () => {
    await Promise.all(nodes.map(killNode));
    removeDir(dir);
  };
  try {
    const count = primaries * (1 + replicas);
    nodes.push(
      ...(await Promise.all(
        Array.from({ length: count }, (_, i) =>
          startServer(
            dir,
            `node-${i + 1}`,
            ({ extra }) => [
              'cluster-enabled yes',
              'cluster-config-file nodes.conf',
              `cluster-node-timeout ${nodeTimeoutMs}`,
              // Redis 7: the bus port is chosen here, so it is free too (not port + 10000).
              `cluster-port ${extra[0]}`,
              // A replica with a stale copy may still take over: this cluster is for tests.
              'cluster-replica-validity-factor 0',
            ],
            { extraPorts: 1 },
          ),
        ),
      )),
    );
    await redisCli(
      nodes[0].port,
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `${HOST}:${node.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeoutMs: 30_000 },
    );
    await waitUntil(async () => {
      for (const node of nodes) {
        const info = parseInfo(await redisCli(node.port, ['CLUSTER', 'INFO']));
        if (info.cluster_state !== 'ok' || Number(info.cluster_known_nodes) !== count) return false;
      }
      const check = await redisCli(nodes[0].port, [
        '--cluster',
        'check',
        `${HOST}:${nodes[0].port}`,
      ]);
      return (
        check.includes('All nodes agree about slots configuration') &&
        check.includes('All 16384 slots covered')
      );
    }, 'the cluster to agree on its slots');
    const view = await clusterNodes(nodes[0].port);
    for (const node of nodes) {
      const seen = view.find((entry) => entry.port === node.port);
      node.id = seen.id;
      node.role = seen.flags.includes('master') ? 'primary' : 'replica';
    }
    if (replicas > 0)
      await waitUntil(async () => {
        for (const node of nodes.filter((n) => n.role === 'replica')) {
          const info = parseInfo(await redisCli(node.port, ['INFO', 'replication']));
          if (info.master_link_status !== 'up') return false;
        }
        return true;
      }, 'every replica to sync');
    return topology(
      'cluster',
      dir,
      nodes,
      { kind: 'cluster', nodes: nodes.map((node) => ({ host: HOST, port: node.port })) },
      {
        /** The current CLUSTER NODES view, asked of a live node. */
        async view() {
          const live = nodes.find((node) => node.alive);
          return clusterNodes(live.port);
        },
      },
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Sentinel: one primary, `replicas` replicas and `sentinels` sentinels (quorum: a majority)
 * monitoring it as `name`; a primary unreachable for `downAfterMs` is failed over.
 * `connection`: `{ kind: 'sentinel', sentinels: [{ host, port }…], name }`.
 */
export async function startSentinel({
  replicas = 1,
  sentinels = 3,
  name = 'guardprimary',
  downAfterMs = 1000,
} = {}) {
  const dir = makeTempDir('sentinel');
  const nodes = [];
  try {
    const primary = await startServer(dir, 'primary', () => []);
    primary.role = 'primary';
    nodes.push(primary);
    for (let i = 1; i <= replicas; i++) {
      const replica = await startServer(dir, `replica-${i}`, () => [
        `replicaof ${HOST} ${primary.port}`,
      ]);
      replica.role = 'replica';
      nodes.push(replica);
    }
    await waitUntil(async () => {
      const info = parseInfo(await redisCli(primary.port, ['INFO', 'replication']));
      return Number(info.connected_slaves) === replicas;
    }, 'the replicas to connect');
    const quorum = Math.floor(sentinels / 2) + 1;
    for (let i = 1; i <= sentinels; i++) {
      const sentinel = await startServer(
        dir,
        `sentinel-${i}`,
        () => [
          `sentinel monitor ${name} ${HOST} ${primary.port} ${quorum}`,
          `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
        ],
        { sentinel: true },
      );
      sentinel.role = 'sentinel';
      nodes.push(sentinel);
    }
    const sentinelNodes = nodes.filter((node) => node.role === 'sentinel');
    await waitUntil(async () => {
      for (const sentinel of sentinelNodes) {
        const master = parsePairs(await redisCli(sentinel.port, ['SENTINEL', 'MASTER', name]));
        if (Number(master['num-other-sentinels']) !== sentinels - 1) return false;
        if (Number(master['num-slaves']) !== replicas) return false;
      }
      return true;
    }, 'the sentinels to find each other and the replicas');
    return topology(
      'sentinel',
      dir,
      nodes,
      {
        kind: 'sentinel',
        name,
        sentinels: sentinelNodes.map((node) => ({ host: HOST, port: node.port })),
      },
      {
        /** The port the sentinels currently name as primary. */
        async primaryPort() {
          const live = sentinelNodes.find((node) => node.alive);
          const reply = await redisCli(live.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name]);
          return Number(reply.split('\n')[1]);
        },
      },
    );
  } catch (error) {
    await Promise.all(nodes.map(killNode));
    removeDir(dir);
    throw error;
  }
}

export { exited };
