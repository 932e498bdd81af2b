import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  EXE,
  PNG,
  createMemoryLogger,
  createTestRedis,
  deleteKeys,
  describeWithRedis,
  multipart,
  startExampleServer,
  uniquePrefix,
} from 'guard-spec';
import { twins } from './twins';
import type { Service } from './twins';
import type { Server } from 'node:http';

const PROBLEM = /^application\/problem\+json/;
// The test process itself is busy (other suites run beside it): its event loop would rightly be
// judged overloaded now and then. Shedding has its own spec; here it must stay out of the way.
const NEVER_SHED = { maxEventLoopDelayMs: 60_000, maxEventLoopUtilization: 1 };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.each(twins)('examples/upload-service on $name', (twin) => {
  let dataDir: string;
  let service: Service;
  let server: Server;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'upload-service-'));
    ({ service, server } = twin.start({
      dataDir,
      logger: createMemoryLogger().logger,
      uploadsPerWindow: 3,
      loadShedding: NEVER_SHED,
    }));
  });
  afterEach(() => {
    service.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the upload page with a strict Content-Security-Policy', async () => {
    const page = await request(server).get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.text).toContain('<script src="/page.js"');
    expect((await request(server).get('/page.js')).status).toBe(200);
  });

  it('stores an allowed file under a generated name, 0600, with its hash, status and download', async () => {
    const res = await request(server).post('/uploads').attach('file', PNG, 'pixel.png');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      originalName: 'pixel.png',
      size: PNG.length,
      sha256: sha256(PNG),
      mimeType: 'image/png',
      extension: '.png',
    });
    expect(res.body.storedName).not.toContain('pixel');
    expect(res.headers.ratelimit).toMatch(/"uploads";r=2;t=\d+/);
    const stored = join(service.config.upload.dir, res.body.storedName as string);
    expect(statSync(stored).mode & 0o777).toBe(0o600);

    const status = await request(server).get(`/uploads/${res.body.id as string}/status`);
    expect(status.body).toMatchObject({ status: 'completed' });

    const download = await request(server)
      .get(`/files/${res.body.storedName as string}`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toMatch(/^attachment/);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(download.body as Buffer, PNG)).toBe(0);
  });

  it('refuses an executable named .jpg with 415 and leaves nothing behind', async () => {
    const res = await request(server).post('/uploads').attach('file', EXE, 'holiday.jpg');
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(typeof res.body.uploadId).toBe('string');
    const status = await request(server).get(`/uploads/${res.body.uploadId as string}/status`);
    expect(status.body).toMatchObject({ status: 'failed' });
    const leftovers = [service.config.upload.dir, service.config.upload.tmpDir].flatMap((dir) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    });
    expect(leftovers).toEqual([]);
  });

  it('refuses a traversal filename with 400 and never serves a path outside the store', async () => {
    // Built by hand: supertest's form encoder would send only the basename.
    const form = multipart([{ field: 'file', filename: '../../etc/passwd.png', data: PNG }]);
    const res = await request(server)
      .post('/uploads')
      .set('content-type', form.contentType)
      .send(form.body);
    expect(res.status).toBe(400);
    expect(
      (await request(server).get('/files/..%2f..%2fetc%2fpasswd')).status,
    ).toBeGreaterThanOrEqual(400);
    expect((await request(server).get('/files/does-not-exist.png')).status).toBe(404);
  });

  it('enforces the per-client upload quota with 429 and RateLimit headers', async () => {
    for (let i = 0; i < 3; i++)
      expect((await request(server).post('/uploads').attach('file', PNG, `p${i}.png`)).status).toBe(
        201,
      );
    const res = await request(server).post('/uploads').attach('file', PNG, 'one-more.png');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.headers['ratelimit-policy']).toContain('"uploads";q=3;w=60');
    expect(res.body.type).toBe('https://iana.org/assignments/http-problem-types#quota-exceeded');
  });

  it('answers 404 for an unknown upload id and for unknown routes', async () => {
    expect((await request(server).get('/uploads/nope/status')).status).toBe(404);
    const res = await request(server).get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
  });

  it('reports load-shedding figures, breaker states and the limiter mode on /health', async () => {
    const res = await request(server).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      breakers: { 'audit-log': 'closed' },
      rateLimit: { mode: 'memory' },
    });
    expect(typeof res.body.loadShedding).toBe('object');
  });
});

describeWithRedis('examples/upload-service with REDIS_URL', () => {
  it.each(twins)('counts rate limits in Redis on $name', async (twin) => {
    const redis = createTestRedis();
    const redisPrefix = uniquePrefix(`upload-service-${twin.name}`);
    const dataDir = mkdtempSync(join(tmpdir(), 'upload-service-'));
    const { service, server } = twin.start({
      dataDir,
      redis,
      redisPrefix,
      logger: createMemoryLogger().logger,
      loadShedding: NEVER_SHED,
    });
    try {
      const res = await request(server).get('/health');
      expect(res.body).toMatchObject({ rateLimit: { mode: 'redis' } });
    } finally {
      service.close();
      await deleteKeys(redis, redisPrefix);
      redis.disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('examples/upload-service server.mjs', () => {
  it.each(['express', 'koa'])(
    'starts the %s twin from the built packages and prints its URL',
    async (framework) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'upload-service-'));
      const server = await startExampleServer(join(__dirname, '..', 'server.mjs'), {
        FRAMEWORK: framework,
        DATA_DIR: dataDir,
        REDIS_URL: '',
      });
      try {
        const res = await fetch(`${server.url}/health`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ status: 'ok' });
      } finally {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
