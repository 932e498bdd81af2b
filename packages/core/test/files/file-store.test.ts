import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError } from '../../src/errors/not-found-error';
import { createFileStore } from '../../src/files/file-store';

describe('createFileStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'guard-store-'));
  const dir = join(root, 'uploads');
  const store = createFileStore({ dir });
  const content = Buffer.from('stored content');

  beforeAll(() => {
    mkdirSync(dir);
    mkdirSync(join(root, 'uploads2'));
    writeFileSync(join(root, 'uploads2', 'secret.txt'), 'secret');
    writeFileSync(join(root, 'outside.txt'), 'outside');
    writeFileSync(join(dir, 'a.txt'), content);
    writeFileSync(
      join(dir, 'a.txt.meta.json'),
      JSON.stringify({
        storedName: 'a.txt',
        sha256: createHash('sha256').update(content).digest('hex'),
      }),
    );
    writeFileSync(join(dir, 'tampered.txt'), 'changed');
    writeFileSync(join(dir, 'tampered.txt.meta.json'), JSON.stringify({ sha256: '00' }));
    symlinkSync(join(root, 'outside.txt'), join(dir, 'out.txt'));
    symlinkSync(join(root, 'uploads2', 'secret.txt'), join(dir, 'prefix.txt'));
    symlinkSync(join(root, 'uploads2'), join(dir, 'linkdir'));
    symlinkSync(join(root, 'nowhere.txt'), join(dir, 'dangling.txt'));
    mkdirSync(join(dir, 'sub'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads, stats, streams and verifies a stored file', async () => {
    await expect(store.read('a.txt', { maxBytes: 100 })).resolves.toEqual(content);
    await expect(store.stat('a.txt')).resolves.toMatchObject({ size: content.length });
    await expect(store.metadata('a.txt')).resolves.toMatchObject({ storedName: 'a.txt' });
    const chunks: Buffer[] = [];
    for await (const chunk of await store.createReadStream('a.txt')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(content);
    await expect(store.verify('a.txt')).resolves.toBe(true);
  });

  it('opens a file once: its size, and a stream of exactly those bytes', async () => {
    const { size, modifiedAt, stream } = await store.open('a.txt');
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(content);
    expect(size).toBe(content.length);
    expect(modifiedAt.getTime()).toBe((await store.stat('a.txt')).modifiedAt.getTime());
    expect(stream.destroyed).toBe(true);
  });

  it('reports a file whose content no longer matches its sha256', async () => {
    await expect(store.verify('tampered.txt')).resolves.toBe(false);
  });

  it('refuses a file over maxBytes with 413 before reading it', async () => {
    await expect(store.read('a.txt', { maxBytes: 3 })).rejects.toMatchObject({ status: 413 });
  });

  it.each([
    ['..', 'dot-dot'],
    ['../outside.txt', 'traversal'],
    ['../uploads2/secret.txt', 'sibling folder sharing the prefix'],
    [join(root, 'outside.txt'), 'absolute path'],
    ['..%2foutside.txt', 'encoded separator'],
    ['%2e%2e', 'encoded dots'],
    ['..\\outside.txt', 'backslash'],
    ['a.txt\u0000', 'NUL'],
    ['.hidden', 'dot-file'],
    ['out.txt', 'symlink pointing out'],
    ['dangling.txt', 'dangling symlink pointing out'],
    ['prefix.txt', 'symlink into uploads2'],
    ['linkdir', 'symlinked folder'],
    ['sub/../a.txt', 'nested path'],
    ['a\uFF0Etxt', 'a name NFKC would change'],
  ])('refuses %j (%s) with a 400-class error', async (name) => {
    for (const call of [
      () => store.read(name, { maxBytes: 100 }),
      () => store.stat(name),
      () => store.createReadStream(name),
      () => store.open(name),
    ])
      await expect(call()).rejects.toMatchObject({ status: 400 });
  });

  it('answers 404 for a missing file, a folder and a missing record', async () => {
    await expect(store.stat('missing.txt')).rejects.toMatchObject({ status: 404 });
    await expect(store.stat('sub')).rejects.toMatchObject({ status: 404 });
    await expect(store.metadata('out')).rejects.toMatchObject({ status: 404 });
  });

  it('throws a GuardConfigError for missing or unknown options', () => {
    expect(() => createFileStore({} as never)).toThrow(TypeError);
    expect(() => createFileStore({ dir, root: 'x' } as never)).toThrow(/unknown option/);
  });
});

describe('issue 12 item 14: a FIFO in the store folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guard-store-fifo-'));
  const fifo = join(dir, 'pipe.txt');
  const store = createFileStore({ dir });

  beforeAll(() => {
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(dir, 'pipe.txt.meta.json'), JSON.stringify({ sha256: '00' }));
    writeFileSync(join(dir, 'plain.txt'), 'plain');
  });
  afterEach(() => {
    // Were an open still waiting for a writer (the defect), one writer lets every such open return.
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: nobody is waiting on it, as it should be.
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused with 404, without waiting for a writer, by every read', async () => {
    await expect(store.read('pipe.txt', { maxBytes: 100 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.stat('pipe.txt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.open('pipe.txt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.createReadStream('pipe.txt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.verify('pipe.txt')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('leaves the thread pool free: 8 reads of it at once, then a plain file still reads', async () => {
    // libuv has 4 threads by default: 8 parked opens would leave none for the plain read.
    const refused = Array.from({ length: 8 }, () =>
      store.read('pipe.txt', { maxBytes: 100 }).catch((error: unknown) => error),
    );
    const plain = await store.read('plain.txt', { maxBytes: 100 });
    expect(plain.toString()).toBe('plain');
    for (const error of await Promise.all(refused)) expect(error).toBeInstanceOf(NotFoundError);
  });
});
