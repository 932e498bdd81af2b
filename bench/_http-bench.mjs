// Shared machinery of the HTTP benchmarks: servers in child processes pinned to one core, autocannon
// in this process pinned to the other, interleaved rounds, medians and ratios.
import { execFileSync, spawn } from 'node:child_process';
import autocannon from 'autocannon';

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Pins this process (the load generator) to `cpu` (default core 0) when taskset exists. */
export function pinLoadGenerator(cpu = 0) {
  if (hasTaskset)
    execFileSync('taskset', ['-cp', String(cpu), String(process.pid)], { stdio: 'ignore' });
  return hasTaskset;
}

/** Starts `node script ...args` (pinned to `cpu`, default core 1) and waits for `{ port }` over IPC. */
export async function startServer(
  script,
  args = [],
  env = {},
  { stderr = 'ignore', cpu = 1 } = {},
) {
  const command = hasTaskset ? 'taskset' : process.execPath;
  const argv = hasTaskset
    ? ['-c', String(cpu), process.execPath, script, ...args]
    : [script, ...args];
  // Logs go to /dev/null for every case alike (unless stderr is asked for); the port comes back over IPC.
  const child = spawn(command, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', stderr, 'ipc'],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited (${code})`)));
  });
  /** Sends `request` over IPC and resolves with the first reply `isAnswer` accepts. */
  const ask = (request, isAnswer) =>
    new Promise((resolve) => {
      const onMessage = (message) => {
        if (!isAnswer(message)) return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.send(request);
    });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    ask,
    /** The server's CPU time so far (user + system), in microseconds. */
    cpuMicros: async () => {
      const { cpu } = await ask('cpu', (message) => message.cpu !== undefined);
      return cpu.user + cpu.system;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill();
      }),
  };
}

/** One autocannon run: requests per second and latency percentiles in milliseconds. */
export async function load(url, { connections = 50, durationSeconds = 5, path = '/' } = {}) {
  const result = await autocannon({ url: url + path, connections, duration: durationSeconds });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Runs every case once per round, in a rotated order each round (interleaved, so drift and heat
 * spread over all cases), and returns the median req/s, p50 and p99 of each case.
 */
export async function interleave(cases, { rounds, ...loadOptions }) {
  const samples = new Map(cases.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = cases.map((_, i) => cases[(i + round) % cases.length]);
    for (const c of order) {
      const server = await startServer(c.script, c.args, c.env);
      try {
        await load(server.url, { ...loadOptions, durationSeconds: 1, path: c.path }); // warm-up
        const cpuBefore = await server.cpuMicros();
        const sample = await load(server.url, { ...loadOptions, path: c.path });
        sample.cpuPerRequest = ((await server.cpuMicros()) - cpuBefore) / sample.requests;
        samples.get(c.name).push(sample);
        process.stderr.write(
          `  round ${round + 1}/${rounds} ${c.name}: ${Math.round(sample.rps)} req/s, ` +
            `${sample.cpuPerRequest.toFixed(1)} CPU µs/req, p99 ${sample.p99} ms\n`,
        );
      } finally {
        await server.stop();
      }
    }
  }
  return Object.fromEntries(
    [...samples].map(([name, s]) => [
      name,
      {
        rps: median(s.map((x) => x.rps)),
        cpu: median(s.map((x) => x.cpuPerRequest)),
        p50: median(s.map((x) => x.p50)),
        p99: median(s.map((x) => x.p99)),
        non2xx: s.reduce((n, x) => n + x.non2xx, 0),
        errors: s.reduce((n, x) => n + x.errors, 0),
      },
    ]),
  );
}

/**
 * Prints a Markdown table of medians with each row's ratios to a baseline case: by req/s, and by
 * server CPU per request (baseline CPU ÷ this CPU, so above 1× means cheaper than the baseline).
 */
export function printTable(title, results, rows) {
  console.log(`\n### ${title}\n`);
  console.log('| case | req/s | CPU µs/req | p50 ms | p99 ms | req/s ratio | CPU ratio | vs |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const { name, baseline } of rows) {
    const r = results[name];
    const b = baseline ? results[baseline] : undefined;
    const ratio = (x) => (b ? `${x.toFixed(2)}×` : '—');
    console.log(
      `| ${name} | ${Math.round(r.rps)} | ${r.cpu.toFixed(1)} | ${r.p50} | ${r.p99} | ` +
        `${ratio(b ? r.rps / b.rps : 0)} | ${ratio(b ? b.cpu / r.cpu : 0)} | ${baseline ?? ''} |`,
    );
  }
}
