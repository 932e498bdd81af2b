// pnpm bench overload [models] [--option value ...]
//
// Open-loop overload benchmark (issue 10, "Prove it"): Poisson arrivals that never slow down when
// the server does, each request with a 1 s client deadline (the client then closes its socket and
// counts a timeout), the server pinned to one core and this generator to the other. For each
// service model, capacity is measured first on bare Express (closed loop), then every contender runs
// at each offered load (× capacity), interleaved, on a fresh server per step.
//
//   models        io (each request holds one of C downstream slots ~20 ms), cpu (2 ms of CPU per
//                 request), tiny (the closed-loop check: 50 connections, tiny handler). Default io,cpu
//   --pool        C for io, a list runs each: --pool 8,32,128                     (default 32)
//   --contenders  bare, peer (helmet + toobusy-js + connect-timeout at their defaults), peer-lax
//                 (the same at guard-server.mjs's out-of-reach values), guard (guard() defaults with
//                 rateLimit: false)                                               (default bare,peer,guard)
//   --loads       offered loads × capacity                                       (default 0.5,1,1.5,2,3)
//   --warmup      seconds per step before measuring                              (default 3)
//   --duration    measured seconds per step                                      (default 10)
//   --deadline    client deadline, ms                                            (default 1000)
//   --priority    load of the priority scenario (20 % critical, 80 % sheddable), 0 skips (default 2)
//   --capacity    skip the probe: io=1390,io-c8=380,cpu=410                       (default: probe)
//   --probe       seconds of the capacity probe (after 2 s of warm-up)            (default 5)
//   --out-dir     where the JSON results go                                      (default bench/results)
//   --svg-dir     where the charts go (overload-<model>.svg), '' for none         (default docs)
//   --baseline    a JSON results file of an earlier run: its guard() line is drawn dashed
//   --plot        only print the tables and redraw the charts of a JSON results file
//   --max-load    before each step, wait (up to --max-wait minutes in all) while the 1-minute
//                 load average is above this; each step records its load average (default: no wait)
//   --backlog     the servers' listen backlog                                  (default Node's, 511)
//   --server-cpu / --load-cpu  cores for taskset                                 (default 0 / 1)
//   --tiny-rounds / --tiny-duration / --tiny-connections  the tiny check         (default 3 / 5 / 50)
//   --verbose     show the servers' stderr
//   BENCH_TRACE=<prefix> (environment): each step's server writes guard()'s figures every 100 ms to
//                 <prefix>-server.jsonl (appended; with the requests handled, served and refused and
//                 the server's CPU ms since the line before) and the generator every measured request
//                 (epoch ms sent, latency, status, class, new or reused connection) to
//                 <prefix>-client.csv (one step: the last one run)
//   BENCH_PROFILE=<prefix> (environment): each server writes a V8 CPU profile of its life to
//                 <prefix>-<pid>.cpuprofile when it is stopped
//
// Examples: pnpm bench overload                    (io C=32 and cpu, all contenders, ~9 min)
//           pnpm bench overload io --pool 8,128 --contenders guard --priority 0
//           pnpm bench overload cpu --loads 2,3 --duration 5 --svg-dir ''
//           pnpm bench overload tiny
// Results: a Markdown table per model on stdout, bench/results/overload-<model>.json, and
// docs/overload-<model>.svg (goodput against offered load, one line per contender).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, pinLoadGenerator, startServer } from './_http-bench.mjs';
import { closedLoop, createRawClient, openLoop } from './_open-loop.mjs';
import { goodputChart } from './_svg-chart.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'bench/servers/overload-server.mjs');
const CONTENDERS = ['bare', 'peer', 'peer-lax', 'guard'];
const MODELS = ['io', 'cpu', 'tiny'];
const LABELS = {
  bare: 'bare Express',
  peer: 'peer: toobusy-js + connect-timeout',
  'peer-lax': 'peer (lax thresholds)',
  guard: 'guard() defaults',
};

// --- arguments ---------------------------------------------------------------------------------
const options = {
  models: 'io,cpu',
  pool: '32',
  contenders: 'bare,peer,guard',
  loads: '0.5,1,1.5,2,3',
  warmup: '3',
  duration: '10',
  deadline: '1000',
  priority: '2',
  capacity: '',
  probe: '5',
  'out-dir': 'bench/results',
  'svg-dir': 'docs',
  baseline: '',
  plot: '',
  'max-load': '',
  'max-wait': '30',
  backlog: '',
  'server-cpu': '0',
  'load-cpu': '1',
  'tiny-rounds': '3',
  'tiny-duration': '5',
  'tiny-connections': '50',
  verbose: false,
};
{
  const argv = process.argv.slice(2);
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0];
      console.log(header.replace(/^\/\/ ?/gm, ''));
      process.exit(0);
    }
    if (!arg.startsWith('--')) {
      positional.push(...arg.split(','));
      continue;
    }
    const [key, inline] = arg.slice(2).split(/=(.*)/s);
    if (!(key in options)) throw new Error(`overload: unknown option --${key} (see --help)`);
    if (key === 'verbose') options.verbose = true;
    else options[key] = inline ?? argv[++i] ?? '';
  }
  if (positional.length > 0) options.models = positional.join(',');
}
const list = (text) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const numbers = (text, name) =>
  list(text).map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`overload: --${name} wants numbers, got ${s}`);
    return n;
  });
const models = list(options.models);
const contenders = list(options.contenders);
for (const m of models) if (!MODELS.includes(m)) throw new Error(`overload: unknown model ${m}`);
for (const c of contenders)
  if (!CONTENDERS.includes(c)) throw new Error(`overload: unknown contender ${c}`);
const pools = numbers(options.pool, 'pool');
const loads = numbers(options.loads, 'loads');
const warmupMs = Number(options.warmup) * 1000;
const durationMs = Number(options.duration) * 1000;
const deadlineMs = Number(options.deadline);
const priorityLoad = Number(options.priority);
const probeMs = Number(options.probe) * 1000;
const givenCapacity = Object.fromEntries(
  list(options.capacity).map((pair) => {
    const [key, value] = pair.split('=');
    return [key, Number(value)];
  }),
);
const serverCpu = Number(options['server-cpu']);
const loadCpu = Number(options['load-cpu']);
const outDir = options['out-dir'] ? resolve(root, options['out-dir']) : '';
const svgDir = options['svg-dir'] ? resolve(root, options['svg-dir']) : '';
const env = { NODE_ENV: 'production', BENCH_BACKLOG: options.backlog };

const keyOf = (model, slots) => (model !== 'io' ? model : slots === 32 ? 'io' : `io-c${slots}`);
const describeModel = (model, slots) =>
  model === 'io'
    ? `I/O-bound: a downstream pool of C = ${slots} slots, each request holds one ~20 ms`
    : model === 'cpu'
      ? 'CPU-bound: 2 ms of busy CPU per request'
      : 'tiny handler, closed loop';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (n, digits = 0) => (n === undefined ? undefined : Number(n.toFixed(digits)));
const fmt = (n, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (part, whole) => (whole ? (100 * part) / whole : 0);

// --- charts only -------------------------------------------------------------------------------
function chartFor(result, baseline) {
  const series = [];
  for (const contender of result.contenders) {
    const points = result.steps
      .filter((s) => s.contender === contender)
      .map((s) => [s.load, s.goodputRatio]);
    series.push({ name: LABELS[contender] ?? contender, key: contender, points });
  }
  const base = asModels(baseline).find((m) => m.key === result.key);
  if (base) {
    const points = base.steps
      .filter((s) => s.contender === 'guard')
      .map((s) => [s.load, s.goodputRatio]);
    if (points.length)
      series.push({
        name: `guard() defaults, baseline ${base.meta?.commit ?? ''} ${base.meta?.date?.slice(0, 10) ?? ''}`,
        key: 'guard',
        points,
        dashed: true,
      });
  }
  const meta = result.meta;
  return goodputChart({
    title: `${describeModel(result.model, result.slots)}`,
    subtitle:
      `capacity ${fmt(result.capacity)} req/s (bare Express); client deadline ${meta.deadlineMs} ms; ` +
      `${meta.date.slice(0, 10)}, ${meta.commit}`,
    series,
    deadlineMs: meta.deadlineMs,
  });
}

/** The models of a results file: a whole run's file, or one model's. */
const asModels = (file) => (!file ? [] : (file.models ?? (file.steps ? [file] : [])));

function writeCharts(results, baseline) {
  if (!svgDir) return;
  mkdirSync(svgDir, { recursive: true });
  for (const result of asModels(results)) {
    const file = join(svgDir, `overload-${result.key}.svg`);
    writeFileSync(file, chartFor(result, baseline));
    console.log(`chart: ${file}`);
  }
}

const baseline = options.baseline
  ? JSON.parse(readFileSync(resolve(root, options.baseline), 'utf8'))
  : undefined;
if (options.plot) {
  const results = JSON.parse(readFileSync(resolve(root, options.plot), 'utf8'));
  asModels(results).forEach(printModel);
  const tiny = results.tiny ?? (results.key === 'tiny' ? results : undefined);
  if (tiny) printTiny({ seconds: 5, ...tiny });
  writeCharts(results, baseline);
  process.exit(0);
}

// --- the run -----------------------------------------------------------------------------------
const git = (...args) => {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};
const pinned = pinLoadGenerator(loadCpu);
const meta = {
  date: new Date().toISOString(),
  commit: git('rev-parse', '--short', 'HEAD'),
  branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
  dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  taskset: pinned ? `server cpu ${serverCpu}, generator cpu ${loadCpu}` : 'unavailable',
  deadlineMs,
  backlog: options.backlog ? Number(options.backlog) : 'default (511)',
  warmupMs,
  durationMs,
  args: process.argv.slice(2).join(' '),
};

async function withServer(args, fn) {
  const server = await startServer(script, args, env, {
    cpu: serverCpu,
    stderr: options.verbose ? 'inherit' : 'ignore',
  });
  const client = createRawClient({ port: server.port });
  try {
    return await fn(server, client);
  } finally {
    client.close();
    await server.stop();
    await sleep(300); // let the closed sockets settle before the next server starts
  }
}

/**
 * Marks the start of the server's measured window now; the function returned reads its stats and
 * CPU share since then (call it at the window's end; it resolves with a promise).
 */
function markWindow(server) {
  const marked = (async () => {
    const at = performance.now();
    const cpu = await server.cpuMicros();
    await server.ask('mark', (m) => m.marked);
    return { cpu, at };
  })();
  return () =>
    (async () => {
      const start = await marked;
      const { stats } = await server.ask('stats', (m) => m.stats !== undefined);
      const cpu = await server.cpuMicros();
      return { ...stats, cpuShare: (cpu - start.cpu) / 1000 / (performance.now() - start.at) };
    })();
}

/** A closed loop on GET /work, with the server's own figures over the same measured window. */
async function measuredClosedLoop(server, client, { connections, warmupMs, durationMs }) {
  let readStats;
  let stats;
  const result = await closedLoop(client, {
    connections,
    warmupMs,
    durationMs,
    path: '/work',
    onWindowStart: () => {
      readStats = markWindow(server);
    },
    onWindowEnd: () => {
      stats = readStats();
    },
  });
  return { result, stats: await stats };
}

async function probeCapacity(model, slots) {
  const connections = model === 'io' ? Math.max(16, 2 * slots) : 16;
  return withServer(['bare', model, String(slots), 'plain'], async (server, client) => {
    const { result, stats } = await measuredClosedLoop(server, client, {
      connections,
      warmupMs: 2000,
      durationMs: probeMs,
    });
    return {
      capacity: result.goodputPerSecond,
      connections,
      okP99Ms: result.okP99Ms,
      generatorCpu: result.generatorCpu,
      serverCpu: stats.cpuShare,
    };
  });
}

/**
 * The kernel's count of connections dropped because a listen queue was full (Linux, whole machine;
 * `undefined` elsewhere). An overloaded server that stops accepting sheds load this way, unseen by
 * the application: the client's SYN goes unanswered and it times out.
 */
function listenOverflows() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const header = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = lines[header].split(/\s+/);
    const values = lines[header + 1].split(/\s+/);
    return Number(values[names.indexOf('ListenOverflows')]);
  } catch {
    return undefined;
  }
}

const maxLoad = options['max-load'] === '' ? Infinity : Number(options['max-load']);
let waitLeftMs = Number(options['max-wait']) * 60_000;

/** Waits while the machine's 1-minute load average is over --max-load (a shared machine). */
async function waitForQuiet() {
  while (loadavg()[0] > maxLoad && waitLeftMs > 0) {
    if (waitLeftMs % 60_000 === 0)
      process.stderr.write(`  load average ${loadavg()[0].toFixed(2)} > ${maxLoad}, waiting...\n`);
    await sleep(10_000);
    waitLeftMs -= 10_000;
  }
  return loadavg()[0];
}

async function runStep(contender, model, slots, capacity, load, priority) {
  const args = [contender, model, String(slots), priority ? 'priority' : 'plain'];
  const loadAverage = await waitForQuiet();
  return withServer(args, async (server, client) => {
    if (priority && contender === 'guard') {
      const { stats } = await server.ask('stats', (m) => m.stats !== undefined);
      if (stats.criticality === 'unsupported')
        return { contender, load, priority, criticality: 'n/a' };
    }
    const critical = { cls: 'critical', headers: 'x-bench-class: critical\r\n' };
    const sheddable = { cls: 'sheddable', headers: 'x-bench-class: sheddable\r\n' };
    const plain = { cls: 'all', headers: '' };
    let readStats;
    let serverStats;
    let overflowsAtWindow;
    let overflows;
    const result = await openLoop(client, {
      rate: load * capacity,
      warmupMs,
      durationMs,
      deadlineMs,
      path: '/work',
      pick: priority ? () => (Math.random() < 0.2 ? critical : sheddable) : () => plain,
      onWindowStart: () => {
        readStats = markWindow(server);
        overflowsAtWindow = listenOverflows();
      },
      onWindowEnd: () => {
        serverStats = readStats();
        overflows = listenOverflows() - overflowsAtWindow;
      },
    });
    serverStats = await serverStats;
    return {
      contender,
      load,
      priority,
      ...result,
      goodputRatio: result.goodputPerSecond / capacity,
      refusedShare: result.refused / result.sent,
      timeoutShare: result.timeouts / result.sent,
      server: serverStats,
      sockets: client.stats.connects,
      socketErrors: client.stats.errors,
      listenOverflows: overflows,
      loadAverage,
    };
  });
}

function printModel(result) {
  const { capacity } = result;
  console.log(
    `\n### ${describeModel(result.model, result.slots)}\n\ncapacity ${fmt(capacity)} req/s ` +
      `(${result.probe ? `bare Express, closed loop, ${result.probe.connections} connections` : 'given'})` +
      `; ${fmt(result.meta.warmupMs / 1000)} s warm-up + ${fmt(result.meta.durationMs / 1000)} s ` +
      `per step; ` +
      `load average ${result.loadavg.map((l) => l.toFixed(2)).join(' → ')}\n`,
  );
  console.log(
    '| contender | load | offered req/s | sent req/s (lag p99 ms) | goodput × cap | goodput req/s | ok p50 ms | ok p99 ms | refused | refused p99 ms | client timeouts (listen-queue drops) | errors | server CPU |',
  );
  console.log(
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const load of result.loads)
    for (const contender of result.contenders) {
      const s = result.steps.find((x) => x.contender === contender && x.load === load);
      if (!s) continue;
      console.log(
        `| ${contender} | ${load}× | ${fmt(s.targetRate)} | ${fmt(s.achievedRate)} (${fmt(s.sendLagP99Ms, 1)}) | ` +
          `**${fmt(s.goodputRatio, 2)}** | ${fmt(s.goodputPerSecond)} | ${fmt(s.okP50Ms)} | ` +
          `${fmt(s.okP99Ms)} | ` +
          `${fmt(100 * s.refusedShare, 1)} % | ${fmt(s.refusedP99Ms)} | ` +
          `${fmt(100 * s.timeoutShare, 1)} % (${fmt(100 * (s.listenOverflows / s.sent), 1)} %) | ` +
          `${s.errors} | ${fmt(100 * s.server.cpuShare)} % |`,
      );
    }
  if (result.priority.length) {
    console.log(
      `\nPriority: ${result.priorityLoad}× capacity, 20 % critical / 80 % sheddable (x-bench-class header; ` +
        `guard() maps it with \`criticality\` when the checkout has that option)\n`,
    );
    console.log(
      '| contender | critical success | sheddable success | goodput × cap | ok p99 ms | refused | client timeouts |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of result.priority) {
      if (s.criticality === 'n/a') {
        console.log(
          `| ${s.contender} | n/a (no \`criticality\` option) | n/a | n/a | n/a | n/a | n/a |`,
        );
        continue;
      }
      const rate = (cls) => fmt(100 * (s.classes[cls]?.successRate ?? 0), 1) + ' %';
      console.log(
        `| ${s.contender} | ${rate('critical')} | ${rate('sheddable')} | ${fmt(s.goodputRatio, 2)} | ` +
          `${fmt(s.okP99Ms)} | ${fmt(100 * s.refusedShare, 1)} % | ${fmt(100 * s.timeoutShare, 1)} % |`,
      );
    }
  }
}

async function runModel(model, slots) {
  const key = keyOf(model, slots);
  const started = performance.now();
  const loadBefore = loadavg()[0];
  let probe;
  let capacity = givenCapacity[key];
  if (!capacity) {
    await waitForQuiet();
    process.stderr.write(`[${key}] probing capacity on bare Express...\n`);
    probe = await probeCapacity(model, slots);
    capacity = probe.capacity;
    process.stderr.write(
      `[${key}] capacity ${fmt(capacity)} req/s (server CPU ${fmt(100 * probe.serverCpu)} %, ` +
        `generator CPU ${fmt(100 * probe.generatorCpu)} %)\n`,
    );
  }
  const steps = [];
  const announce = (s) =>
    process.stderr.write(
      s.criticality === 'n/a'
        ? `[${key}] ${s.contender} priority: n/a\n`
        : `[${key}] ${s.contender} ${s.load}×${s.priority ? ' priority' : ''}: goodput ` +
            `${fmt(s.goodputRatio, 2)}× cap, refused ${fmt(100 * s.refusedShare, 1)} %, timeouts ` +
            `${fmt(100 * s.timeoutShare, 1)} %, ok p99 ${fmt(s.okP99Ms)} ms, sent ${fmt(s.achievedRate)}/` +
            `${fmt(s.targetRate)} req/s, server CPU ${fmt(100 * s.server.cpuShare)} %, ` +
            `load average ${s.loadAverage.toFixed(1)}\n`,
    );
  // Interleaved: every load runs each contender before the next load, in a rotated order.
  for (const [i, load] of loads.entries()) {
    const order = contenders.map((_, j) => contenders[(i + j) % contenders.length]);
    for (const contender of order) {
      const step = await runStep(contender, model, slots, capacity, load, false);
      announce(step);
      steps.push(step);
    }
  }
  const priority = [];
  if (priorityLoad > 0)
    for (const contender of contenders) {
      const step = await runStep(contender, model, slots, capacity, priorityLoad, true);
      announce(step);
      priority.push(step);
    }
  const result = {
    key,
    model,
    slots: model === 'io' ? slots : undefined,
    description: describeModel(model, slots),
    capacity,
    probe,
    contenders,
    loads,
    priorityLoad,
    steps,
    priority,
    loadavg: [loadBefore, loadavg()[0]],
    seconds: round((performance.now() - started) / 1000),
    meta,
  };
  printModel(result);
  return result;
}

/** The median of the defined values, or `undefined` (no successes in any round). */
const medianOf = (values) => {
  const defined = values.filter((v) => v !== undefined);
  return defined.length ? median(defined) : undefined;
};

async function runTiny() {
  const rounds = Number(options['tiny-rounds']);
  const connections = Number(options['tiny-connections']);
  const tinyMs = Number(options['tiny-duration']) * 1000;
  const samples = Object.fromEntries(contenders.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    const order = contenders.map((_, j) => contenders[(r + j) % contenders.length]);
    for (const contender of order) {
      await waitForQuiet();
      const sample = await withServer([contender, 'tiny', '0', 'plain'], async (server, client) => {
        const { result, stats } = await measuredClosedLoop(server, client, {
          connections,
          warmupMs: 1000,
          durationMs: tinyMs,
        });
        return { ...result, server: stats };
      });
      process.stderr.write(
        `[tiny] round ${r + 1}/${rounds} ${contender}: ${fmt(sample.answeredPerSecond)} answers/s, ` +
          `refused ${fmt(pct(sample.refused, sample.sent), 1)} %\n`,
      );
      samples[contender].push(sample);
    }
  }
  const rows = contenders.map((contender) => {
    const s = samples[contender];
    return {
      contender,
      answeredPerSecond: median(s.map((x) => x.answeredPerSecond)),
      goodputPerSecond: median(s.map((x) => x.goodputPerSecond)),
      refusedShare: median(s.map((x) => x.refused / x.sent)),
      okP99Ms: medianOf(s.map((x) => x.okP99Ms)),
      cpuMicrosPerAnswer: median(
        s.map((x) => (x.server.cpuShare * tinyMs * 1000) / (x.ok + x.refused)),
      ),
      rounds: s,
    };
  });
  const result = {
    key: 'tiny',
    model: 'tiny',
    connections,
    rounds,
    seconds: tinyMs / 1000,
    rows,
    meta,
  };
  printTiny(result);
  return result;
}

function printTiny({ connections, rounds, seconds, rows }) {
  const bare = rows.find((r) => r.contender === 'bare');
  console.log(
    `\n### Tiny handler, closed loop: ${connections} connections, ${rounds} interleaved rounds × ` +
      `${fmt(seconds)} s (medians)\n`,
  );
  console.log(
    '| contender | answers/s | 200s/s | refused | ok p99 ms | CPU µs/answer | answers vs bare | 200s vs bare |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows)
    console.log(
      `| ${r.contender} | ${fmt(r.answeredPerSecond)} | ${fmt(r.goodputPerSecond)} | ` +
        `${fmt(100 * r.refusedShare, 1)} % | ${fmt(r.okP99Ms)} | ${fmt(r.cpuMicrosPerAnswer, 1)} | ` +
        `${bare ? fmt(r.answeredPerSecond / bare.answeredPerSecond, 2) + '×' : '—'} | ` +
        `${bare ? fmt(r.goodputPerSecond / bare.goodputPerSecond, 2) + '×' : '—'} |`,
    );
}

const runStarted = performance.now();
const perStep = (warmupMs + durationMs) / 1000 + 1.5;
const openModels = models.filter((m) => m !== 'tiny');
const stepCount = openModels.reduce(
  (n, m) =>
    n + (m === 'io' ? pools.length : 1) * contenders.length * (loads.length + (priorityLoad > 0)),
  0,
);
console.log(
  `overload bench: models ${models.join(', ')}${models.includes('io') ? ` (C = ${pools.join(', ')})` : ''}; ` +
    `contenders ${contenders.join(', ')}; loads ${loads.join(', ')} × capacity; ` +
    `${fmt(warmupMs / 1000)} + ${fmt(durationMs / 1000)} s per step; deadline ${deadlineMs} ms; ` +
    `taskset ${meta.taskset}; node ${meta.node}; ${meta.branch} @ ${meta.commit}${meta.dirty ? ' (dirty)' : ''}; ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ` +
    `about ${fmt((stepCount * perStep) / 60, 1)} min of open-loop steps`,
);
const results = { meta, models: [], tiny: undefined };
if (outDir) mkdirSync(outDir, { recursive: true });
for (const model of models) {
  if (model === 'tiny') {
    results.tiny = await runTiny();
    continue;
  }
  for (const slots of model === 'io' ? pools : [0]) {
    const result = await runModel(model, slots);
    results.models.push(result);
    if (outDir)
      writeFileSync(join(outDir, `overload-${result.key}.json`), JSON.stringify(result, null, 1));
  }
}
if (results.tiny && outDir)
  writeFileSync(join(outDir, 'overload-tiny.json'), JSON.stringify(results.tiny, null, 1));
if (outDir) {
  const file = join(outDir, `overload-${meta.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(results, null, 1));
  console.log(`\nresults: ${file}`);
}
writeCharts(results, baseline);
console.log(`run time ${fmt((performance.now() - runStarted) / 60000, 1)} min`);
