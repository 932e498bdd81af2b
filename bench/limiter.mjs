// pnpm bench limiter [rounds] [operations]
// The memory limiter alone, in process: consume() on random keys from a 10,000-key pool against
// express-rate-limit's MemoryStore.increment and rate-limiter-flexible's RateLimiterMemory.consume
// (interleaved rounds, median ops/s); then heap bytes per tracked key, each in a fresh process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemoryStore } from 'express-rate-limit';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createMemoryStore, createRateLimiter } from '@guard-suite/core';

const POOL = 10_000;
const HIGH = 1_000_000_000;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ipOf = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** The contenders: each returns `{ run(key), close() }`; run may return a promise (awaited). */
const contenders = {
  'rateLimit memory (consume)': () => {
    const limiter = createRateLimiter({ limit: HIGH, windowMs: 60_000 });
    return { run: (key) => limiter.consume(key), close: () => limiter.close() };
  },
  'express-rate-limit MemoryStore.increment': () => {
    const store = new MemoryStore();
    store.init({ windowMs: 60_000 });
    return { run: (key) => store.increment(key), close: () => store.shutdown() };
  },
  'rate-limiter-flexible RateLimiterMemory.consume': () => {
    const limiter = new RateLimiterMemory({ points: HIGH, duration: 60 });
    return { run: (key) => limiter.consume(key), close: () => {} };
  },
};

/** Heap cost of tracking `count` keys, measured in a fresh `node --expose-gc` process. */
const heapContenders = {
  'rateLimit memory store': () => {
    const store = createMemoryStore({
      limit: HIGH,
      windowMs: 60_000,
      blockMs: 0,
      maxKeys: 1_000_000,
    });
    return { add: (key) => store.increment(key), keep: store };
  },
  ...Object.fromEntries(
    Object.entries(contenders)
      .filter(([name]) => !name.startsWith('rateLimit'))
      .map(([name, make]) => [
        name.split(' ').slice(0, 2).join(' '),
        () => {
          const c = make();
          return { add: (key) => c.run(key), keep: c, close: c.close };
        },
      ]),
  ),
};

const [mode, arg] = process.argv.slice(2);
if (mode === '--heap') {
  const count = 100_000;
  const contender = heapContenders[arg]();
  // Typed-array backing stores live outside the V8 heap: count them too (arrayBuffers).
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  globalThis.gc();
  const before = used();
  const pending = [];
  for (let i = 0; i < count; i++) {
    // Keys are built here and kept only by the store, so their strings count too (as in production).
    const result = contender.add(ipOf(i + 1_000_000));
    if (result instanceof Promise) pending.push(result);
    if (pending.length > 1000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  pending.length = 0;
  globalThis.gc();
  const after = used();
  console.log(
    JSON.stringify({ bytesPerKey: (after - before) / count, keep: typeof contender.keep }),
  );
  process.exit(0);
}

const rounds = Number(process.argv[2] ?? 5);
const operations = Number(process.argv[3] ?? 1_000_000);
const keys = Array.from({ length: POOL }, (_, i) => ipOf(i));
const picks = new Uint32Array(operations);
for (let i = 0; i < operations; i++) picks[i] = Math.floor(Math.random() * POOL);

async function measure(make) {
  const contender = make();
  // Warm-up: every key seen once, the JIT settled.
  for (let i = 0; i < POOL * 5; i++) {
    const r = contender.run(keys[i % POOL]);
    if (r instanceof Promise) await r;
  }
  const start = process.hrtime.bigint();
  for (let i = 0; i < operations; i++) {
    const r = contender.run(keys[picks[i]]);
    // The peers answer with promises: awaiting each is what a middleware does with them.
    if (r instanceof Promise) await r;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  contender.close();
  return operations / seconds;
}

console.log(
  `limiter bench: ${rounds} interleaved rounds × ${operations.toLocaleString('en')} operations on ` +
    `random keys from a ${POOL.toLocaleString('en')}-key pool, node ${process.version}`,
);
const names = Object.keys(contenders);
const samples = new Map(names.map((n) => [n, []]));
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + round) % names.length];
    const opsPerSecond = await measure(contenders[name]);
    samples.get(name).push(opsPerSecond);
    process.stderr.write(
      `  round ${round + 1}/${rounds} ${name}: ${(opsPerSecond / 1e6).toFixed(2)} M ops/s\n`,
    );
  }
}
const baseline = median(samples.get('express-rate-limit MemoryStore.increment'));
console.log('\n### In-process limiter: median operations per second\n');
console.log('| limiter | M ops/s | vs express-rate-limit MemoryStore |');
console.log('| --- | ---: | ---: |');
for (const name of names) {
  const m = median(samples.get(name));
  console.log(`| ${name} | ${(m / 1e6).toFixed(2)} | ${(m / baseline).toFixed(2)}× |`);
}

console.log(
  '\n### Memory per tracked key: heap + array buffers (100,000 keys, fresh process each, after full GC)\n',
);
console.log('| store | bytes/key | bounded |');
console.log('| --- | ---: | --- |');
const script = fileURLToPath(import.meta.url);
for (const name of Object.keys(heapContenders)) {
  const out = execFileSync(process.execPath, ['--expose-gc', script, '--heap', name], {
    encoding: 'utf8',
  });
  const { bytesPerKey } = JSON.parse(out.trim().split('\n').pop());
  const bounded = name.startsWith('rateLimit') ? 'yes (maxKeys)' : 'no';
  console.log(`| ${name} | ${Math.round(bytesPerKey)} | ${bounded} |`);
}
