import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { TimeoutError } from '../../src/errors/timeout-error';
import { createUploadEngine } from '../../src/uploads/upload-engine';
import type { IncomingUploadFile, UploadEngine } from '../../src/uploads/upload-engine';

/** Drives the storage engine the way multer does: `_handleFile` with a part stream, then a callback. */
function handle(engine: UploadEngine, req: object, file: IncomingUploadFile) {
  return new Promise<{ error: Error | null; info?: Record<string, unknown> }>((resolve) => {
    engine.storage._handleFile(req, file, (error, info) =>
      resolve(info === undefined ? { error } : { error, info }),
    );
  });
}

function part(originalname: string): IncomingUploadFile & { stream: PassThrough } {
  return { fieldname: 'file', originalname, stream: new PassThrough() };
}

describe('createUploadEngine', () => {
  const root = mkdtempSync(join(tmpdir(), 'guard-engine-'));
  const dir = join(root, 'files');
  const tmpDir = join(dir, '.tmp');
  const engine = createUploadEngine({ dir, maxFileBytes: 1024, minFreeDiskBytes: 0 });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const waitForTemp = async () => {
    while (readdirSync(tmpDir).length === 0) await new Promise((r) => setTimeout(r, 5));
  };

  it('receives, commits and records a file', async () => {
    const req = new EventEmitter();
    const session = engine.begin(req);
    const file = part('a.txt');
    const done = handle(engine, req, file);
    file.stream.end('hello');
    const { error, info } = await done;
    expect(error).toBeNull();
    const [record] = await session.commit([{ ...file, ...info }], 'single');
    expect(record).toMatchObject({ id: session.uploadId, size: 5, extension: '.txt' });
    expect(existsSync(join(dir, record?.storedName ?? ''))).toBe(true);
    expect(engine.status(session.uploadId)).toMatchObject({ status: 'completed' });
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('stops a file in flight when the request timeout aborts, and removes its temp file', async () => {
    const req = new EventEmitter();
    const controller = new AbortController();
    const session = engine.begin(req, controller.signal);
    const file = part('slow.txt');
    const done = handle(engine, req, file);
    file.stream.write('first half');
    await waitForTemp();
    controller.abort(new TimeoutError());
    const { error } = await done;
    expect(error).toMatchObject({ status: 503, extensions: { uploadId: session.uploadId } });
    const failure = await session.fail(error);
    expect(failure.status).toBe(503);
    expect(engine.status(session.uploadId)).toMatchObject({ status: 'failed' });
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('stores nothing when the request timeout fires after the body was read, before the commit', async () => {
    const req = new EventEmitter();
    const controller = new AbortController();
    const session = engine.begin(req, controller.signal);
    const file = part('late.txt');
    const done = handle(engine, req, file);
    file.stream.end('all of it');
    const { info } = await done;
    const before = readdirSync(dir);
    controller.abort(new TimeoutError());
    await expect(session.commit([{ ...file, ...info }], 'single')).rejects.toMatchObject({
      status: 503,
    });
    expect(readdirSync(dir)).toEqual(before);
    expect(readdirSync(tmpDir)).toEqual([]);
    expect(engine.status(session.uploadId)).toMatchObject({ status: 'failed' });
  });

  it('stops a file in flight when the client goes away', async () => {
    const req = Object.assign(new EventEmitter(), { readableEnded: false });
    const session = engine.begin(req);
    const file = part('gone.txt');
    const done = handle(engine, req, file);
    file.stream.write('partial');
    await waitForTemp();
    req.emit('close');
    const { error } = await done;
    expect(error).toMatchObject({ status: 499 });
    await session.fail(error);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('removes a received file when multer asks (_removeFile) and when the request fails', async () => {
    const req = new EventEmitter();
    const session = engine.begin(req);
    const first = part('one.txt');
    const firstDone = handle(engine, req, first);
    first.stream.end('one');
    const { info } = await firstDone;
    expect(readdirSync(tmpDir)).toHaveLength(1);
    await new Promise<void>((resolve) =>
      engine.storage._removeFile(req, { ...first, ...info }, () => resolve()),
    );
    expect(readdirSync(tmpDir)).toEqual([]);
    const second = part('two.txt');
    const secondDone = handle(engine, req, second);
    second.stream.end('two');
    await secondDone;
    await session.fail(new Error('Unexpected end of form'));
    expect(readdirSync(tmpDir)).toEqual([]);
    expect(engine.status(session.uploadId)).toMatchObject({
      status: 'failed',
      error: { status: 400 },
    });
  });

  it('refuses the name before creating any file', async () => {
    const req = new EventEmitter();
    engine.begin(req);
    const file = part('../evil.txt');
    const { error } = await handle(engine, req, file);
    expect(error).toMatchObject({ status: 400 });
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('refuses a tmpDir on another filesystem at construction', () => {
    expect(() => createUploadEngine({ dir, tmpDir: '/dev/shm/guard-engine-test' })).toThrow(
      /tmpDir/,
    );
    rmSync('/dev/shm/guard-engine-test', { recursive: true, force: true });
  });
});
