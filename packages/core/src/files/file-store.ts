import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import type { ReadStream, Stats } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error';
import { NotFoundError } from '../errors/not-found-error';
import { PayloadTooLargeError } from '../errors/payload-too-large-error';
import { optionReader } from '../options/option-reader';
import { safeGet } from '../logging/safe-get';
import type { UploadRecord } from '../uploads/upload-record';

/** Options of `createFileStore()`. */
export interface FileStoreOptions {
  /** The folder holding the stored uploads (upload()'s `dir`). Required. */
  dir: string;
}

/** What `stat(name)` reports. */
export interface StoredFileStat {
  /** Size in bytes. */
  size: number;
  modifiedAt: Date;
}

/** Safe reads of stored uploads: every name is confined to `dir`. */
export interface FileStore {
  /** The resolved folder. */
  readonly dir: string;
  /** Reads a whole file; refused with 413 before reading when it is over `maxBytes`. */
  read(this: void, name: string, options: { maxBytes: number }): Promise<Buffer>;
  stat(this: void, name: string): Promise<StoredFileStat>;
  /** The upload record from `<name>.meta.json`. */
  metadata(this: void, name: string): Promise<UploadRecord>;
  /** Opens a stream of the file (async: the name is checked and the file opened before it resolves). */
  createReadStream(this: void, name: string): Promise<ReadStream>;
  /**
   * Opens the file once: its size and modification time, and a stream of exactly that file (closed
   * when the stream ends or is destroyed), so a length sent ahead matches the bytes that follow.
   */
  open(this: void, name: string): Promise<StoredFileStat & { stream: ReadStream }>;
  /** Recomputes the file's sha256 and compares it with its metadata. */
  verify(this: void, name: string): Promise<boolean>;
}

/** Largest `.meta.json` read: a record is a few hundred bytes. */
const MAX_METADATA_BYTES = 64 * 1024;
const MAX_NAME_BYTES = 255;

/**
 * Creates a file store over `dir`. Names are refused (400) when they could mean anything but a file
 * directly in `dir`: empty, `.`/`..` or dot-files, separators, NUL or control characters, `%` (encoded
 * separators), absolute paths. The survivor is one path segment, opened directly in the real `dir`
 * (resolved once, so `/srv/uploads2` can never pass for `/srv/uploads`) with O_NOFOLLOW: a symlink,
 * pointing out or dangling, is refused (400). A missing file is 404, and so is anything that is not a
 * regular file (a folder, a FIFO, a device), refused after a non-blocking open and before any read.
 * @example
 * const store = createFileStore({ dir: './data/uploads' });
 * const bytes = await store.read(record.storedName, { maxBytes: 1_048_576 });
 */
export function createFileStore(options: FileStoreOptions): FileStore {
  const read = optionReader('createFileStore', options, ['dir']);
  if (!read.has('dir')) read.fail('dir', 'a folder path (string)', undefined);
  const dir = resolve(read.string('dir', undefined));
  let realDir: Promise<string> | undefined;
  const getRealDir = () => {
    // Retried on failure: the folder may be created after the store.
    realDir ??= realpath(dir).catch((error: unknown) => {
      realDir = undefined;
      throw error;
    });
    return realDir;
  };

  async function openConfined(name: unknown): Promise<{ handle: FileHandle; stats: Stats }> {
    checkName(name);
    let handle: FileHandle;
    try {
      // The name is one path segment (checkName refused separators, `..` and encoded forms), so it
      // names a direct child of the real `dir`. O_NOFOLLOW refuses a symlink there (ELOOP → 400),
      // whether it points outside, inside or nowhere: stored files are never symlinks.
      // O_NONBLOCK: opening a FIFO (or a device) planted in `dir` would otherwise wait for a writer
      // and park a libuv thread for good, so five such downloads stall every file and DNS call of
      // the process (issue 12, item 14). Non-blocking, the open returns at once and fstat below
      // refuses it; on a regular file the flag changes nothing.
      handle = await open(
        join(await getRealDir(), name),
        constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      );
    } catch (error) {
      throw notFoundOr(error);
    }
    // Only a regular file is a stored upload: a FIFO, socket or device is refused before one byte
    // is read from it.
    let stats: Stats;
    try {
      stats = await handle.stat();
    } catch (error) {
      await handle.close();
      throw error;
    }
    if (!stats.isFile()) {
      await handle.close();
      throw new NotFoundError();
    }
    return { handle, stats };
  }

  async function readConfined(name: unknown, maxBytes: number): Promise<Buffer> {
    const {
      handle,
      stats: { size },
    } = await openConfined(name);
    try {
      const tooLarge = () =>
        new PayloadTooLargeError(`The file is larger than ${maxBytes} bytes`, {
          limitName: 'fileStore.read maxBytes',
          limit: maxBytes,
        });
      if (size > maxBytes) throw tooLarge();
      // Read at most maxBytes + 1, so a file that grew since stat is still caught.
      const buffer = Buffer.alloc(Math.min(size, maxBytes) + 1);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled > maxBytes) throw tooLarge();
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  const store: FileStore = {
    dir,
    read(name, readOptions) {
      const maxBytes = safeGet(readOptions, 'maxBytes');
      if (!Number.isSafeInteger(maxBytes) || (maxBytes as number) < 0)
        return Promise.reject(
          new InvalidInputError('read() needs { maxBytes } as a non-negative integer'),
        );
      return readConfined(name, maxBytes as number);
    },
    async stat(name) {
      const { handle, stats } = await openConfined(name);
      await handle.close();
      return { size: stats.size, modifiedAt: stats.mtime };
    },
    async metadata(name) {
      checkName(name);
      const bytes = await readConfined(`${name}.meta.json`, MAX_METADATA_BYTES);
      try {
        return JSON.parse(bytes.toString('utf8')) as UploadRecord;
      } catch {
        throw new NotFoundError('The file has no readable metadata');
      }
    },
    async createReadStream(name) {
      return (await store.open(name)).stream;
    },
    async open(name) {
      const { handle, stats } = await openConfined(name);
      const stream = handle.createReadStream({ autoClose: true });
      return { size: stats.size, modifiedAt: stats.mtime, stream };
    },
    async verify(name) {
      const record = await store.metadata(name);
      const { stream } = await store.open(name);
      const hash = createHash('sha256');
      for await (const chunk of stream) hash.update(chunk as Buffer);
      return typeof record.sha256 === 'string' && hash.digest('hex') === record.sha256;
    },
  };
  return store;
}

/** Refuses names that could address anything but a plain file directly in the store. */
function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0)
    throw new InvalidInputError('A file name is required');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES)
    throw new InvalidInputError('The file name is too long');
  if (
    name.startsWith('.') ||
    isAbsolute(name) ||
    /[/\\%:]/.test(name) ||
    /[\p{Cc}\p{Cf}]/u.test(name) ||
    name !== name.normalize('NFKC')
  )
    throw new InvalidInputError('The file name is not a valid stored name');
}

function notFoundOr(error: unknown): Error {
  const code = safeGet(error, 'code');
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return new NotFoundError();
  if (code === 'ELOOP') return new InvalidInputError('The file name resolves outside the store');
  return error as Error;
}
