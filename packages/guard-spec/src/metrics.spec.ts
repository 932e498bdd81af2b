import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createHttpError from 'http-errors';
import request from 'supertest';
import type { RejectionRecord } from '@guard-suite/core';
import type { Harness, SpecIO } from './harness';
import { deferred, listen, rawRequest, until } from './http-helpers';
import { createMemoryLogger } from './memory-logger';
import { createMetricsProbe } from './metrics-probe';
import type { MetricsProbe } from './metrics-probe';
import { EXE, PNG } from './uploads/fixtures';
import { multipart } from './uploads/multipart';

const REJECTED = 'rejected';

/** Every attribute key an instrument of the suite may carry (issue 11's table). */
const ATTRIBUTE_KEYS = new Set([
  'guard.result',
  'guard.policy',
  'guard.reason',
  'guard.criticality',
  'guard.name',
  'guard.state',
  'guard.store',
  'http.response.status_code',
  'error.type',
]);

/** Collects the `guard:reject` messages published while a scenario runs. */
function rejectSubscriber() {
  const records: RejectionRecord[] = [];
  const listener = (message: unknown) => records.push(message as RejectionRecord);
  diagnosticsChannel.subscribe('guard:reject', listener);
  return { records, stop: () => diagnosticsChannel.unsubscribe('guard:reject', listener) };
}

/** OpenTelemetry metrics and `guard:reject` events: exact counts per scenario, through HTTP. */
export function describeMetrics(h: Harness): void {
  describe(`metrics and rejection events (${h.name})`, () => {
    let probe: MetricsProbe;
    const opened: { close(): void }[] = [];
    beforeEach(() => {
      probe = createMetricsProbe();
    });
    afterEach(async () => {
      for (const middleware of opened.splice(0)) middleware.close();
      await probe.shutdown();
    });
    const errorHandler = () => ({
      logger: createMemoryLogger().logger,
      meterProvider: probe.meterProvider,
    });
    /** guard() with only the named sections on, recording into the probe. */
    const guardWith = (sections: Record<string, unknown>) => {
      const g = h.kit.guard({
        helmet: false,
        loadShedding: false,
        rateLimit: false,
        concurrency: false,
        timeout: false,
        inputLimits: false,
        ...sections,
        meterProvider: probe.meterProvider,
      });
      opened.push(g);
      return g;
    };
    const okRoute = { method: 'get' as const, path: '/', handler: () => ({ ok: true }) };

    it('counts N rate-limited requests as guard.requests{rejected, rate_limit} = N', async () => {
      const server = h.mount({
        use: [guardWith({ rateLimit: { name: 'api', limit: 3, windowMs: 60_000 } })],
        errorHandler: errorHandler(),
        routes: [okRoute],
      });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await request(server).get('/')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
      await probe.collect();
      expect(
        probe.sum('guard.requests', {
          'guard.result': REJECTED,
          'guard.policy': 'rate_limit',
          'guard.reason': 'limit_exceeded',
          'guard.name': 'api',
          'guard.criticality': 'critical',
        }),
      ).toBe(5);
      expect(probe.sum('guard.requests', { 'guard.result': 'allowed' })).toBe(3);
      expect(probe.sum('guard.requests')).toBe(8);
      // Every hit was counted by the memory store, and timed.
      expect(
        probe.histogram('guard.rate_limit.store.duration', { 'guard.store': 'memory' }).count,
      ).toBe(8);
      expect(
        probe.sum('guard.errors', {
          'http.response.status_code': 429,
          'error.type': 'ERR_GUARD_RATE_LIMITED',
        }),
      ).toBe(5);
    });

    it('publishes one guard:reject record per refusal with the documented fields and no raw key', async () => {
      const events = rejectSubscriber();
      try {
        const server = h.mount({
          use: [guardWith({ rateLimit: { name: 'api', limit: 1, windowMs: 60_000 } })],
          errorHandler: errorHandler(),
          routes: [okRoute],
        });
        expect((await request(server).get('/')).status).toBe(200);
        for (let i = 0; i < 3; i++)
          expect((await request(server).get('/').set('X-Request-Id', `req-${i}`)).status).toBe(429);
        expect(events.records).toHaveLength(3);
        events.records.forEach((record, i) => {
          expect(record).toEqual({
            policy: 'rate_limit',
            name: 'api',
            reason: 'limit_exceeded',
            status: 429,
            retryAfterSeconds: expect.any(Number) as number,
            limit: 1,
            remaining: 0,
            criticality: 'critical',
            requestId: `req-${i}`,
            keyHash: expect.stringMatching(/^[0-9a-f]{16}$/) as string,
          });
          expect(Object.isFrozen(record)).toBe(true);
          // The client key is the loopback address: it must not appear in any form.
          expect(JSON.stringify(record)).not.toMatch(/127\.0\.0\.1|::1|ffff/);
        });
        // One client, one keyed hash.
        expect(new Set(events.records.map((r) => r.keyHash)).size).toBe(1);
      } finally {
        events.stop();
      }
    });

    it('counts load shedding refusals and reports the pressure gauge over 1', async () => {
      // Any real heap is over one byte: the process is "overloaded" from the first sample.
      const server = h.mount({
        use: [guardWith({ loadShedding: { maxHeapUsedBytes: 1 } })],
        errorHandler: errorHandler(),
        routes: [okRoute],
      });
      const events = rejectSubscriber();
      try {
        for (let i = 0; i < 3; i++) expect((await request(server).get('/')).status).toBe(503);
      } finally {
        events.stop();
      }
      await probe.collect();
      expect(
        probe.sum('guard.requests', {
          'guard.result': REJECTED,
          'guard.policy': 'load_shedding',
          'guard.reason': 'overloaded',
        }),
      ).toBe(3);
      expect(probe.sum('guard.requests', { 'guard.result': 'allowed' })).toBe(0);
      expect(probe.gauge('guard.load_shedding.pressure')).toBeGreaterThan(1);
      expect(probe.gauge('guard.load_shedding.event_loop.delay')).toBeGreaterThanOrEqual(0);
      expect(events.records.map((r) => [r.policy, r.reason, r.threshold])).toEqual([
        ['load_shedding', 'overloaded', 1],
        ['load_shedding', 'overloaded', 1],
        ['load_shedding', 'overloaded', 1],
      ]);
      expect(events.records[0]?.observed).toBeGreaterThan(1);
    });

    it('counts and publishes the refusals made before dispatch like those made in the framework', async () => {
      const server = h.mount({
        use: [guardWith({ loadShedding: { maxHeapUsedBytes: 1 } })],
        errorHandler: errorHandler(),
        routes: [okRoute],
      });
      const { port, close } = await listen(server);
      const events = rejectSubscriber();
      try {
        for (let i = 0; i < 5; i++)
          expect(
            (await request(`http://127.0.0.1:${port}`).get('/').set('X-Request-Id', `r${i}`))
              .status,
          ).toBe(503);
        // The first refusal went through the framework; the others were refused before dispatch.
        expect((server.listeners('request')[0] as { name?: string }).name).toBe(
          'shedBeforeDispatch',
        );
      } finally {
        events.stop();
        await close();
      }
      await probe.collect();
      expect(
        probe.sum('guard.requests', {
          'guard.result': REJECTED,
          'guard.policy': 'load_shedding',
          'guard.reason': 'overloaded',
          'guard.criticality': 'critical',
        }),
      ).toBe(5);
      expect(
        probe.sum('guard.errors', {
          'http.response.status_code': 503,
          'error.type': 'ERR_GUARD_OVERLOADED',
        }),
      ).toBe(5);
      expect(events.records.map((r) => [r.policy, r.reason, r.criticality, r.requestId])).toEqual(
        [0, 1, 2, 3, 4].map((i) => ['load_shedding', 'overloaded', 'critical', `r${i}`]),
      );
    });

    it('counts input-limit refusals by reason, with the observed size and the threshold', async () => {
      const limits = h.kit.inputLimits({
        maxUrlLength: 40,
        maxBodyBytes: 10,
        meterProvider: probe.meterProvider,
      });
      const server = h.mount({
        use: [limits],
        errorHandler: errorHandler(),
        routes: [okRoute, { method: 'post', path: '/', handler: () => ({ ok: true }) }],
      });
      const events = rejectSubscriber();
      try {
        expect((await request(server).get(`/?q=${'x'.repeat(60)}`)).status).toBe(414);
        expect((await request(server).post('/').send('y'.repeat(20))).status).toBe(413);
        expect((await request(server).get('/')).status).toBe(200);
      } finally {
        events.stop();
      }
      await probe.collect();
      const rejected = { 'guard.result': REJECTED, 'guard.policy': 'input_limits' };
      expect(probe.sum('guard.requests', { ...rejected, 'guard.reason': 'uri_too_long' })).toBe(1);
      expect(
        probe.sum('guard.requests', { ...rejected, 'guard.reason': 'payload_too_large' }),
      ).toBe(1);
      // The stand-alone middleware counts what it lets through too.
      expect(probe.sum('guard.requests', { 'guard.result': 'allowed' })).toBe(1);
      expect(events.records.map((r) => [r.reason, r.observed, r.threshold])).toEqual([
        ['uri_too_long', 64, 40],
        ['payload_too_large', 20, 10],
      ]);
    });

    it('times queue waits and counts queue refusals against the limit gauges', async () => {
      const limit = h.kit.concurrencyLimit({
        name: 'api',
        max: 1,
        maxQueue: 1,
        queueTimeoutMs: 100,
        meterProvider: probe.meterProvider,
      });
      opened.push(limit.limiter);
      const gate = deferred();
      const entered = deferred();
      const server = h.mount({
        use: [limit],
        errorHandler: errorHandler(),
        routes: [
          {
            method: 'get',
            path: '/hold',
            handler: async () => {
              entered.resolve();
              await gate.promise;
              return { done: true };
            },
          },
          okRoute,
        ],
      });
      const { port, close } = await listen(server);
      const events = rejectSubscriber();
      try {
        const holding = rawRequest(port, { path: '/hold' });
        await entered.promise;
        const queued = rawRequest(port, { path: '/' });
        await until(() => limit.queued === 1);
        await probe.collect();
        expect(probe.gauge('guard.concurrency.limit', { 'guard.name': 'api' })).toBe(1);
        expect(probe.gauge('guard.concurrency.active', { 'guard.name': 'api' })).toBe(1);
        expect(probe.gauge('guard.concurrency.queued', { 'guard.name': 'api' })).toBe(1);
        // The queue is full: refused at once, without queueing.
        expect((await rawRequest(port, { path: '/' })).status).toBe(503);
        // The queued one waits out queueTimeoutMs.
        expect((await queued).status).toBe(503);
        gate.resolve();
        expect((await holding).status).toBe(200);
        expect((await rawRequest(port, { path: '/' })).status).toBe(200);
        await probe.collect();
        const rejected = {
          'guard.result': REJECTED,
          'guard.policy': 'concurrency',
          'guard.name': 'api',
        };
        expect(probe.sum('guard.requests', { ...rejected, 'guard.reason': 'queue_full' })).toBe(1);
        expect(probe.sum('guard.requests', { ...rejected, 'guard.reason': 'queue_timeout' })).toBe(
          1,
        );
        // Allowed and refused under the same name: a dashboard can divide one by the other.
        expect(
          probe.sum('guard.requests', { 'guard.result': 'allowed', 'guard.name': 'api' }),
        ).toBe(2);
        expect(
          probe.histogram('guard.concurrency.queue.duration', { 'guard.result': 'timeout' }).count,
        ).toBe(1);
        expect(probe.histogram('guard.concurrency.queue.duration').count).toBe(1);
        const timedOut = events.records.find((r) => r.reason === 'queue_timeout');
        expect(timedOut).toMatchObject({
          policy: 'concurrency',
          name: 'api',
          status: 503,
          limit: 1,
        });
        expect(timedOut?.queueWaitMs).toBeGreaterThanOrEqual(90);
      } finally {
        events.stop();
        gate.resolve();
        await close();
      }
    });

    it('counts a request deadline in guard.timeouts{request} and as a timeout refusal', async () => {
      const server = h.mount({
        use: [h.kit.timeout({ ms: 30, meterProvider: probe.meterProvider })],
        errorHandler: errorHandler(),
        routes: [{ method: 'get', path: '/hang', handler: () => new Promise(() => undefined) }],
      });
      const { port, close } = await listen(server);
      try {
        expect((await rawRequest(port, { path: '/hang' })).status).toBe(503);
        await probe.collect();
        expect(probe.sum('guard.timeouts', { 'guard.policy': 'request' })).toBe(1);
        expect(
          probe.sum('guard.requests', {
            'guard.result': REJECTED,
            'guard.policy': 'timeout',
            'guard.reason': 'deadline_exceeded',
          }),
        ).toBe(1);
        // Admitted first, then refused at the deadline: one decision each.
        expect(probe.sum('guard.requests', { 'guard.result': 'allowed' })).toBe(1);
      } finally {
        await close();
      }
    });

    it('counts a breaker trip as one transition to open, with the state gauge at 2', async () => {
      const breaker = h.kit.createCircuitBreaker({
        name: 'payments',
        failureThreshold: 2,
        resetTimeoutMs: 60_000,
        meterProvider: probe.meterProvider,
      });
      opened.push(breaker);
      const server = h.mount({
        errorHandler: errorHandler(),
        routes: [
          {
            method: 'get',
            path: '/pay',
            handler: () =>
              breaker.execute(() => Promise.reject(createHttpError(502, 'upstream down'))),
          },
        ],
      });
      await probe.collect();
      expect(probe.gauge('guard.circuit_breaker.state', { 'guard.name': 'payments' })).toBe(0);
      const events = rejectSubscriber();
      const transitions: unknown[] = [];
      const onState = (message: unknown) => transitions.push(message);
      diagnosticsChannel.subscribe('guard:circuit-breaker:state', onState);
      try {
        expect((await request(server).get('/pay')).status).toBe(502);
        expect((await request(server).get('/pay')).status).toBe(502);
        expect((await request(server).get('/pay')).status).toBe(503);
      } finally {
        events.stop();
        diagnosticsChannel.unsubscribe('guard:circuit-breaker:state', onState);
      }
      await probe.collect();
      expect(probe.sum('guard.circuit_breaker.transitions', { 'guard.name': 'payments' })).toBe(1);
      expect(
        probe.sum('guard.circuit_breaker.transitions', {
          'guard.name': 'payments',
          'guard.state': 'open',
        }),
      ).toBe(1);
      expect(probe.gauge('guard.circuit_breaker.state', { 'guard.name': 'payments' })).toBe(2);
      expect(transitions).toEqual([{ name: 'payments', from: 'closed', to: 'open' }]);
      expect(events.records).toEqual([
        {
          policy: 'circuit_breaker',
          name: 'payments',
          reason: 'circuit_open',
          status: 503,
          retryAfterSeconds: expect.any(Number) as number,
        },
      ]);
      // A refused call is no request: guard.requests counts nothing for the breaker.
      expect(probe.sum('guard.requests')).toBe(0);
    });

    it('counts stored and refused uploads by reason, with the stored size', async () => {
      const dir = mkdtempSync(join(tmpdir(), `guard-metrics-upload-${h.name}-`));
      try {
        const uploads = h.kit.upload({ dir, meterProvider: probe.meterProvider });
        const server = h.mount({
          errorHandler: errorHandler(),
          routes: [
            {
              method: 'post',
              path: '/upload',
              use: [uploads.single('file')],
              handler: (io: SpecIO) => io.upload,
            },
          ],
        });
        const send = (filename: string, data: Buffer) => {
          const { body, contentType } = multipart([{ field: 'file', filename, data }]);
          return request(server).post('/upload').set('content-type', contentType).send(body);
        };
        expect((await send('pixel.png', PNG)).status).toBe(200);
        expect((await send('invoice.pdf', EXE)).status).toBe(415);
        await probe.collect();
        expect(probe.sum('guard.uploads', { 'guard.result': 'accepted' })).toBe(1);
        expect(
          probe.sum('guard.uploads', {
            'guard.result': REJECTED,
            'guard.reason': 'unsupported_media_type',
          }),
        ).toBe(1);
        expect(probe.histogram('guard.upload.size', { 'guard.result': 'accepted' })).toEqual({
          count: 1,
          sum: PNG.length,
        });
        expect(
          probe.sum('guard.requests', {
            'guard.result': REJECTED,
            'guard.policy': 'upload',
            'guard.reason': 'unsupported_media_type',
          }),
        ).toBe(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('carries no client address, username, key or file name in any attribute', async () => {
      const dir = mkdtempSync(join(tmpdir(), `guard-metrics-privacy-${h.name}-`));
      const events = rejectSubscriber();
      try {
        const login = h.kit.bruteForce({
          maxConsecutiveFailures: 2,
          username: (r: { query: Record<string, unknown> }) => r.query.user,
          meterProvider: probe.meterProvider,
        });
        const uploads = h.kit.upload({ dir, meterProvider: probe.meterProvider });
        const server = h.mount({
          use: [guardWith({ rateLimit: { limit: 100, windowMs: 60_000 } })],
          errorHandler: errorHandler(),
          routes: [
            {
              method: 'post',
              path: '/login',
              use: [login],
              handler: async (io: SpecIO) => {
                await login.reportFailure(io.req);
                throw createHttpError(401, 'Wrong username or password');
              },
            },
            {
              method: 'post',
              path: '/upload',
              use: [uploads.single('file')],
              handler: (io: SpecIO) => io.upload,
            },
          ],
        });
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++)
          statuses.push((await request(server).post('/login?user=alice-private')).status);
        expect(statuses).toEqual([401, 401, 429]);
        const { body, contentType } = multipart([
          { field: 'file', filename: 'secret-merger-plan.pdf', data: EXE },
        ]);
        expect(
          (await request(server).post('/upload').set('content-type', contentType).send(body))
            .status,
        ).toBe(415);
        await probe.collect();
        expect(
          probe.sum('guard.requests', { 'guard.result': REJECTED, 'guard.policy': 'brute_force' }),
        ).toBe(1);
        const attributes = probe.allAttributes();
        expect(attributes.length).toBeGreaterThan(5);
        for (const set of attributes) {
          for (const [key, value] of Object.entries(set)) {
            expect(ATTRIBUTE_KEYS).toContain(key);
            expect(String(value)).not.toMatch(/127\.0\.0\.1|::1|ffff|alice|secret|merger|\.pdf/);
          }
        }
        const published = JSON.stringify(events.records);
        expect(published).not.toMatch(/127\.0\.0\.1|alice|secret-merger/);
        expect(events.records.find((r) => r.policy === 'brute_force')?.keyHash).toMatch(
          /^[0-9a-f]{16}$/,
        );
      } finally {
        events.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
