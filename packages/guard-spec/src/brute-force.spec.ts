import type { Server } from 'node:http';
import createHttpError from 'http-errors';
import request from 'supertest';
import { GuardConfigError } from '@guard-suite/core';
import type { Harness, SpecIO } from './harness';
import { createMemoryLogger } from './memory-logger';
import { createTestRedis, deleteKeys, uniquePrefix } from './redis-connection';
import { describeWithRedis } from './redis';

const QUOTA_EXCEEDED = 'https://iana.org/assignments/http-problem-types#quota-exceeded';

/** A login route: `?user=<name>&password=<pw>`; "right" is every user's password. */
function loginApp(harness: Harness, options: Record<string, unknown>, trustProxy?: number) {
  const calls = { handler: 0 };
  const guard = harness.kit.bruteForce({
    username: (reqOrCtx: { query: Record<string, unknown> }) => reqOrCtx.query.user,
    ...options,
  });
  const server = harness.mount({
    routes: [
      {
        method: 'post',
        path: '/login',
        use: [guard],
        handler: async (io: SpecIO) => {
          calls.handler++;
          const password = new URL(io.req.url ?? '/', 'http://x').searchParams.get('password');
          if (password !== 'right') {
            await guard.reportFailure(io.req);
            throw createHttpError(401, 'Wrong username or password');
          }
          await guard.reportSuccess(io.req);
          return { ok: true };
        },
      },
    ],
    errorHandler: { logger: createMemoryLogger().logger },
    ...(trustProxy === undefined ? {} : { trustProxy }),
  });
  return { server, calls, guard };
}

async function attempt(server: Server, user: string, password: string, from?: string) {
  const req = request(server).post(`/login?user=${user}&password=${password}`);
  if (from) req.set('X-Forwarded-For', from);
  return req;
}

async function attempts(
  server: Server,
  user: string,
  password: string,
  count: number,
  from?: string,
) {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await attempt(server, user, password, from)).status);
  return seen;
}

/** The brute-force scenarios, run by both adapters (packages/{express,koa}-guard/test/brute-force.test.ts). */
export function describeBruteForce(harness: Harness): void {
  describe(`bruteForce() on ${harness.name}`, () => {
    it('blocks a username from an address after N consecutive failures, without running the handler', async () => {
      const { server, calls } = loginApp(harness, { maxConsecutiveFailures: 3, blockMs: 60_000 });
      expect(await attempts(server, 'alice', 'wrong', 3)).toEqual([401, 401, 401]);
      const blocked = await attempt(server, 'alice', 'right');
      expect(blocked.status).toBe(429);
      expect(blocked.headers['retry-after']).toMatch(/^(59|60)$/);
      expect(blocked.body).toMatchObject({ type: QUOTA_EXCEEDED, status: 429 });
      expect(calls.handler).toBe(3);
      // Another user from the same address is not blocked by alice's failures.
      expect((await attempt(server, 'bob', 'right')).status).toBe(200);
    });

    it('resets the consecutive count on success', async () => {
      const { server } = loginApp(harness, { maxConsecutiveFailures: 3 });
      expect(await attempts(server, 'alice', 'wrong', 2)).toEqual([401, 401]);
      expect((await attempt(server, 'alice', 'right')).status).toBe(200);
      expect(await attempts(server, 'alice', 'wrong', 3)).toEqual([401, 401, 401]);
      expect((await attempt(server, 'alice', 'wrong')).status).toBe(429);
    });

    it('blocks an address that fails across many usernames, and only that address', async () => {
      const { server } = loginApp(
        harness,
        { maxConsecutiveFailures: 10, maxFailuresPerAddress: 4 },
        1,
      );
      const from = '203.0.113.50';
      for (const user of ['u1', 'u2', 'u3', 'u4'])
        expect((await attempt(server, user, 'wrong', from)).status).toBe(401);
      expect((await attempt(server, 'u5', 'right', from)).status).toBe(429);
      // A success does not clear the address count.
      expect((await attempt(server, 'u1', 'right', from)).status).toBe(429);
      expect((await attempt(server, 'u5', 'right', '203.0.113.51')).status).toBe(200);
    });

    it('keys the address like rateLimit: one IPv6 /64 is one address', async () => {
      const { server } = loginApp(harness, { maxConsecutiveFailures: 2 }, 1);
      expect((await attempt(server, 'carol', 'wrong', '2001:db8:5:6::1')).status).toBe(401);
      expect((await attempt(server, 'carol', 'wrong', '2001:db8:5:6::2')).status).toBe(401);
      expect((await attempt(server, 'carol', 'right', '2001:db8:5:6::3')).status).toBe(429);
    });

    it('refuses a report for a request the middleware never checked', async () => {
      const { guard } = loginApp(harness, {});
      await expect(guard.reportFailure({})).rejects.toThrow(/did not check/);
    });

    it.each([
      ['maxConsecutiveFailures: 0', { maxConsecutiveFailures: 0 }, /"maxConsecutiveFailures"/],
      ['maxFailuresPerAddress: -1', { maxFailuresPerAddress: -1 }, /"maxFailuresPerAddress"/],
      ['failureWindowMs: NaN', { failureWindowMs: NaN }, /"failureWindowMs"/],
      ['blockMs: "1h"', { blockMs: '1h' }, /"blockMs"/],
      ['username: "user"', { username: 'user' }, /"username" must be a function/],
      ['store: { redis: null }', { store: { redis: null } }, /"store.redis"/],
      ['a misspelt option', { maxConsecutiveFailure: 3 }, /did you mean "maxConsecutiveFailures"/],
    ])('throws GuardConfigError for %s when created', (_label, options, message) => {
      expect(() => harness.kit.bruteForce(options)).toThrow(GuardConfigError);
      expect(() => harness.kit.bruteForce(options)).toThrow(message);
    });

    describeWithRedis('with Redis', () => {
      const redis = createTestRedis();
      const prefix = uniquePrefix(`bf-${harness.name}`);
      afterAll(async () => {
        // The address key has a 24 h window: a test that left it would block 203.0.113.x for a day.
        await deleteKeys(redis, prefix);
        await redis.quit();
      });

      it('shares failures between two app instances', async () => {
        const store = { redis, prefix };
        const first = loginApp(harness, { maxConsecutiveFailures: 3, store });
        const second = loginApp(harness, { maxConsecutiveFailures: 3, store });
        expect((await attempt(first.server, 'dave', 'wrong')).status).toBe(401);
        expect((await attempt(second.server, 'dave', 'wrong')).status).toBe(401);
        expect((await attempt(first.server, 'dave', 'wrong')).status).toBe(401);
        expect((await attempt(second.server, 'dave', 'right')).status).toBe(429);
        expect(first.guard.protection.mode).toBe('redis');
      });
    });
  });
}
