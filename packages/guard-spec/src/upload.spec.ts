import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Harness } from './harness';
import { createMemoryLogger } from './memory-logger';
import {
  CFB_DOC,
  DOCX,
  EXE,
  GIF,
  GIF_PHP_POLYGLOT,
  JPG,
  PDF,
  PNG,
  makeZip,
  officeZipBomb,
  zipBomb,
} from './uploads/fixtures';
import { hostileFilenames } from './uploads/hostile-filenames';
import { multipart } from './uploads/multipart';
import type { Part } from './uploads/multipart';
import {
  close,
  list,
  listen,
  openFdCount,
  post,
  sendPartThenDisconnect,
  waitFor,
} from './uploads/upload-test-kit';

const PROBLEM = /^application\/problem\+json/;
const MAX_FILE_BYTES = 64 * 1024;
const ALLOWED = ['.txt', '.pdf', '.jpg', '.png', '.doc', '.docx', '.gif', '.csv', '.json', '.md'];
// Built once per test file (deflating megabytes of zeros is the costly part).
const ZIP_BOMB = zipBomb();
const OFFICE_ZIP_BOMB = officeZipBomb();
const DOCX_AS_PLAIN_ZIP = makeZip([{ name: 'readme.txt', data: Buffer.from('not office') }]);
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A text body with `marker` straddling the 16 KiB / 64 KiB marks where parser chunks commonly split. */
function textWith(marker: string, at: number): string {
  return `${'a'.repeat(at - Math.floor(marker.length / 2))}${marker}${'b'.repeat(100)}`;
}

/**
 * The upload scenarios (CONTRACT.md "Upload result", issue 5 "Bad input the tests must cover"), run by
 * both adapters: what is stored, what is refused with which status, and that a refused, broken or
 * abandoned request leaves nothing in `dir` or the temporary folder, nor an open descriptor.
 */
export function describeUploads(harness: Harness): void {
  describe(`upload() on ${harness.name}`, () => {
    const root = mkdtempSync(join(tmpdir(), `guard-upload-${harness.name}-`));
    const dir = join(root, 'files');
    const tmpDir = join(dir, '.tmp');
    const stored = new Set<string>();
    let uploads: { status(id: string): { status: string; [key: string]: unknown } };
    let server: Server;
    let port: number;
    let fdAtStart: number;

    const mountWith = (options: Record<string, unknown>) => {
      const u = harness.kit.upload({ dir, ...options });
      return {
        u,
        server: harness.mount({
          errorHandler: { logger: createMemoryLogger('error').logger },
          routes: [
            {
              method: 'post',
              path: '/single',
              use: [u.single('file')],
              handler: (io) => io.upload,
            },
            {
              method: 'post',
              path: '/array',
              use: [u.array('files', 5)],
              handler: (io) => io.upload,
            },
          ],
        }),
      };
    };

    const remember = (body: { storedName?: string } | { storedName?: string }[]) => {
      for (const record of Array.isArray(body) ? body : [body])
        if (record.storedName) stored.add(record.storedName);
    };

    const expectNothingNew = () => {
      expect(list(tmpDir)).toEqual([]);
      expect(list(dir).filter((name) => name !== '.tmp')).toEqual(
        [...stored].flatMap((name) => [name, `${name}.meta.json`]).sort(),
      );
    };

    const expectRefused = async (res: request.Response, status: number): Promise<void> => {
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(typeof res.body.uploadId).toBe('string');
      expect(uploads.status(res.body.uploadId)).toMatchObject({
        status: 'failed',
        error: { status },
      });
      // Nothing ever reaches `dir`; a cancelled sibling's temp file can outlive the early answer by
      // a moment (seen rarely on Koa), so the temp folder gets a bounded wait.
      expect(list(dir).filter((name) => name !== '.tmp')).toEqual(
        [...stored].flatMap((name) => [name, `${name}.meta.json`]).sort(),
      );
      await waitFor(() => list(tmpDir).length === 0, 'the temporary folder to be empty', 2_000);
      expectNothingNew();
    };

    beforeAll(async () => {
      fdAtStart = openFdCount();
      const mounted = mountWith({
        maxFileBytes: MAX_FILE_BYTES,
        maxFiles: 3,
        allowedExtensions: ALLOWED,
      });
      uploads = mounted.u;
      server = mounted.server;
      port = await listen(server);
    });

    afterAll(async () => {
      await close(server);
      expectNothingNew();
      // Every descriptor the uploads opened (temp files, sockets) is closed again.
      await waitFor(
        () => openFdCount() <= fdAtStart,
        'open descriptors to return to their start value',
      );
      rmSync(root, { recursive: true, force: true });
    });

    describe('accepted uploads', () => {
      it('stores a text file under a generated name with a 0600 file and a 0600 record in a 0700 dir', async () => {
        const content = 'hello, world\n';
        const res = await post(server, '/single', [
          { field: 'file', filename: 'notes.txt', data: content },
        ]);
        expect(res.status).toBe(200);
        remember(res.body);
        const record = res.body;
        expect(record).toEqual({
          id: expect.any(String),
          originalName: 'notes.txt',
          storedName: expect.stringMatching(/^\d+-[0-9a-f-]{36}\.txt$/),
          size: Buffer.byteLength(content),
          sha256: sha256(content),
          mimeType: 'text/plain',
          extension: '.txt',
          uploadedAt: expect.any(String),
        });
        const path = join(dir, record.storedName);
        expect(readFileSync(path, 'utf8')).toBe(content);
        expect(statSync(path).mode & 0o777).toBe(0o600);
        expect(statSync(`${path}.meta.json`).mode & 0o777).toBe(0o600);
        expect(statSync(dir).mode & 0o777).toBe(0o700);
        expect(JSON.parse(readFileSync(`${path}.meta.json`, 'utf8'))).toEqual(record);
        expect(uploads.status(record.id)).toMatchObject({ status: 'completed', files: [record] });
        expectNothingNew();
      });

      it.each([
        ['a PNG', 'pixel.png', PNG, 'image/png'],
        ['a JPEG', 'photo.jpg', JPG, 'image/jpeg'],
        ['a PDF', 'paper.pdf', PDF, 'application/pdf'],
        ['a GIF', 'anim.gif', GIF, 'image/gif'],
        [
          'a Word document (.docx is a zip)',
          'letter.docx',
          DOCX,
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        ],
        ['a legacy Word document (OLE compound file)', 'old.doc', CFB_DOC, 'application/x-cfb'],
        ['an upper-case extension, judged lower-cased', 'SCAN.PNG', PNG, 'image/png'],
        [
          'a double extension, judged by the last one and the content',
          'a.php.jpg',
          JPG,
          'image/jpeg',
        ],
        ['a CSV', 'data.csv', 'a,b\n1,2\n', 'text/csv'],
        [
          'UTF-8 text with multi-byte characters',
          'résumé.md',
          '# Zoë — 東京 🚀\n',
          'text/markdown',
        ],
      ])('stores %s', async (_label, filename, data, mimeType) => {
        const res = await post(server, '/single', [{ field: 'file', filename, data }]);
        expect(res.status).toBe(200);
        remember(res.body);
        expect(res.body.mimeType).toBe(mimeType);
        expect(res.body.sha256).toBe(sha256(data));
      });

      it('keeps the UTF-8 name as sent, NFC-normalised, and never uses it as the stored name', async () => {
        const decomposed = 'Cafe\u0301 \u5c65\u6b74\u66f8 (1).pdf';
        const res = await post(server, '/single', [
          { field: 'file', filename: decomposed, data: PDF },
        ]);
        expect(res.status).toBe(200);
        remember(res.body);
        expect(res.body.originalName).toBe(decomposed.normalize('NFC'));
        expect(res.body.storedName).not.toContain('Caf');
      });

      it('stores a 0-byte text file', async () => {
        const res = await post(server, '/single', [
          { field: 'file', filename: 'empty.txt', data: '' },
        ]);
        expect(res.status).toBe(200);
        remember(res.body);
        expect(res.body).toMatchObject({ size: 0, sha256: sha256('') });
      });

      it('stores a file of exactly maxFileBytes', async () => {
        const data = Buffer.alloc(MAX_FILE_BYTES, 'x');
        const res = await post(server, '/single', [{ field: 'file', filename: 'full.txt', data }]);
        expect(res.status).toBe(200);
        remember(res.body);
        expect(res.body.size).toBe(MAX_FILE_BYTES);
      });

      it('stores several files with .array(): one uploadId, one id per file', async () => {
        const res = await post(server, '/array', [
          { field: 'files', filename: 'a.txt', data: 'a' },
          { field: 'files', filename: 'b.png', data: PNG },
          { field: 'files', filename: 'c.pdf', data: PDF },
        ]);
        expect(res.status).toBe(200);
        remember(res.body);
        expect(res.body).toHaveLength(3);
        const [first, second] = res.body;
        expect(first.uploadId).toBe(second.uploadId);
        expect(first.id).not.toBe(second.id);
        expect(uploads.status(first.uploadId)).toMatchObject({ status: 'completed' });
      });

      it('accepts fields beside the file', async () => {
        const res = await post(server, '/single', [
          { field: 'title', data: 'hello' },
          { field: 'file', filename: 'f.txt', data: 'x' },
        ]);
        expect(res.status).toBe(200);
        remember(res.body);
      });

      it('reports not_found for an unknown upload id', () => {
        expect(uploads.status('no-such-id')).toEqual({ status: 'not_found' });
      });
    });

    describe('hostile filenames → 400, before any byte is written', () => {
      const corpus = hostileFilenames();
      it('has a corpus of at least 200 generated names', () => {
        expect(corpus.length).toBeGreaterThanOrEqual(200);
      });
      it.each(corpus.map(({ label, name }) => [label, JSON.stringify(name), name] as const))(
        'refuses %s: %s',
        async (_label, _shown, filename) => {
          const res = await post(server, '/single', [
            { field: 'file', filename, data: 'harmless text' },
          ]);
          await expectRefused(res, 400);
        },
      );
      it('refuses a traversal sent as RFC 5987 filename*', async () => {
        const res = await post(server, '/single', [
          {
            field: 'file',
            dispositionTail: "; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd.txt",
            data: 'x',
          },
        ]);
        await expectRefused(res, 400);
      });
    });

    describe('extension and content → 415', () => {
      it.each([
        ['an extension not in the allow-list', 'shell.php', '<?php ?>'],
        ['a name without extension', 'README', 'text'],
        ['a dotfile', '.htaccess', 'Options +ExecCGI'],
        ['an executable renamed by a double extension', 'invoice.pdf.exe', EXE],
        ['a PNG renamed .pdf', 'fake.pdf', PNG],
        ['an EXE renamed .jpg', 'cat.jpg', EXE],
        ['a GIF/PHP polyglot named .gif', 'avatar.gif', GIF_PHP_POLYGLOT],
        ['a GIF/PHP polyglot named .txt', 'avatar.txt', GIF_PHP_POLYGLOT],
        ['a GIF/PHP polyglot named .jpg', 'avatar.jpg', GIF_PHP_POLYGLOT],
        ['a PHP script behind a JPEG extension', 'a.php.jpg', '<?php echo 1; ?>'],
        ['a zip named .docx', 'plain.docx', DOCX_AS_PLAIN_ZIP],
        ['a zip bomb named .docx (only its header is read)', 'bomb.docx', ZIP_BOMB],
        [
          'an Office-looking zip whose [Content_Types].xml is a bomb',
          'bomb2.docx',
          OFFICE_ZIP_BOMB,
        ],
        ['a 0-byte PNG', 'empty.png', Buffer.alloc(0)],
        ['a text file with <script>', 'x.txt', 'hello <script>alert(1)</script>'],
        ['a text file with <SCRIPT> in capitals', 'x.txt', '<SCRIPT SRC=//evil>'],
        ['a text file with <?php', 'x.csv', 'a,b\n<?PhP system("id"); ?>'],
        ['a text file with <%', 'x.md', 'hello <% exec %>'],
        ['a text file with javascript:', 'x.json', '{"u":"JavaScript:alert(1)"}'],
        ['<script split around the 16 KiB mark', 'x.txt', textWith('<script>', 16 * 1024)],
        ['<?php split around the 64 KiB mark', 'x.txt', textWith('<?php', 60 * 1024)],
        ['a text file with a NUL byte', 'x.txt', 'abc\u0000def'],
        ['a text file that is not UTF-8', 'x.txt', Buffer.from([0x61, 0xff, 0xfe, 0x62])],
        ['a text file cut inside a UTF-8 character', 'x.txt', Buffer.from([0x61, 0xe6, 0x97])],
        ['UTF-16 text (NUL bytes)', 'x.txt', Buffer.from('\ufeffhello', 'utf16le')],
        ['a GIF named .txt', 'x.txt', GIF],
        ['a PDF named .docx', 'x.docx', PDF],
      ])('refuses %s', async (_label, filename, data) => {
        const res = await post(server, '/single', [{ field: 'file', filename, data }]);
        await expectRefused(res, 415);
      });

      it('refuses a request that is not multipart/form-data', async () => {
        const res = await request(server).post('/single').send({ file: 'x' });
        await expectRefused(res, 415);
      });
    });

    describe('limits → 413', () => {
      it('refuses a file one byte over maxFileBytes', async () => {
        const data = Buffer.alloc(MAX_FILE_BYTES + 1, 'x');
        const res = await post(server, '/single', [{ field: 'file', filename: 'big.txt', data }]);
        await expectRefused(res, 413);
      });

      it('refuses a file far over maxFileBytes', async () => {
        const data = Buffer.alloc(4 * 1024 * 1024, 'x');
        const res = await post(server, '/single', [{ field: 'file', filename: 'huge.txt', data }]);
        await expectRefused(res, 413);
      });

      it('answers 413 without waiting for the rest of a huge body, then closes the connection', async () => {
        const announced = 2 * 1024 * 1024 * 1024;
        const head = Buffer.from(
          `--b\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\n\r\n`,
        );
        const answer = new Promise<{ status: number; body: string; closed: Promise<void> }>(
          (resolve, reject) => {
            const req = httpRequest({
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: '/single',
              headers: {
                'content-type': 'multipart/form-data; boundary=b',
                'content-length': String(announced),
              },
            });
            req.on('error', () => undefined);
            req.on('response', (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (chunk: Buffer) => chunks.push(chunk));
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  body: Buffer.concat(chunks).toString('utf8'),
                  // The client keeps the request open without sending: the server must hang up.
                  closed: new Promise((done) => req.socket?.once('close', () => done())),
                }),
              );
              res.on('error', reject);
            });
            // Well over the limit, but a tiny part of the 2 GiB announced: the rest never comes.
            req.write(Buffer.concat([head, Buffer.alloc(MAX_FILE_BYTES * 4, 'z')]));
          },
        );
        const { status, body, closed } = await answer;
        expect(status).toBe(413);
        expect(JSON.parse(body).uploadId).toEqual(expect.any(String));
        await closed;
        await waitFor(() => list(tmpDir).length === 0, 'the temporary file to be removed');
        expectNothingNew();
      });

      it('refuses 50 files in one request when one is allowed', async () => {
        const parts: Part[] = Array.from({ length: 50 }, (_, i) => ({
          field: 'file',
          filename: `f${i}.txt`,
          data: 'x',
        }));
        const res = await post(server, '/single', parts);
        await expectRefused(res, 413);
      });

      it('refuses more files than min(max, maxFiles) with .array()', async () => {
        const parts: Part[] = Array.from({ length: 4 }, (_, i) => ({
          field: 'files',
          filename: `f${i}.txt`,
          data: 'x',
        }));
        const res = await post(server, '/array', parts);
        await expectRefused(res, 413);
      });

      it('refuses 10,000 fields', async () => {
        const parts: Part[] = Array.from({ length: 10_000 }, (_, i) => ({
          field: `f${i}`,
          data: 'v',
        }));
        const res = await post(server, '/single', [
          ...parts,
          { field: 'file', filename: 'f.txt', data: 'x' },
        ]);
        await expectRefused(res, 413);
      });

      it('refuses a 10 MB field', async () => {
        const res = await post(server, '/single', [
          { field: 'note', data: Buffer.alloc(10 * 1024 * 1024, 'n') },
          { field: 'file', filename: 'f.txt', data: 'x' },
        ]);
        await expectRefused(res, 413);
      });
    });

    describe('broken requests → 400', () => {
      it('refuses multipart without a boundary', async () => {
        const res = await request(server)
          .post('/single')
          .set('content-type', 'multipart/form-data')
          .send(Buffer.from('--x\r\n\r\n'));
        await expectRefused(res, 400);
      });

      it('refuses an unterminated part', async () => {
        const { body, contentType } = multipart(
          [{ field: 'file', filename: 'cut.txt', data: 'partial content' }],
          { terminate: false },
        );
        const res = await request(server)
          .post('/single')
          .set('content-type', contentType)
          .send(body);
        await expectRefused(res, 400);
      });

      it('refuses a malformed part header', async () => {
        const boundary = 'xyz';
        const body = Buffer.from(
          `--${boundary}\r\nContent-Disposition form-data\r\n\r\nx\r\n--${boundary}--\r\n`,
        );
        const res = await request(server)
          .post('/single')
          .set('content-type', `multipart/form-data; boundary=${boundary}`)
          .send(body);
        expect([400]).toContain(res.status);
        expectNothingNew();
      });

      it('refuses a file sent in an unexpected field', async () => {
        const res = await post(server, '/single', [
          { field: 'other', filename: 'f.txt', data: 'x' },
        ]);
        await expectRefused(res, 400);
      });

      it('refuses a request without a file', async () => {
        const res = await post(server, '/single', [{ field: 'title', data: 'no file' }]);
        await expectRefused(res, 400);
      });
    });

    describe('all or nothing', () => {
      it('stores nothing when the last of several files is refused', async () => {
        const res = await post(server, '/array', [
          { field: 'files', filename: 'ok1.txt', data: 'fine' },
          { field: 'files', filename: 'ok2.png', data: PNG },
          { field: 'files', filename: 'bad.pdf', data: PNG },
        ]);
        await expectRefused(res, 415);
      });

      it('stores nothing when a later file is over the size limit', async () => {
        const res = await post(server, '/array', [
          { field: 'files', filename: 'ok.txt', data: 'fine' },
          { field: 'files', filename: 'big.txt', data: Buffer.alloc(MAX_FILE_BYTES + 10, 'y') },
        ]);
        await expectRefused(res, 413);
      });
    });

    describe('clients that go away', () => {
      it('removes the temporary file of a client that sends half the file and disconnects', async () => {
        const { body, contentType } = multipart([
          { field: 'file', filename: 'half.txt', data: Buffer.alloc(MAX_FILE_BYTES - 100, 'h') },
        ]);
        await sendPartThenDisconnect(port, '/single', body, contentType, body.length / 2, () =>
          waitFor(() => list(tmpDir).length > 0, 'the temporary file to appear'),
        );
        await waitFor(() => list(tmpDir).length === 0, 'the temporary file to be removed');
        expectNothingNew();
      });

      it('logs an upload its client abandoned once, as 499 at info (issue 12 #13)', async () => {
        const memory = createMemoryLogger();
        const u = harness.kit.upload({ dir, maxFileBytes: MAX_FILE_BYTES });
        const logged = harness.mount({
          errorHandler: { logger: memory.logger },
          routes: [
            { method: 'post', path: '/gone', use: [u.single('file')], handler: (io) => io.upload },
          ],
        });
        const loggedPort = await listen(logged);
        try {
          const { body, contentType } = multipart([
            { field: 'file', filename: 'gone.txt', data: Buffer.alloc(MAX_FILE_BYTES - 100, 'g') },
          ]);
          await sendPartThenDisconnect(
            loggedPort,
            '/gone',
            body,
            contentType,
            body.length / 2,
            () => waitFor(() => list(tmpDir).length > 0, 'the temporary file to appear'),
          );
          await waitFor(
            () => memory.entries.some((entry) => entry.status === 499),
            'the abandoned upload to be logged',
          );
          await waitFor(() => list(tmpDir).length === 0, 'the temporary file to be removed');
          // Koa used to log a second, 500 "Parse Error: HPE_INVALID_EOF_STATE" entry as well.
          expect(memory.entries).toEqual([
            expect.objectContaining({ status: 499, code: 'ERR_GUARD_ABORTED', level: 'info' }),
          ]);
        } finally {
          await close(logged);
        }
      });

      it('removes the temporary file when the request timeout fires mid-upload', async () => {
        const u = harness.kit.upload({ dir, maxFileBytes: MAX_FILE_BYTES });
        const timed = harness.mount({
          errorHandler: { logger: createMemoryLogger('error').logger },
          use: [harness.kit.timeout({ ms: 300 })],
          routes: [
            { method: 'post', path: '/slow', use: [u.single('file')], handler: (io) => io.upload },
          ],
        });
        const timedPort = await listen(timed);
        const { body, contentType } = multipart([
          { field: 'file', filename: 'slow.txt', data: Buffer.alloc(MAX_FILE_BYTES - 100, 's') },
        ]);
        let client: ReturnType<typeof httpRequest> | undefined;
        const answer = new Promise<number>((resolve) => {
          const req = httpRequest({
            host: '127.0.0.1',
            port: timedPort,
            method: 'POST',
            path: '/slow',
            headers: { 'content-type': contentType, 'content-length': String(body.length) },
          });
          req.on('error', () => undefined);
          client = req;
          req.on('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          // Half the body, then nothing: the request timeout must end it.
          req.write(body.subarray(0, body.length / 2));
        });
        expect(await answer).toBe(503);
        // The client is still connected: only the timeout's signal can have stopped the file.
        await waitFor(() => list(tmpDir).length === 0, 'the temporary file to be removed');
        expectNothingNew();
        client?.destroy();
        await close(timed);
      });

      it('handles 100 parallel uploads of which half abort', async () => {
        const data = Buffer.alloc(32 * 1024, 'p');
        const complete = Array.from({ length: 50 }, (_, i) =>
          post(server, '/single', [{ field: 'file', filename: `p${i}.txt`, data }]),
        );
        const aborted = Array.from({ length: 50 }, (_, i) => {
          const { body, contentType } = multipart([{ field: 'file', filename: `a${i}.txt`, data }]);
          return sendPartThenDisconnect(port, '/single', body, contentType, body.length / 2);
        });
        const [responses] = await Promise.all([Promise.all(complete), Promise.all(aborted)]);
        for (const res of responses) {
          expect(res.status).toBe(200);
          remember(res.body);
        }
        await waitFor(() => list(tmpDir).length === 0, 'every temporary file to be removed');
        expectNothingNew();
      });
    });

    describe('disk space → 507', () => {
      it('refuses uploads when free space is below minFreeDiskBytes', async () => {
        const { u, server: full } = mountWith({ minFreeDiskBytes: Number.MAX_SAFE_INTEGER });
        const res = await post(full, '/single', [{ field: 'file', filename: 'f.txt', data: 'x' }]);
        expect(res.status).toBe(507);
        expect(res.body.detail).toBe('Insufficient storage');
        expect(u.status(res.body.uploadId)).toMatchObject({ status: 'failed' });
        expectNothingNew();
      });
    });

    describe('scanText: false', () => {
      it('stores text that contains script openers', async () => {
        const { server: lenient } = mountWith({ scanText: false });
        const res = await post(lenient, '/single', [
          { field: 'file', filename: 'page.txt', data: '<script>ok</script>' },
        ]);
        expect(res.status).toBe(200);
        remember(res.body);
      });
    });

    describe('invalid options throw at construction', () => {
      it.each([
        ['no dir', {}],
        ['dir: ""', { dir: '' }],
        ['maxFileBytes: -1', { dir, maxFileBytes: -1 }],
        ['maxFileBytes: 0', { dir, maxFileBytes: 0 }],
        ['maxFileBytes: NaN', { dir, maxFileBytes: Number.NaN }],
        ['maxFileBytes: Infinity', { dir, maxFileBytes: Number.POSITIVE_INFINITY }],
        ['maxFileBytes: "5mb"', { dir, maxFileBytes: '5mb' }],
        ['maxFileBytes: null', { dir, maxFileBytes: null }],
        ['maxFiles: 0', { dir, maxFiles: 0 }],
        ['maxFiles: -0', { dir, maxFiles: -0 }],
        ['maxFields: -1', { dir, maxFields: -1 }],
        ['minFreeDiskBytes: {}', { dir, minFreeDiskBytes: {} }],
        ['allowedExtensions: ["pdf"] (no dot)', { dir, allowedExtensions: ['pdf'] }],
        ['allowedExtensions: []', { dir, allowedExtensions: [] }],
        ['allowedExtensions: ".pdf"', { dir, allowedExtensions: '.pdf' }],
        ['scanText: "yes"', { dir, scanText: 'yes' }],
        ['an unknown key', { dir, maxFileSize: 10 }],
      ])('%s', (_label, options) => {
        let thrown: unknown;
        try {
          harness.kit.upload(options);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(TypeError);
        expect(thrown).toMatchObject({ code: 'ERR_GUARD_INVALID_OPTION' });
      });

      it('names the option and suggests the right key', () => {
        expect(() => harness.kit.upload({ dir, maxFileSize: 10 })).toThrow(/maxFileBytes/);
      });

      it('refuses a bad field name or max for .single() and .array()', () => {
        const u = harness.kit.upload({ dir });
        expect(() => u.single('')).toThrow(TypeError);
        expect(() => u.array('files', 0)).toThrow(TypeError);
      });
    });
  });
}
