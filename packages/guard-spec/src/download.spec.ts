import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { get as httpGet } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Harness, SpecIO } from './harness';
import { createMemoryLogger } from './memory-logger';
import { PDF } from './uploads/fixtures';
import { close, listen, openFdCount, post, waitFor } from './uploads/upload-test-kit';

const PROBLEM = /^application\/problem\+json/;

/** Reads a binary response body into a Buffer, whatever its content type. */
function binary(res: request.Response, callback: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/**
 * Downloads of stored uploads through `sendStoredFile` and `createFileStore` (CONTRACT.md "Upload
 * result"), run by both adapters: an attachment with the original name safely encoded, the stored mime
 * type and nosniff; names that could reach outside `dir` refused with 400; missing files 404.
 */
export function describeDownloads(harness: Harness): void {
  describe(`sendStoredFile() on ${harness.name}`, () => {
    const root = mkdtempSync(join(tmpdir(), `guard-download-${harness.name}-`));
    const dir = join(root, 'uploads');
    const sibling = join(root, 'uploads2');
    let server: Server;
    let fdAtStart: number;

    beforeAll(async () => {
      fdAtStart = openFdCount();
      const u = harness.kit.upload({ dir, allowedExtensions: ['.pdf', '.txt'] });
      const store = harness.kit.createFileStore({ dir });
      server = harness.mount({
        errorHandler: { logger: createMemoryLogger('error').logger },
        routes: [
          { method: 'post', path: '/upload', use: [u.single('file')], handler: (io) => io.upload },
          {
            method: 'get',
            path: '/files',
            handler: async (io: SpecIO) => {
              const name = new URL(io.req.url ?? '/', 'http://x').searchParams.get('name') ?? '';
              await harness.kit.sendStoredFile(io.native, store, name);
            },
          },
        ],
      });
      await listen(server);
      mkdirSync(sibling, { recursive: true });
      writeFileSync(join(sibling, 'secret.txt'), 'sibling secret');
      symlinkSync('/etc/hostname', join(dir, 'escape.txt'));
      symlinkSync(join(sibling, 'secret.txt'), join(dir, 'sibling.txt'));
      writeFileSync(join(dir, 'no-metadata.txt'), 'orphan', { mode: 0o600 });
      execFileSync('mkfifo', [join(dir, 'pipe.txt')]);
      writeFileSync(join(dir, 'pipe.txt.meta.json'), JSON.stringify({ mimeType: 'text/plain' }));
    });

    afterAll(async () => {
      // Were a download still waiting for a writer on the FIFO (the defect), this lets it return.
      try {
        closeSync(openSync(join(dir, 'pipe.txt'), constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // ENXIO: nobody is waiting on it.
      }
      await close(server);
      await waitFor(
        () => openFdCount() <= fdAtStart,
        'open descriptors to return to their start value',
      );
      rmSync(root, { recursive: true, force: true });
    });

    it('sends a stored file as an attachment with its stored type, nosniff and a safe name', async () => {
      const originalName = 'rapport "final" été.pdf';
      const uploaded = await post(server, '/upload', [
        { field: 'file', filename: originalName, data: PDF },
      ]);
      expect(uploaded.status).toBe(200);
      const res = await request(server)
        .get(`/files?name=${encodeURIComponent(uploaded.body.storedName)}`)
        .buffer(true)
        .parse(binary);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-length']).toBe(String(PDF.length));
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="rapport _final_ _t_.pdf"; filename*=UTF-8''${encodeURIComponent(
          originalName,
        )}`,
      );
      expect(Buffer.compare(res.body as Buffer, PDF)).toBe(0);
    });

    it('sends a text upload with its text type', async () => {
      const uploaded = await post(server, '/upload', [
        { field: 'file', filename: 'notes.txt', data: 'plain words' },
      ]);
      const res = await request(server).get(
        `/files?name=${encodeURIComponent(uploaded.body.storedName)}`,
      );
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.headers['content-disposition']).toMatch(/^attachment; /);
      expect(res.text).toBe('plain words');
    });

    it.each([
      ['a parent-folder traversal', '../uploads2/secret.txt'],
      ['a deep traversal', '../../../../etc/passwd'],
      ['an absolute path', '/etc/passwd'],
      ['a backslash traversal', '..\\uploads2\\secret.txt'],
      ['a percent-encoded traversal', '..%2fuploads2%2fsecret.txt'],
      ['a double-encoded traversal', '%252e%252e%252fetc%252fpasswd'],
      ['dot', '.'],
      ['dot-dot', '..'],
      ['the temporary folder', '.tmp'],
      ['a NUL byte', 'x.txt\u0000.pdf'],
      ['a symlink pointing out of the store', 'escape.txt'],
      ['a symlink into a sibling folder sharing the prefix (uploads2)', 'sibling.txt'],
      ['an empty name', ''],
    ])('refuses %s with 400', async (_label, name) => {
      const res = await request(server).get(`/files?name=${encodeURIComponent(name)}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(JSON.stringify(res.body)).not.toContain(root);
    });

    it('answers 404 for a missing file', async () => {
      const res = await request(server).get('/files?name=missing.pdf');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(PROBLEM);
    });

    it('issue 12 item 14: answers 404 for a FIFO in the folder at once, and 8 such downloads leave the others free', async () => {
      const first = await request(server).get('/files?name=pipe.txt');
      expect(first.status).toBe(404);
      expect(first.headers['content-type']).toMatch(PROBLEM);
      // libuv has 4 threads by default: 8 opens parked on the FIFO would stall every other download.
      // `.then` sends each request now, before the plain one below.
      const pending = Array.from({ length: 8 }, () =>
        request(server)
          .get('/files?name=pipe.txt')
          .then((res) => res),
      );
      expect((await request(server).get('/files?name=missing.pdf')).status).toBe(404);
      for (const res of await Promise.all(pending)) expect(res.status).toBe(404);
    });

    it('answers 404 for a file without its upload record', async () => {
      const res = await request(server).get('/files?name=no-metadata.txt');
      expect(res.status).toBe(404);
    });
  });

  describe(`sendStoredFile() on ${harness.name} when the transfer breaks`, () => {
    const root = mkdtempSync(join(tmpdir(), `guard-download-fail-${harness.name}-`));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    /**
     * A listening app that stores one uploaded PDF of `bytes` bytes in `dir` and serves downloads
     * through the store `serve` makes of the real one; resolves with the server and the stored name.
     */
    async function serveOneUpload(
      dir: string,
      bytes: number,
      logger: ReturnType<typeof createMemoryLogger>['logger'],
      serve: (real: ReturnType<Harness['kit']['createFileStore']>) => typeof real = (real) => real,
    ) {
      const u = harness.kit.upload({ dir, allowedExtensions: ['.pdf'], maxFileBytes: 16_777_216 });
      const store = serve(harness.kit.createFileStore({ dir }));
      const server = harness.mount({
        errorHandler: { logger },
        routes: [
          { method: 'post', path: '/upload', use: [u.single('file')], handler: (io) => io.upload },
          {
            method: 'get',
            path: '/files/:name',
            handler: async (io: SpecIO) => {
              const name = decodeURIComponent((io.req.url ?? '').split('/').pop() ?? '');
              await harness.kit.sendStoredFile(io.native, store, name);
            },
          },
        ],
      });
      await listen(server);
      const data = Buffer.concat([PDF, Buffer.alloc(bytes - PDF.length, 0x20)]);
      const uploaded = await post(server, '/upload', [
        { field: 'file', filename: 'big.pdf', data },
      ]);
      expect(uploaded.status).toBe(200);
      return { server, storedName: uploaded.body.storedName as string, size: data.length };
    }

    it('takes a client that leaves mid-download for no error: nothing logged, nothing left open', async () => {
      const { logger, entries } = createMemoryLogger('warn');
      const { server: leftServer, storedName } = await serveOneUpload(
        join(root, 'left'),
        8 * 1024 * 1024,
        logger,
      );
      const fdBefore = openFdCount();
      try {
        const { port } = leftServer.address() as { port: number };
        await new Promise<void>((resolve, reject) => {
          const req = httpGet({ port, path: `/files/${encodeURIComponent(storedName)}` }, (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', (error) => {
            if (!req.destroyed) reject(error);
          });
        });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(entries).toEqual([]);
        await waitFor(() => openFdCount() <= fdBefore, 'the file to be closed');
      } finally {
        await close(leftServer);
      }
    });

    it('never passes a truncated file off as complete, and logs the read error once', async () => {
      const { logger, entries } = createMemoryLogger('error');
      // A disk read error cannot be produced on demand here: the store serves the real file's
      // first bytes, then fails as a failing disk would.
      const failing = (real: ReturnType<Harness['kit']['createFileStore']>): typeof real => ({
        ...real,
        async open(name: string) {
          const file = await real.open(name);
          let chunks = 0;
          file.stream.on('data', () => {
            chunks += 1;
            if (chunks === 1)
              file.stream.destroy(
                Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }),
              );
          });
          file.stream.pause();
          return file;
        },
      });
      const {
        server: failServer,
        storedName,
        size,
      } = await serveOneUpload(join(root, 'uploads'), 512 * 1024, logger, failing);
      try {
        const outcome = await request(failServer)
          .get(`/files/${encodeURIComponent(storedName)}`)
          .buffer(true)
          .parse(binary)
          .then(
            (res) => ({ status: res.status, complete: (res.body as Buffer).length === size }),
            () => ({ status: 'reset', complete: false }),
          );
        expect(outcome.complete).toBe(false);
        await waitFor(() => entries.length > 0, 'the read error to be logged');
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(entries).toHaveLength(1);
        expect(JSON.stringify(entries[0])).toContain('EIO');
      } finally {
        await close(failServer);
      }
    });
  });
}
