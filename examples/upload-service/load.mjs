// npm run demo:load — drives the upload service into overload for a minute, so the dashboard
// (http://127.0.0.1:3000/dashboard) shows the protections at work. Loopback only, bounded in time.
//   TARGET            the service (default http://127.0.0.1:3000)
//   DURATION_SECONDS  how long (default 60): a calm quarter, an overloaded half, a calm quarter
// Clients are spread over loopback addresses 127.0.0.10–127.0.0.250, so per-client rate limits
// count them apart as they would real clients; one greedy client goes over its limits on purpose.
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { clearInterval, setInterval } from 'node:timers';

const target = new URL(process.env.TARGET ?? 'http://127.0.0.1:3000');
const durationMs = Number(process.env.DURATION_SECONDS ?? 60) * 1000;
const startedAt = Date.now();
const elapsed = () => (Date.now() - startedAt) / durationMs;
const overloaded = () => elapsed() >= 0.25 && elapsed() < 0.75;
const statuses = new Map();
const count = (key) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const client = (i) => `127.0.0.${10 + (i % 240)}`;

/** One multipart body with a single file part. */
function multipart(filename, data) {
  const boundary = `----load${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, data, tail]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * Sends one request from `from`; a slow body is written in 16 KiB pieces `pauseMs` apart, so the
 * request holds its concurrency slot for a while. Resolves with the status (or the error's code).
 */
function send({ from, method = 'GET', path, body, type, pauseMs = 0 }) {
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        localAddress: from,
        headers: body ? { 'content-type': type, 'content-length': body.length } : {},
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
        res.on('error', () => resolve('reset'));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve(error.message === 'timeout' ? 'timeout' : 'reset'));
    if (!body) return void req.end();
    if (pauseMs === 0) return void req.end(body);
    void (async () => {
      for (let at = 0; at < body.length && !req.destroyed; at += 16_384) {
        req.write(body.subarray(at, at + 16_384));
        await sleep(pauseMs);
      }
      req.end();
    })();
  });
}

const TEXT = Buffer.from('Quarterly figures, final.\n'.repeat(40));
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(4094, 0x90)]);
const LARGE = Buffer.alloc(256 * 1024, 0x61);

/** A well-behaved client: a small upload and a status check, then a pause. */
async function steady(i) {
  while (elapsed() < 1) {
    const file = i % 7 === 0 ? multipart('invoice.pdf', EXE) : multipart(`notes-${i}.txt`, TEXT);
    count(await send({ from: client(i), method: 'POST', path: '/uploads', ...file }));
    count(await send({ from: client(i), path: '/health' }));
    await sleep(overloaded() ? 50 : 400);
  }
}

/** During the overload: slow uploads that hold a slot for about a second each. */
async function slow(i) {
  while (elapsed() < 1) {
    if (!overloaded()) {
      await sleep(200);
      continue;
    }
    const file = multipart(`report-${i}.txt`, LARGE);
    count(
      await send({ from: client(i + 60), method: 'POST', path: '/uploads', ...file, pauseMs: 60 }),
    );
  }
}

/** One greedy client, ten connections: polls far over the per-client limit, and over the upload quota. */
async function greedy(i) {
  while (elapsed() < 1) {
    count(await send({ from: '127.0.0.2', path: '/health' }));
    if (overloaded() && i === 0) {
      const file = multipart('spam.txt', TEXT);
      count(await send({ from: '127.0.0.2', method: 'POST', path: '/uploads', ...file }));
    }
  }
}

console.log(`load: ${target.origin} for ${durationMs / 1000} s (overload in the middle half)`);
const ticker = setInterval(() => {
  const summary = [...statuses]
    .sort()
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  console.log(
    `${Math.round((Date.now() - startedAt) / 1000)} s ${overloaded() ? '[overload]' : ''} ${summary}`,
  );
}, 5_000);
await Promise.all([
  ...Array.from({ length: 20 }, (_, i) => steady(i)),
  ...Array.from({ length: 160 }, (_, i) => slow(i)),
  ...Array.from({ length: 10 }, (_, i) => greedy(i)),
]);
clearInterval(ticker);
console.log(
  `done: ${[...statuses]
    .sort()
    .map(([k, v]) => `${k}×${v}`)
    .join(' ')}`,
);
