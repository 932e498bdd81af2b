import request from 'supertest';
import type { Server } from 'node:http';
import { GuardConfigError } from '@guard-suite/core';
import type { Harness, SpecApp } from './harness';
import { INVALID_COUNTS, showValue } from './invalid-values';
import { createMemoryLogger } from './memory-logger';
import { describeRateLimitRedis } from './rate-limit-redis.spec';

const PROBLEM = /^application\/problem\+json/;
const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded';
const ok = () => ({ ok: true });

/** Sends `count` GETs one after another and returns their statuses. */
async function statuses(server: Server, path: string, count: number, xff?: string[]) {
  const result: number[] = [];
  for (let i = 0; i < count; i++) {
    const req = request(server).get(path);
    const forwarded = xff?.[i % xff.length];
    if (forwarded !== undefined) req.set('X-Forwarded-For', forwarded);
    result.push((await req).status);
  }
  return result;
}

/** Options a user can get wrong, and the option the error must name. */
const invalidOptions: [string, unknown, RegExp][] = [
  ['limit: 0', { limit: 0 }, /"limit" must be a positive integer/],
  ['limit: -5', { limit: -5 }, /"limit"/],
  ['limit: NaN', { limit: NaN }, /"limit"/],
  ['limit: Infinity', { limit: Infinity }, /"limit"/],
  ['limit: -0', { limit: -0 }, /"limit"/],
  ['limit: "10"', { limit: '10' }, /"limit"/],
  ['limit: null', { limit: null }, /"limit"/],
  ['limit: {}', { limit: {} }, /"limit"/],
  ['limit: []', { limit: [] }, /"limit"/],
  ['windowMs: -5', { windowMs: -5 }, /"windowMs" must be a positive integer \(milliseconds\)/],
  ['windowMs: -Infinity', { windowMs: -Infinity }, /"windowMs"/],
  ['blockMs: -1', { blockMs: -1 }, /"blockMs"/],
  ['maxKeys: 0', { maxKeys: 0 }, /"maxKeys"/],
  ['headers: "yes"', { headers: 'yes' }, /"headers"/],
  ['name: ""', { name: '' }, /"name"/],
  ['name with a quote', { name: 'a"b' }, /"name"/],
  ['key: "ip"', { key: 'ip' }, /"key" must be a function/],
  ['skip: true', { skip: true }, /"skip" must be a function/],
  ['store: "redis"', { store: 'redis' }, /"store/],
  ['store: { redis: {} }', { store: { redis: {} } }, /"store.redis" must be an ioredis client/],
  [
    'a misspelt option',
    { windowMS: 1000 },
    /unknown option "windowMS" \(did you mean "windowMs"\?\)/,
  ],
  ['a number instead of options', 5, /options must be an object/],
  ...[31, 129, 0, 64.5, NaN, Infinity, -64, '64', null, false, {}, []].map(
    (value): [string, unknown, RegExp] => [
      `ipv6Subnet: ${showValue(value)}`,
      { ipv6Subnet: value },
      /"ipv6Subnet"/,
    ],
  ),
  // issue 12 item 1: maxKeys reaches the memory store, where 0 looped forever and NaN had no bound.
  ...INVALID_COUNTS.map((value): [string, unknown, RegExp] => [
    `maxKeys: ${showValue(value)}`,
    { maxKeys: value },
    /"maxKeys"/,
  ]),
];

/** The rate-limit scenarios, run by both adapters (packages/{express,koa}-guard/test/rate-limit.test.ts). */
export function describeRateLimit(harness: Harness): void {
  const { kit } = harness;
  const mount = (spec: Partial<SpecApp> & Pick<SpecApp, 'routes'>) =>
    harness.mount({ errorHandler: { logger: createMemoryLogger().logger }, ...spec });
  // The one-time warnings go to a memory logger unless the scenario reads them from its own.
  const limited = (options: Record<string, unknown>, spec: Partial<SpecApp> = {}) =>
    mount({
      use: [kit.rateLimit({ logger: createMemoryLogger().logger, ...options })],
      routes: [{ method: 'get', path: '/', handler: ok }],
      ...spec,
    });

  describe(`rateLimit() on ${harness.name}`, () => {
    it('sends RateLimit-Policy and RateLimit on allowed responses', async () => {
      const server = limited({ limit: 3, windowMs: 60_000 });
      const first = await request(server).get('/');
      expect(first.status).toBe(200);
      expect(first.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
      expect(first.headers.ratelimit).toBe('"default";r=2;t=60');
      const second = await request(server).get('/');
      expect(second.headers.ratelimit).toMatch(/^"default";r=1;t=(59|60)$/);
    });

    it('rejects the request over the limit with a 429 quota-exceeded problem, Retry-After and the headers', async () => {
      const server = limited({ limit: 2, windowMs: 60_000 });
      await request(server).get('/').expect(200);
      await request(server).get('/').expect(200);
      const res = await request(server).get('/');
      expect(res.status).toBe(429);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.headers['retry-after']).toMatch(/^(59|60)$/);
      expect(res.headers['ratelimit-policy']).toBe('"default";q=2;w=60');
      expect(res.headers.ratelimit).toMatch(/^"default";r=0;t=(59|60)$/);
      expect(res.body).toMatchObject({
        type: QUOTA_EXCEEDED,
        title: 'Too Many Requests',
        status: 429,
        detail: 'Too many requests',
      });
      expect(typeof res.body.errorId).toBe('string');
    });

    it('admits exactly limit of 40 concurrent requests', async () => {
      const server = limited({ limit: 10 });
      server.listen(0, '127.0.0.1');
      try {
        const results = await Promise.all(
          Array.from({ length: 40 }, () => request(server).get('/')),
        );
        const counts = { 200: 0, 429: 0 } as Record<number, number>;
        for (const res of results) counts[res.status] = (counts[res.status] ?? 0) + 1;
        expect(counts).toEqual({ 200: 10, 429: 30 });
      } finally {
        server.close();
      }
    });

    it('sends no RateLimit headers with headers: false, but still Retry-After on a 429', async () => {
      const server = limited({ limit: 1, headers: false });
      const allowed = await request(server).get('/').expect(200);
      expect(allowed.headers.ratelimit).toBeUndefined();
      expect(allowed.headers['ratelimit-policy']).toBeUndefined();
      const rejected = await request(server).get('/').expect(429);
      expect(rejected.headers.ratelimit).toBeUndefined();
      expect(rejected.headers['retry-after']).toBeDefined();
    });

    it('limits one route with its own options and policy name, leaving the others alone', async () => {
      const server = mount({
        routes: [
          {
            method: 'post',
            path: '/login',
            use: [kit.rateLimit({ name: 'login', limit: 1 })],
            handler: ok,
          },
          { method: 'get', path: '/open', handler: ok },
        ],
      });
      const first = await request(server).post('/login').expect(200);
      expect(first.headers['ratelimit-policy']).toBe('"login";q=1;w=60');
      const second = await request(server).post('/login').expect(429);
      expect(second.headers.ratelimit).toMatch(/^"login";r=0;t=\d+$/);
      const open = await request(server).get('/open').expect(200);
      expect(open.headers.ratelimit).toBeUndefined();
    });

    it('counts by a custom key, and puts requests whose key is empty in one shared bucket', async () => {
      const server = limited({
        limit: 1,
        key: (reqOrCtx: { headers: Record<string, string | undefined> }) =>
          reqOrCtx.headers['x-api-key'] ?? '',
      });
      await request(server).get('/').set('X-Api-Key', 'alice').expect(200);
      await request(server).get('/').set('X-Api-Key', 'alice').expect(429);
      await request(server).get('/').set('X-Api-Key', 'bob').expect(200);
      await request(server).get('/').expect(200);
      await request(server).get('/').expect(429);
    });

    it('lets skipped requests through uncounted and without headers', async () => {
      const server = mount({
        use: [
          kit.rateLimit({
            limit: 1,
            skip: (reqOrCtx: { path: string }) => reqOrCtx.path === '/health',
          }),
        ],
        routes: [
          { method: 'get', path: '/', handler: ok },
          { method: 'get', path: '/health', handler: ok },
        ],
      });
      expect(await statuses(server, '/health', 5)).toEqual([200, 200, 200, 200, 200]);
      const health = await request(server).get('/health');
      expect(health.headers.ratelimit).toBeUndefined();
      expect(await statuses(server, '/', 2)).toEqual([200, 429]);
    });

    it('ignores a spoofed X-Forwarded-For without trust proxy', async () => {
      const server = limited({ limit: 2 });
      const spoofed = ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'];
      expect(await statuses(server, '/', 4, spoofed)).toEqual([200, 200, 429, 429]);
    });

    it('keys on the address the trusted proxy saw, not on what the client wrote before it', async () => {
      const server = limited({ limit: 2 }, { trustProxy: 1 });
      const spoofed = ['1.1.1.1, 198.51.100.9', '2.2.2.2, 198.51.100.9', '3.3.3.3, 198.51.100.9'];
      expect(await statuses(server, '/', 3, spoofed)).toEqual([200, 200, 429]);
      expect(await statuses(server, '/', 1, ['198.51.100.10'])).toEqual([200]);
    });

    it('warns once, with a stable code, when trust proxy lets clients pick their key', async () => {
      const { logger, entries } = createMemoryLogger();
      const server = mount({
        use: [kit.rateLimit({ limit: 1, logger })],
        routes: [{ method: 'get', path: '/', handler: ok }],
        trustProxy: true,
      });
      // The reason for the warning: every spoofed address is a fresh bucket.
      expect(await statuses(server, '/', 4, ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'])).toEqual([
        200, 200, 200, 200,
      ]);
      const warnings = entries.filter((e) => e.code === 'WARN_GUARD_TRUST_PROXY_SPOOFABLE');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 'warn' });
      expect(String(warnings[0]?.message)).toMatch(/X-Forwarded-For/);
    });

    it("gives guard()'s own logger the same warning, once", async () => {
      const { logger, entries } = createMemoryLogger();
      const guarded = kit.guard({ logger, loadShedding: false, rateLimit: { limit: 100 } });
      try {
        const server = mount({
          use: [guarded],
          routes: [{ method: 'get', path: '/', handler: ok }],
          trustProxy: true,
        });
        expect(await statuses(server, '/', 2, ['1.1.1.1', '2.2.2.2'])).toEqual([200, 200]);
        const warnings = entries.filter((e) => e.code === 'WARN_GUARD_TRUST_PROXY_SPOOFABLE');
        expect(warnings).toHaveLength(1);
        expect(String(warnings[0]?.message)).toMatch(/^guard /);
      } finally {
        (guarded as { close(): void }).close();
      }
    });

    it('does not warn when trust proxy names a hop count', async () => {
      const { logger, entries } = createMemoryLogger();
      const server = mount({
        use: [kit.rateLimit({ limit: 5, logger })],
        routes: [{ method: 'get', path: '/', handler: ok }],
        trustProxy: 1,
      });
      await statuses(server, '/', 2, ['1.1.1.1']);
      expect(entries.filter((e) => e.level === 'warn')).toEqual([]);
    });

    it('keys IPv6 clients by their /64', async () => {
      const server = limited({ limit: 2 }, { trustProxy: 1 });
      const sameSubnet = ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:db8:1:2:abcd:1:2:3'];
      expect(await statuses(server, '/', 3, sameSubnet)).toEqual([200, 200, 429]);
      expect(await statuses(server, '/', 1, ['2001:db8:1:3::1'])).toEqual([200]);
    });

    it('issue 12 item 15: keys IPv6 clients by the ipv6Subnet prefix when one is given', async () => {
      const server = limited({ limit: 2, ipv6Subnet: 56 }, { trustProxy: 1 });
      // Three /64s of one /56 are one client; the next /56 is another.
      const sameSlash56 = ['2001:db8:1:200::1', '2001:db8:1:2ff::1', '2001:db8:1:2a0:1::9'];
      expect(await statuses(server, '/', 3, sameSlash56)).toEqual([200, 200, 429]);
      expect(await statuses(server, '/', 1, ['2001:db8:1:300::1'])).toEqual([200]);
      const each = limited({ limit: 1, ipv6Subnet: 128 }, { trustProxy: 1 });
      expect(await statuses(each, '/', 2, ['2001:db8::1', '2001:db8::2'])).toEqual([200, 200]);
    });

    it('issue 12 item 15: warns once when X-Forwarded-For carries more hops than a numeric trust proxy trusts', async () => {
      const { logger, entries } = createMemoryLogger();
      const server = mount({
        use: [kit.rateLimit({ limit: 100, logger })],
        routes: [{ method: 'get', path: '/', handler: ok }],
        trustProxy: 1,
      });
      // One entry, as one proxy writes it: nothing to say.
      await statuses(server, '/', 2, ['198.51.100.1']);
      expect(entries).toEqual([]);
      // The client wrote its own entries in front: with no proxy there, it picks its key.
      await statuses(server, '/', 3, ['1.1.1.1, 198.51.100.1', '2.2.2.2, 3.3.3.3, 198.51.100.1']);
      const warnings = entries.filter((e) => e.code === 'WARN_GUARD_TRUST_PROXY_HOPS_EXCEEDED');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 'warn' });
      expect(String(warnings[0]?.message)).toMatch(/carried 2 addresses/);
      expect(entries).toHaveLength(1);
    });

    it('keys ::ffff: mapped clients as their IPv4 address, each client apart', async () => {
      const server = limited({ limit: 1 }, { trustProxy: 1 });
      expect(await statuses(server, '/', 2, ['::ffff:198.51.100.1', '198.51.100.1'])).toEqual([
        200, 429,
      ]);
      expect(
        await statuses(server, '/', 2, ['::ffff:198.51.100.2', '::ffff:198.51.100.3']),
      ).toEqual([200, 200]);
    });

    it('puts clients with an unresolvable address in one shared bucket, never waving them through', async () => {
      const server = limited({ limit: 2 }, { trustProxy: 1 });
      expect(await statuses(server, '/', 3, ['not-an-ip', 'garbage', '999.1.1.1'])).toEqual([
        200, 200, 429,
      ]);
    });

    it.each(invalidOptions)(
      'throws GuardConfigError for %s when created',
      (_label, options, message) => {
        let thrown: unknown;
        try {
          kit.rateLimit(options);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(GuardConfigError);
        expect(thrown).toBeInstanceOf(TypeError);
        expect(thrown).toMatchObject({ code: 'ERR_GUARD_INVALID_OPTION' });
        expect((thrown as Error).message).toMatch(/^rateLimit: /);
        expect((thrown as Error).message).toMatch(message);
      },
    );

    it('says what to change when rateLimit itself is mounted instead of rateLimit()', async () => {
      const { logger, entries } = createMemoryLogger();
      const server = harness.mount({
        use: [kit.rateLimit],
        routes: [{ method: 'get', path: '/', handler: ok }],
        errorHandler: { logger },
      });
      const res = await request(server).get('/');
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toMatch(/app\.use/);
      expect(JSON.stringify(entries)).toMatch(
        /call it: app\.use\(rateLimit\(\)\) instead of app\.use\(rateLimit\)/,
      );
    });

    it('exposes the limiter mode on the middleware', () => {
      const middleware = kit.rateLimit();
      expect(middleware.limiter.mode).toBe('memory');
      middleware.limiter.close();
    });
  });

  describeRateLimitRedis(harness);
}
