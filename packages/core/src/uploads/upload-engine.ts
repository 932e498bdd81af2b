import { randomUUID } from 'node:crypto';
import { constants, open } from 'node:fs';
import { rename, statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { GuardError } from '../errors/guard-error';
import { InsufficientStorageError } from '../errors/insufficient-storage-error';
import { InvalidInputError } from '../errors/invalid-input-error';
import { safeGet } from '../logging/safe-get';
import { releaseBodyCap } from '../input/input-limits';
import { createTelemetry } from '../telemetry/telemetry';
import { createUploadTelemetry } from '../telemetry/upload-telemetry';
import { MAX_FIELD_BYTES, MAX_FIELD_NAME_BYTES } from './upload-limits';
import { checkFilename } from './filename-policy';
import type { CheckedFilename } from './filename-policy';
import { receiveContent } from './receive-file';
import { newTempPath, sweepStaleTempFiles } from './temp-files';
import { resolveUploadOptions } from './upload-options';
import type { ResolvedUploadOptions } from './upload-options';
import type { UploadRecord } from './upload-record';
import { toUploadError } from './upload-errors';
import { UploadStatusLog } from './upload-status';
import type { UploadStatus } from './upload-status';

/** How many upload ids `status()` remembers. */
export const MAX_TRACKED_UPLOADS = 10_000;

/** busboy's parser and file stream buffer sizes, in bytes. */
export const STREAM_BUFFER_BYTES = 256 * 1024;

export { MAX_FIELD_BYTES } from './upload-limits';

/** The file object multer hands a storage engine (multer's `File` while `_handleFile` runs). */
export interface IncomingUploadFile {
  fieldname: string;
  originalname: string;
  encoding?: string;
  mimetype?: string;
  stream: Readable;
}

/** A multer storage engine, described in core terms so core never imports multer. */
export interface StorageEngine {
  _handleFile(
    req: object,
    file: IncomingUploadFile,
    callback: (error: Error | null, info?: Record<string, unknown>) => void,
  ): void;
  _removeFile(req: object, file: object, callback: (error: Error | null) => void): void;
}

/** A file received and checked, waiting in `tmpDir` for the request to succeed. */
interface ReceivedFile {
  tempPath: string;
  name: CheckedFilename;
  size: number;
  sha256: string;
  mimeType: string;
}

const RECEIVED = 'guardReceived';

/** One upload request from `begin()` to `commit()` or `fail()`. */
export interface UploadSession {
  readonly uploadId: string;
  /** Moves the request's received files into `dir` with their `.meta.json`, all or nothing. */
  commit(files: readonly object[], shape: 'single' | 'array'): Promise<UploadRecord[]>;
  /** Stops every file in flight, removes everything the request wrote, records the failure and returns the error to raise. */
  fail(error: unknown): Promise<GuardError>;
  /**
   * Calls back once when the engine itself refuses a file (413 over `maxFileBytes`, 415, 400, 507),
   * so the adapter can answer at once rather than after multer has drained the rest of the body.
   */
  onRefused(listener: (error: GuardError) => void): void;
}

/** The framework-free upload engine both adapters plug into multer. */
export interface UploadEngine {
  readonly options: ResolvedUploadOptions;
  /** The multer storage engine. */
  readonly storage: StorageEngine;
  /** multer `limits` for a request accepting `maxFiles` files. */
  limits(maxFiles: number): Record<string, number>;
  /** multer's stream buffer sizes (busboy `highWaterMark`, `fileHwm`), in bytes. */
  readonly streamBuffers: { highWaterMark: number; fileHwm: number };
  /** Starts tracking one request; `signal` (the request timeout) cancels its files when it aborts. */
  begin(req: object, signal?: AbortSignal): UploadSession;
  /** The state of an upload by its id. */
  status(uploadId: unknown): UploadStatus;
}

/**
 * Creates the upload engine: options are checked and folders created here, once.
 * @example
 * const engine = createUploadEngine({ dir: './data/uploads' });
 * multer({ storage: engine.storage, preservePath: true, defParamCharset: 'utf8', limits: engine.limits(1) });
 */
export function createUploadEngine(options: unknown, factory = 'upload'): UploadEngine {
  const resolved = resolveUploadOptions(options, factory);
  // Leftovers of a process that died mid-upload; in the background, so start-up does not wait.
  void sweepStaleTempFiles(resolved.tmpDir);
  const log = new UploadStatusLog(MAX_TRACKED_UPLOADS);
  const telemetry = createUploadTelemetry(createTelemetry(resolved.meterProvider));
  const sessions = new WeakMap<object, Session>();

  class Session implements UploadSession {
    readonly uploadId = randomUUID();
    private readonly startedAt = new Date().toISOString();
    private readonly active = new Map<Promise<unknown>, (reason: Error) => void>();
    private readonly received = new Set<ReceivedFile>();
    private readonly stored: string[] = [];
    private failure: GuardError | undefined;
    private settled = false;
    private readonly cleanups: (() => void)[] = [];

    constructor(req: object, signal: AbortSignal | undefined) {
      log.set({ status: 'processing', uploadId: this.uploadId, startedAt: this.startedAt });
      // A client that goes away, or the request timeout, stops every file in flight at once.
      const onClose = () => {
        if (safeGet(req, 'readableEnded') !== true) this.cancelActive(new Error('Request closed'));
      };
      const on = safeGet(req, 'on');
      if (typeof on === 'function') {
        const emitter = req as NodeJS.EventEmitter;
        emitter.on('close', onClose);
        this.cleanups.push(() => emitter.off('close', onClose));
      }
      if (signal) {
        const onAbort = () => this.cancelActive(asError(signal.reason));
        if (signal.aborted) onAbort();
        else {
          signal.addEventListener('abort', onAbort, { once: true });
          this.cleanups.push(() => signal.removeEventListener('abort', onAbort));
        }
      }
    }

    /** Stops every file in flight: the request failed (client gone, timeout, another file refused). */
    cancelActive(reason: unknown) {
      this.failure ??= toUploadError(reason, this.uploadId, resolved);
      for (const cancel of this.active.values()) cancel(this.failure);
    }

    private refusedListener: ((error: GuardError) => void) | undefined;
    private refusal: GuardError | undefined;

    /** A file was refused by the engine (name, size, content, disk): the request cannot succeed. */
    refuse(error: GuardError) {
      this.cancelActive(error);
      if (this.refusal || this.settled) return;
      this.refusal = this.failure ?? error;
      this.refusedListener?.(this.refusal);
    }

    onRefused(listener: (error: GuardError) => void) {
      this.refusedListener = listener;
      if (this.refusal) listener(this.refusal);
    }

    /** Throws the request's failure once there is one (re-read after every await). */
    private assertOpen(): void {
      const failure = this.failure;
      if (failure) throw failure;
    }

    /** Every file being handled, from its name check to its temp file's removal on failure. */
    private readonly handling = new Set<Promise<unknown>>();

    handle(file: IncomingUploadFile): Promise<ReceivedFile> {
      const work = this.receive(file);
      // fail() waits for these, so nothing of a cancelled file (not even its temp file) outlives it.
      const tracked = work.then(
        () => undefined,
        () => undefined,
      );
      this.handling.add(tracked);
      void tracked.then(() => this.handling.delete(tracked));
      return work;
    }

    private async receive(file: IncomingUploadFile): Promise<ReceivedFile> {
      this.assertOpen();
      // The name is judged before a single byte is written (CONTRACT.md "Upload result").
      const name = checkFilename(
        typeof file.originalname === 'string' ? file.originalname : '',
        resolved.allowedExtensions,
      );
      await assertFreeDisk(resolved);
      this.assertOpen();
      const tempPath = newTempPath(resolved.tmpDir, 'upload');
      const fd = await openExclusive(tempPath);
      // From here FileWriter owns the descriptor and closes it however the file ends.
      const receiving = receiveContent(file.stream, fd, {
        maxFileBytes: resolved.maxFileBytes,
        extension: name.extension,
        scanText: resolved.scanText,
      });
      this.active.set(receiving.done, receiving.cancel);
      if (this.failure) receiving.cancel(this.failure);
      try {
        const content = await receiving.done;
        const received = { tempPath, name, ...content };
        // The catch below removes the temp file.
        if (this.settled || this.failure)
          throw this.failure ?? new InvalidInputError('The upload was already finished');
        this.received.add(received);
        return received;
      } catch (error) {
        await removeQuietly(tempPath);
        throw error;
      } finally {
        this.active.delete(receiving.done);
      }
    }

    forget(received: ReceivedFile) {
      this.received.delete(received);
      return removeQuietly(received.tempPath);
    }

    async commit(files: readonly object[], shape: 'single' | 'array'): Promise<UploadRecord[]> {
      const items = files.map((file) => safeGet(file, RECEIVED) as ReceivedFile | undefined);
      if (
        items.length === 0 ||
        items.some((item) => item === undefined || !this.received.has(item))
      )
        return Promise.reject(
          await this.fail(new InvalidInputError('No file was uploaded in the expected field')),
        );
      const uploadedAt = new Date().toISOString();
      const records: UploadRecord[] = [];
      try {
        for (const item of items as ReceivedFile[]) {
          // The request may time out or its client leave while files are moved into place: then
          // nothing may stay in `dir` (the catch below removes what was already moved).
          this.assertOpen();
          const record: UploadRecord = {
            id: shape === 'single' ? this.uploadId : randomUUID(),
            ...(shape === 'array' ? { uploadId: this.uploadId } : {}),
            originalName: item.name.originalName,
            storedName: `${Date.now()}-${randomUUID()}${item.name.extension}`,
            size: item.size,
            sha256: item.sha256,
            mimeType: item.mimeType,
            extension: item.name.extension,
            uploadedAt,
          };
          // The record is written to a temporary file and renamed, so a reader never sees half of it.
          const metaTemp = newTempPath(resolved.tmpDir, 'meta');
          await writeFile(metaTemp, `${JSON.stringify(record, null, 2)}\n`, {
            mode: 0o600,
            flag: 'wx',
          });
          const storedPath = join(resolved.dir, record.storedName);
          const metaPath = `${storedPath}.meta.json`;
          try {
            await rename(item.tempPath, storedPath);
            this.received.delete(item);
            this.stored.push(storedPath);
            await rename(metaTemp, metaPath);
            this.stored.push(metaPath);
            this.assertOpen();
          } catch (error) {
            await removeQuietly(metaTemp);
            throw error;
          }
          records.push(record);
        }
      } catch (error) {
        return Promise.reject(await this.fail(error));
      }
      this.finish();
      for (const record of records) telemetry.accepted(record.size);
      log.set({
        status: 'completed',
        uploadId: this.uploadId,
        startedAt: this.startedAt,
        files: records,
      });
      return records;
    }

    async fail(error: unknown): Promise<GuardError> {
      // The first cause wins: after a client abort, multer's own "Request closed" adds nothing.
      const failure = this.failure ?? toUploadError(error, this.uploadId, resolved);
      this.failure = failure;
      this.cancelActive(failure);
      await Promise.allSettled([...this.active.keys(), ...this.handling]);
      // All or nothing: every file of this request goes, received or already moved into `dir`.
      await Promise.all([
        ...[...this.received].map((item) => removeQuietly(item.tempPath)),
        ...this.stored.map(removeQuietly),
      ]);
      this.received.clear();
      this.stored.length = 0;
      if (!this.settled) {
        this.finish();
        telemetry.failed(failure);
        log.set({
          status: 'failed',
          uploadId: this.uploadId,
          startedAt: this.startedAt,
          error: {
            status: failure.status,
            code: failure.code,
            detail: failure.expose ? failure.message : 'Upload failed',
          },
        });
      }
      return failure;
    }

    private finish() {
      this.settled = true;
      for (const cleanup of this.cleanups.splice(0)) cleanup();
    }
  }

  const sessionFor = (req: object): Session => {
    let session = sessions.get(req);
    if (!session) {
      session = new Session(req, undefined);
      sessions.set(req, session);
    }
    return session;
  };

  const storage: StorageEngine = {
    _handleFile(req, file, callback) {
      const session = sessionFor(req);
      session.handle(file).then(
        (received) => callback(null, { size: received.size, [RECEIVED]: received }),
        (error: unknown) => {
          // Drain the part so the parser can reach the end of the body and multer can answer.
          file.stream.resume();
          const failure = toUploadError(error, session.uploadId, resolved);
          // Tell the adapter first: it can answer now instead of waiting for multer to drain the body.
          session.refuse(failure);
          callback(failure);
        },
      );
    },
    _removeFile(req, file, callback) {
      const received = safeGet(file, RECEIVED) as ReceivedFile | undefined;
      if (!received) return callback(null);
      void sessionFor(req)
        .forget(received)
        .then(() => callback(null));
    },
  };

  return {
    options: resolved,
    storage,
    // Larger than Node's 16 KiB default: each 64 KiB socket read then passes through busboy into the
    // engine without a stall per chunk, at a bounded cost per request.
    streamBuffers: { highWaterMark: STREAM_BUFFER_BYTES, fileHwm: STREAM_BUFFER_BYTES },
    limits(maxFiles) {
      return {
        fileSize: resolved.maxFileBytes,
        files: maxFiles,
        fields: resolved.maxFields,
        parts: maxFiles + resolved.maxFields,
        fieldSize: MAX_FIELD_BYTES,
        fieldNameSize: MAX_FIELD_NAME_BYTES,
        headerPairs: 100,
      };
    },
    begin(req, signal) {
      // This route's upload() bounds the body by its own limits: guard()'s maxBodyBytes steps aside.
      releaseBodyCap(req);
      const session = new Session(req, signal);
      sessions.set(req, session);
      return session;
    },
    status: (uploadId) => log.get(uploadId),
  };
}

async function assertFreeDisk(options: ResolvedUploadOptions): Promise<void> {
  if (options.minFreeDiskBytes === 0) return;
  const stats = await statfs(options.dir);
  if (stats.bavail * stats.bsize < options.minFreeDiskBytes)
    throw new InsufficientStorageError('Insufficient storage');
}

function removeQuietly(path: string): Promise<void> {
  return unlink(path).catch(() => undefined);
}

/** Creates the temporary file: never an existing path (O_EXCL), readable by the owner only. */
function openExclusive(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600, (error, fd) =>
      error ? reject(error) : resolve(fd),
    );
  });
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error('The upload was cancelled');
}
