import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Harness, SpecRoute } from './harness';
import { listen, rawRequest } from './http-helpers';
import { createMemoryLogger } from './memory-logger';
import { multipart } from './uploads/multipart';

const MiB = 1024 * 1024;

/** Reads a body the way body parsers do and resolves its length (an error surfaces as a rejection). */
function countBody(req: IncomingMessage): Promise<{ bytes: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => resolve({ bytes }));
    req.on('error', reject);
  });
}

/**
 * Issue 14 #3: `guard()` and `upload()` work together out of the box (a multipart body on a route
 * that `upload()` bounds is limited by `upload()`'s own limits), and every 413 says which limit it
 * hit: in the log always, in the client's detail when that names only a size.
 */
export function describePayloadLimits(h: Harness): void {
  describe(`payload limits (${h.name})`, () => {
    const root = mkdtempSync(join(tmpdir(), `guard-payload-${h.name}-`));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    /** An app behind the README's `guard()` (default inputLimits: 1 MiB), with an upload route. */
    function guardedApp(uploadOptions: Record<string, unknown> = {}, routes: SpecRoute[] = []) {
      const memory = createMemoryLogger();
      const uploads = h.kit.upload({ dir: join(root, 'files'), ...uploadOptions });
      const protection = h.kit.guard({ loadShedding: false, rateLimit: false });
      const server = h.mount({
        use: [protection],
        errorHandler: { logger: memory.logger },
        maxHeaderSize: 64 * 1024,
        routes: [
          {
            method: 'post',
            path: '/uploads',
            use: [uploads.single('file')],
            handler: (io) => io.upload,
          },
          {
            method: 'post',
            path: '/many',
            use: [uploads.array('files', 5)],
            handler: (io) => io.upload,
          },
          { method: 'post', path: '/echo', handler: (io) => countBody(io.req) },
          {
            method: 'post',
            path: '/json',
            use: [h.kit.jsonBody({ maxBytes: 100 })],
            handler: (io) => io.body,
          },
          ...routes,
        ],
      });
      return { server, entries: memory.entries, close: () => protection.close() };
    }

    it('accepts a 3 MB upload behind guard() with its defaults (Content-Length)', async () => {
      const app = guardedApp();
      try {
        const data = Buffer.alloc(3 * 1000 * 1000, 'u');
        const { body, contentType } = multipart([{ field: 'file', filename: 'big.txt', data }]);
        const res = await request(app.server)
          .post('/uploads')
          .set('content-type', contentType)
          .send(body);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ originalName: 'big.txt', size: data.length });
      } finally {
        app.close();
      }
    });

    it('accepts a 3 MB upload behind guard() sent chunked', async () => {
      const app = guardedApp();
      const { port, close } = await listen(app.server);
      try {
        const data = Buffer.alloc(3 * 1000 * 1000, 'c');
        const { body, contentType } = multipart([{ field: 'file', filename: 'chunked.txt', data }]);
        const res = await rawRequest(
          port,
          {
            method: 'POST',
            path: '/uploads',
            headers: { 'content-type': contentType, 'transfer-encoding': 'chunked' },
          },
          (send, end) => {
            for (let at = 0; at < body.length; at += 256 * 1024)
              send(body.subarray(at, at + 256 * 1024));
            end();
          },
        );
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({
          originalName: 'chunked.txt',
          size: data.length,
        });
      } finally {
        app.close();
        await close();
      }
    });

    it('still refuses the file over upload()’s own maxFileBytes, naming the size', async () => {
      const app = guardedApp({ maxFileBytes: 2 * MiB });
      try {
        const { body, contentType } = multipart([
          { field: 'file', filename: 'big.txt', data: Buffer.alloc(3 * MiB, 'u') },
        ]);
        const res = await request(app.server)
          .post('/uploads')
          .set('content-type', contentType)
          .send(body);
        expect(res.status).toBe(413);
        expect(res.body.detail).toContain(`${2 * MiB} bytes`);
        expect(app.entries.at(-1)).toMatchObject({
          status: 413,
          limitName: 'upload.maxFileBytes',
          limit: 2 * MiB,
        });
      } finally {
        app.close();
      }
    });

    it('keeps inputLimits.maxBodyBytes for a multipart body on a route that upload() does not bound', async () => {
      const app = guardedApp();
      try {
        const { body, contentType } = multipart([
          { field: 'file', filename: 'big.txt', data: Buffer.alloc(3 * MiB, 'x') },
        ]);
        const res = await request(app.server)
          .post('/echo')
          .set('content-type', contentType)
          .send(body);
        expect(res.status).toBe(413);
        expect(res.body.detail).toContain(`${MiB} bytes`);
        expect(app.entries.at(-1)).toMatchObject({
          status: 413,
          limitName: 'inputLimits.maxBodyBytes',
          limit: MiB,
        });
      } finally {
        app.close();
      }
    });

    it.each([
      [
        'a JSON body over inputLimits.maxBodyBytes (declared)',
        '/echo',
        'application/json',
        () => Buffer.alloc(2 * MiB, ' '),
        'inputLimits.maxBodyBytes',
        MiB,
        true,
      ],
      [
        'a body over jsonBody maxBytes',
        '/json',
        'application/json',
        () => Buffer.from(JSON.stringify({ text: 'x'.repeat(200) })),
        'jsonBody.maxBytes',
        100,
        true,
      ],
      ['too many files', '/many', '', () => Buffer.alloc(0), 'upload.maxFiles', undefined, false],
    ])(
      'answers %s with a 413 whose log names the limit',
      async (_name, path, type, payload, limitName, limit, detailNamesSize) => {
        const app = guardedApp({ maxFiles: 1 });
        try {
          let res: { status: number; body: { detail?: unknown } };
          if (path === '/echo') {
            // Only the headers: the 413 comes from the declared length, before any byte is read.
            const { port, close } = await listen(app.server);
            try {
              const raw = await rawRequest(
                port,
                {
                  method: 'POST',
                  path,
                  headers: { 'content-type': type, 'content-length': String(payload().length) },
                },
                (send) => send('{"only": "the start"'),
              );
              res = { status: raw.status ?? 0, body: JSON.parse(raw.body) as { detail?: unknown } };
            } finally {
              await close();
            }
          } else if (path === '/many') {
            const { body, contentType } = multipart([
              { field: 'files', filename: 'a.txt', data: 'a' },
              { field: 'files', filename: 'b.txt', data: 'b' },
            ]);
            res = await request(app.server).post(path).set('content-type', contentType).send(body);
          } else
            res = await request(app.server).post(path).set('content-type', type).send(payload());
          expect(res.status).toBe(413);
          expect(String(res.body.detail)).toMatch(/^(Payload too large|Too many files)/);
          if (detailNamesSize) expect(String(res.body.detail)).toContain(`${limit} bytes`);
          expect(app.entries.at(-1)).toMatchObject({
            status: 413,
            limitName,
            ...(limit === undefined ? {} : { limit }),
          });
        } finally {
          app.close();
        }
      },
    );
  });
}
