// pnpm bench upload [rounds] [megabytes]
// Upload throughput of one large file (default 200 MiB) streamed over loopback, in the same run:
// bare multer DiskStorage, multer with a hand-written one-pass write + sha256 engine, and
// express-guard's upload() (write + sha256 + sniff + scan). Also the machine's physical limits
// measured in the same run (sha256 alone, plain file write), and each server's peak RSS.
// Server pinned to core 1, this client to core 0; rounds interleaved; medians.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, pinLoadGenerator, startServer } from './_http-bench.mjs';

const rounds = Number(process.argv[2] ?? 5);
const megabytes = Number(process.argv[3] ?? 200);
const totalBytes = megabytes * 1024 * 1024;
const script = fileURLToPath(new URL('./servers/upload-server.mjs', import.meta.url));
const pinned = pinLoadGenerator();
const root = mkdtempSync(join(tmpdir(), 'guard-bench-upload-'));

// One 1 MiB block of random bytes behind a PDF signature, sent again and again.
const block = randomBytes(1024 * 1024);
Buffer.from('%PDF-1.7\n').copy(block);
const filler = randomBytes(1024 * 1024);
const boundary = '----guardbench7c2e';
const head = Buffer.from(
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n` +
    'Content-Type: application/pdf\r\n\r\n',
);
const tail = Buffer.from(`\r\n--${boundary}--\r\n`);

function uploadOnce(url) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(`${url}/upload`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + totalBytes + tail.length),
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (res.statusCode !== 200)
          return reject(new Error(`${res.statusCode} ${Buffer.concat(chunks).toString()}`));
        resolve(seconds);
      });
    });
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes) {
        const chunk = sent === 0 ? block : filler;
        const slice = chunk.subarray(0, Math.min(chunk.length, totalBytes - sent));
        sent += slice.length;
        if (!req.write(slice)) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    req.write(head);
    pump();
  });
}

function sha256MiBs() {
  const start = process.hrtime.bigint();
  const hash = createHash('sha256');
  for (let i = 0; i < megabytes; i += 1) hash.update(filler);
  hash.digest();
  return megabytes / (Number(process.hrtime.bigint() - start) / 1e9);
}

function diskWriteMiBs() {
  const path = join(root, 'disk-write.bin');
  const start = process.hrtime.bigint();
  const fd = openSync(path, 'w', 0o600);
  for (let i = 0; i < megabytes; i += 1) writeSync(fd, filler);
  closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rmSync(path);
  return megabytes / seconds;
}

/** Starts one upload server pinned to core 1; it also answers `rss` with its peak RSS. */
async function startUploadServer(args) {
  const server = await startServer(script, args, {}, { stderr: 'inherit' });
  return {
    ...server,
    maxRss: () => server.ask('rss', (message) => message.maxRssBytes !== undefined),
  };
}

const variants = ['multer-disk', 'handwritten', 'upload'];
const servers = {};
for (const variant of variants) {
  const dir = join(root, variant);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  servers[variant] = await startUploadServer([variant, dir]);
}

console.log(
  `upload bench: ${rounds} interleaved rounds, one ${megabytes} MiB file per upload, ` +
    `taskset ${pinned ? 'on (server core 1, client core 0)' : 'unavailable'}, node ${process.version}`,
);
const times = Object.fromEntries(variants.map((v) => [v, []]));
const cpu = Object.fromEntries(variants.map((v) => [v, []]));
const sha = [];
const disk = [];
// One warm-up upload each, not counted.
for (const variant of variants) await uploadOnce(servers[variant].url);
for (let round = 0; round < rounds; round += 1) {
  const order = round % 2 === 0 ? variants : [...variants].reverse();
  for (const variant of order) {
    const cpuBefore = await servers[variant].cpuMicros();
    times[variant].push(await uploadOnce(servers[variant].url));
    // Server CPU per upload: far less disturbed by other load on the machine than wall-clock MiB/s.
    cpu[variant].push((await servers[variant].cpuMicros()) - cpuBefore);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  sha.push(sha256MiBs());
  disk.push(diskWriteMiBs());
}

const rss = {};
for (const variant of variants) rss[variant] = await servers[variant].maxRss();
// Node's own floor: a server that reads the body and discards it. Socket reads are freed only when
// V8 next collects garbage, so every server's RSS grows by tens of MiB during a large upload.
const discard = await startUploadServer(['discard', root]);
for (let i = 0; i < 2; i += 1) await uploadOnce(discard.url);
const floor = await discard.maxRss();
await discard.stop();
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
for (const variant of variants) await servers[variant].stop();
rmSync(root, { recursive: true, force: true });

const mibs = (variant) => megabytes / median(times[variant]);
const base = mibs('multer-disk');
const hand = mibs('handwritten');
const rows = [
  ['bare multer DiskStorage', base, '1.00×', '', rss['multer-disk']],
  [
    'multer + hand-written write+sha256',
    hand,
    `${(hand / base).toFixed(2)}×`,
    '1.00×',
    rss.handwritten,
  ],
  [
    'upload() (write+sha256+sniff+scan)',
    mibs('upload'),
    `${(mibs('upload') / base).toFixed(2)}×`,
    `${(mibs('upload') / hand).toFixed(2)}×`,
    rss.upload,
  ],
];
console.log(
  '\n| server | MiB/s (median) | vs bare multer | vs hand-written | peak RSS (idle before uploads) |',
);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, value, vsBase, vsHand, peak] of rows)
  console.log(
    `| ${name} | ${value.toFixed(0)} | ${vsBase} | ${vsHand} | ${mib(peak.maxRssBytes)} (${mib(peak.idleRssBytes)}) |`,
  );
console.log(
  `\nPhysical limits, same run (client core): sha256 alone ${median(sha).toFixed(0)} MiB/s, ` +
    `plain file write ${median(disk).toFixed(0)} MiB/s; a server that discards the body ` +
    `peaks at ${mib(floor.maxRssBytes)} (idle ${mib(floor.idleRssBytes)})`,
);
console.log(
  '\n| server | server CPU per upload (median) | MiB per CPU-second | CPU vs bare multer |',
);
console.log('| --- | ---: | ---: | ---: |');
const cpuMs = (variant) => median(cpu[variant]) / 1000;
for (const [variant, name] of [
  ['multer-disk', 'bare multer DiskStorage'],
  ['handwritten', 'multer + hand-written write+sha256'],
  ['upload', 'upload()'],
])
  console.log(
    `| ${name} | ${cpuMs(variant).toFixed(0)} ms | ${(megabytes / (cpuMs(variant) / 1000)).toFixed(0)} | ` +
      `${(cpuMs(variant) / cpuMs('multer-disk')).toFixed(2)}× |`,
  );
console.log(`\nRaw seconds per upload: ${JSON.stringify(times)}`);
