// The load generator of bench/overload.mjs: a small raw HTTP/1.1 client over net sockets (no
// http.Agent: the generator must keep up with 3× overload on one core), driven open loop (Poisson
// arrivals that never wait for the server) or closed loop (a fixed number of connections, for
// capacity probes and the tiny-handler check).
//
// Open loop: arrival times are drawn ahead (exponential gaps at the target rate) and each request is
// sent at its time on an idle keep-alive socket, or on a new one: the pool grows with whatever the
// server holds. Latency runs from the scheduled arrival time, so a generator that falls behind shows
// up as latency and in the reported send lag instead of silently lowering the load. Every request
// has a client deadline: the client then closes its socket (the server sees the disconnect) and
// counts a timeout.
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { clearInterval, setInterval } from 'node:timers';
import { performance } from 'node:perf_hooks';

// Node's server closes keep-alive sockets idle for 5 s; never reuse one that close to it.
const MAX_IDLE_REUSE_MS = 3000;
const SWEEP_EVERY_MS = 2;

/** A pool of raw HTTP/1.1 sockets to one server; `send` reports each answer through `onDone`. */
export function createRawClient({ port, host = '127.0.0.1' }) {
  const idle = [];
  const open = new Set();
  const stats = { connects: 0, errors: {} };
  const requestBytes = new Map();

  const bytesFor = (path, headers) => {
    const key = `${path}\n${headers ?? ''}`;
    let bytes = requestBytes.get(key);
    if (!bytes) {
      bytes = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n${headers ?? ''}\r\n`);
      requestBytes.set(key, bytes);
    }
    return bytes;
  };

  const finish = (socket, request, status, keepAlive) => {
    socket.current = undefined;
    socket.buffer = undefined;
    if (keepAlive) {
      socket.idleSince = performance.now();
      idle.push(socket);
    } else {
      socket.destroy();
    }
    request.onDone(request, status);
  };

  const onData = function (chunk) {
    const request = this.current;
    if (!request) return; // bytes after a request we gave up on; the socket is being closed
    const buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) {
      this.buffer = buffer;
      return;
    }
    const head = buffer.latin1Slice(0, headerEnd);
    const status = Number(head.slice(9, 12));
    const keepAlive = !/\r\nconnection: *close/i.test(head);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const bodyBytes = buffer.length - headerEnd - 4;
    const complete = length
      ? bodyBytes >= Number(length[1])
      : /\r\ntransfer-encoding: *chunked/i.test(head)
        ? buffer.latin1Slice(buffer.length - 5) === '0\r\n\r\n'
        : false; // neither: the body ends when the server closes (handled in 'close')
    if (!complete) {
      this.buffer = buffer;
      this.pendingStatus = status;
      return;
    }
    finish(this, request, status, keepAlive);
  };

  const onClose = function () {
    open.delete(this);
    const request = this.current;
    this.current = undefined;
    if (request && !request.done) request.onDone(request, this.pendingStatus ?? 'error');
  };

  const onError = (error) => {
    stats.errors[error.code] = (stats.errors[error.code] ?? 0) + 1;
  };

  const connect = () => {
    const socket = net.connect({ port, host, noDelay: true });
    socket.on('data', onData);
    socket.on('error', onError); // 'close' follows and settles the request
    socket.on('close', onClose);
    open.add(socket);
    stats.connects++;
    return socket;
  };

  return {
    stats,
    /** Sockets currently open. */
    get openSockets() {
      return open.size;
    },
    /** Sends `request` (`{ path, headers?, onDone(request, status | 'error') }`). */
    send(request, now) {
      let socket;
      while (idle.length > 0) {
        const candidate = idle.pop();
        if (candidate.destroyed) continue;
        if (now - candidate.idleSince > MAX_IDLE_REUSE_MS) {
          candidate.destroy();
          continue;
        }
        socket = candidate;
        break;
      }
      request.fresh = socket === undefined;
      socket ??= connect();
      socket.current = request;
      socket.pendingStatus = undefined;
      request.socket = socket;
      socket.write(bytesFor(request.path, request.headers));
    },
    /** Gives up on `request`: closes its socket, as a client past its deadline does. */
    abandon(request) {
      const socket = request.socket;
      if (socket && socket.current === request) {
        socket.current = undefined;
        socket.destroy();
      }
    },
    /** Closes every socket. */
    close() {
      for (const socket of open) socket.destroy();
      idle.length = 0;
    },
  };
}

/** Per-class tallies of one measurement window. */
function createTally() {
  const tally = new Map();
  return {
    of(cls) {
      let t = tally.get(cls);
      if (!t) {
        t = { sent: 0, ok: 0, refused: 0, timeouts: 0, errors: 0, okMs: [], refusedMs: [] };
        t.statuses = {};
        tally.set(cls, t);
      }
      return t;
    },
    entries: () => [...tally],
  };
}

/** Sorted-array percentile (nearest rank); `undefined` for no samples. */
export function percentile(values, p) {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summarise(tally, seconds) {
  const classes = {};
  for (const [cls, t] of tally.entries()) {
    classes[cls] = {
      sent: t.sent,
      ok: t.ok,
      refused: t.refused,
      timeouts: t.timeouts,
      errors: t.errors,
      statuses: t.statuses,
      goodputPerSecond: t.ok / seconds,
      successRate: t.sent ? t.ok / t.sent : undefined,
      okP50Ms: percentile(t.okMs, 50),
      okP99Ms: percentile(t.okMs, 99),
      refusedP99Ms: percentile(t.refusedMs, 99),
    };
  }
  return classes;
}

/** Merges per-class summaries into one (percentiles recomputed from the raw samples). */
function total(tally, seconds) {
  const all = createTally().of('all');
  for (const [, t] of tally.entries()) {
    for (const key of ['sent', 'ok', 'refused', 'timeouts', 'errors']) all[key] += t[key];
    // A loop, not push(...spread): at 3x the C = 128 pool a window holds over 100,000 samples,
    // past what a spread can pass as arguments (RangeError: maximum call stack size exceeded).
    for (const ms of t.okMs) all.okMs.push(ms);
    for (const ms of t.refusedMs) all.refusedMs.push(ms);
    for (const [status, n] of Object.entries(t.statuses))
      all.statuses[status] = (all.statuses[status] ?? 0) + n;
  }
  return summarise({ entries: () => [['all', all]] }, seconds).all;
}

function record(tally, request, status, now) {
  const t = tally.of(request.cls);
  const ms = now - request.scheduledAt;
  tally.trace?.push(
    `${Math.round(performance.timeOrigin + request.scheduledAt)},${ms.toFixed(1)},${status},${request.cls},${request.fresh ? 'new' : 'reused'}`,
  );
  if (status === 'timeout') t.timeouts++;
  else if (status === 'error') t.errors++;
  else if (status === 200) {
    t.ok++;
    t.okMs.push(ms);
  } else {
    t.refused++;
    t.refusedMs.push(ms);
  }
  if (typeof status === 'number') t.statuses[status] = (t.statuses[status] ?? 0) + 1;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` with stack traces off: destroying a socket that never connected fails its queued write
 * with an Error, and capturing those stacks was a tenth of the generator's CPU under overload.
 */
async function withoutStackTraces(fn) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Open loop: Poisson arrivals at `rate` per second for `warmupMs + durationMs`; requests scheduled
 * in the last `durationMs` are measured. `pick()` returns `{ cls, headers }` for each request.
 * `onWindowStart` and `onWindowEnd` run when the measured window begins and when its last
 * request is sent (to read the server's counters over the same span).
 */
export async function openLoop(client, options) {
  return withoutStackTraces(() => runOpenLoop(client, options));
}

async function runOpenLoop(client, options) {
  const { rate, warmupMs, durationMs, deadlineMs, path, pick, onWindowStart, onWindowEnd } =
    options;
  const tally = createTally();
  // BENCH_TRACE=<prefix>: every measured request (epoch ms sent, latency ms, status, class, new or
  // reused connection) in <prefix>-client.csv, to line up with the server's trace.
  if (process.env.BENCH_TRACE) tally.trace = [];
  const lags = [];
  const start = performance.now() + 20;
  const windowStart = start + warmupMs;
  const end = windowStart + durationMs;
  let next = start;
  let sentInWindow = 0;
  let pending = 0; // measured requests not settled yet
  let deadlines = []; // requests in send order = deadline order (one deadline for all)
  let head = 0;
  let cpuAtWindow;
  let windowStarted = false;

  const onDone = (request, status) => {
    if (request.done) return;
    request.done = true;
    if (request.measured) {
      pending--;
      const now = performance.now();
      // An answer read after the deadline (the sweep runs every few ms, and a stalled generator
      // later still) reached a client that had already given up.
      record(tally, request, now > request.deadline ? 'timeout' : status, now);
    }
  };

  const sweep = () => {
    const now = performance.now();
    while (head < deadlines.length && deadlines[head].deadline <= now) {
      const request = deadlines[head];
      deadlines[head++] = undefined;
      if (request.done) continue;
      client.abandon(request);
      onDone(request, 'timeout');
    }
    if (head > 65536) {
      deadlines = deadlines.slice(head);
      head = 0;
    }
  };
  const sweeper = setInterval(sweep, SWEEP_EVERY_MS);

  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      if (!windowStarted && now >= windowStart) {
        windowStarted = true;
        cpuAtWindow = process.cpuUsage();
        onWindowStart?.();
      }
      while (next <= now && next < end) {
        const { cls, headers } = pick();
        const measured = next >= windowStart;
        const request = {
          path,
          headers,
          cls,
          scheduledAt: next,
          deadline: next + deadlineMs,
          measured,
          done: false,
          onDone,
          socket: undefined,
        };
        if (measured) {
          pending++;
          tally.of(cls).sent++;
          sentInWindow++;
          if (lags.length < 200_000) lags.push(now - next);
        }
        deadlines.push(request);
        client.send(request, now);
        next += (-Math.log(1 - Math.random()) / rate) * 1000;
      }
      if (next >= end) return resolve();
      setTimeout(tick, Math.max(0, next - performance.now() - 0.5));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  const sendEnded = performance.now();
  const cpu = process.cpuUsage(cpuAtWindow);
  onWindowEnd?.();
  while (pending > 0) await sleep(10);
  clearInterval(sweeper);
  if (tally.trace)
    writeFileSync(`${process.env.BENCH_TRACE}-client.csv`, `${tally.trace.join('\n')}\n`);
  const seconds = durationMs / 1000;
  return {
    targetRate: rate,
    // Requests scheduled in the window are all sent; what matters is whether they went out on time.
    achievedRate: sentInWindow / ((sendEnded - windowStart) / 1000),
    sendLagP50Ms: percentile(lags, 50),
    sendLagP99Ms: percentile(lags, 99),
    generatorCpu: (cpu.user + cpu.system) / 1000 / (sendEnded - windowStart),
    ...total(tally, seconds),
    classes: summarise(tally, seconds),
  };
}

/**
 * Closed loop: `connections` clients each sending their next request as soon as the last one is
 * answered, for `warmupMs + durationMs`; answers completed inside the last `durationMs` count.
 */
export async function closedLoop(client, options) {
  return withoutStackTraces(() => runClosedLoop(client, options));
}

async function runClosedLoop(client, options) {
  const { connections, warmupMs, durationMs, deadlineMs = 10_000, path } = options;
  const { onWindowStart, onWindowEnd } = options;
  const tally = createTally();
  const start = performance.now();
  const windowStart = start + warmupMs;
  const end = windowStart + durationMs;
  let running = true;
  let windowStarted = false;
  let inFlight = 0;
  const inFlightRequests = new Set();

  const launch = () => {
    const now = performance.now();
    const request = {
      path,
      cls: 'all',
      scheduledAt: now,
      deadline: now + deadlineMs,
      done: false,
      socket: undefined,
      onDone: (r, status) => {
        if (r.done) return;
        r.done = true;
        inFlight--;
        inFlightRequests.delete(r);
        const t = performance.now();
        if (t >= windowStart && t < end) {
          tally.of('all').sent++;
          record(tally, r, t > r.deadline ? 'timeout' : status, t);
        }
        if (running) launch();
      },
    };
    inFlight++;
    inFlightRequests.add(request);
    client.send(request, now);
  };
  let cpuAtWindow;
  const sweeper = setInterval(() => {
    const now = performance.now();
    if (!windowStarted && now >= windowStart) {
      windowStarted = true;
      cpuAtWindow = process.cpuUsage();
      onWindowStart?.();
    }
    for (const request of inFlightRequests)
      if (request.deadline <= now) {
        client.abandon(request);
        request.onDone(request, 'timeout');
      }
  }, 5);
  for (let i = 0; i < connections; i++) launch();
  await sleep(end - performance.now());
  running = false;
  const cpu = process.cpuUsage(cpuAtWindow);
  onWindowEnd?.();
  while (inFlight > 0) await sleep(5);
  clearInterval(sweeper);
  if (tally.trace)
    writeFileSync(`${process.env.BENCH_TRACE}-client.csv`, `${tally.trace.join('\n')}\n`);
  const seconds = durationMs / 1000;
  const all = total(tally, seconds);
  return {
    connections,
    ...all,
    answeredPerSecond: (all.ok + all.refused) / seconds,
    generatorCpu: (cpu.user + cpu.system) / 1000 / durationMs,
  };
}
