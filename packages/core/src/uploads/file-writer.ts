import { close, writev } from 'node:fs';

/** Bytes queued behind the write in flight before the writer asks its source to pause. */
const HIGH_WATER_BYTES = 1024 * 1024;

/**
 * Writes chunks to an open file descriptor with `writev`, batching every chunk that arrived while the
 * previous write was in flight into the next call. The caller hashes a chunk right after handing it
 * over, so hashing (main thread) overlaps the write (libuv thread pool) and no chunk is ever copied.
 */
export class FileWriter {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  private closed = false;
  private failure: Error | undefined;
  private onIdle: (() => void) | undefined;
  private onDrain: (() => void) | undefined;

  constructor(private readonly fd: number) {}

  /** Queues a chunk; returns false when the caller should pause until `drain` calls back. */
  write(chunk: Buffer): boolean {
    if (this.failure !== undefined || this.closed) return true;
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.writing) this.flush();
    return this.queuedBytes < HIGH_WATER_BYTES;
  }

  /** Calls back once the queue is below the high-water mark again. */
  drain(callback: () => void): void {
    if (this.queuedBytes < HIGH_WATER_BYTES || this.failure !== undefined) callback();
    else this.onDrain = callback;
  }

  /** Writes what is queued, then closes the descriptor; rejects with the first write error. */
  end(): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = () => {
        const failure = this.failure;
        this.closeFd((closeError) => {
          const error = failure ?? closeError;
          if (error) reject(error);
          else resolve();
        });
      };
      if (this.writing || (this.queue.length > 0 && this.failure === undefined)) {
        this.onIdle = finish;
        if (!this.writing) this.flush();
      } else finish();
    });
  }

  /** Drops what is queued and closes the descriptor once the write in flight is done. */
  destroy(): Promise<void> {
    this.queue = [];
    this.queuedBytes = 0;
    this.failure ??= new Error('destroyed');
    return new Promise((resolve) => {
      const finish = () => this.closeFd(() => resolve());
      if (this.writing) this.onIdle = finish;
      else finish();
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.writing = true;
    writev(this.fd, batch, (error, written) => {
      this.writing = false;
      if (error) {
        this.failure ??= error;
        this.queue = [];
        this.queuedBytes = 0;
      } else {
        const total = batch.reduce((sum, chunk) => sum + chunk.length, 0);
        this.queuedBytes -= total;
        // A regular file takes the whole batch in practice; requeue the rest if it did not.
        if (written < total) this.requeueAfter(batch, written);
      }
      if (this.queue.length > 0 && this.failure === undefined) this.flush();
      else {
        const idle = this.onIdle;
        this.onIdle = undefined;
        idle?.();
      }
      if (this.queuedBytes < HIGH_WATER_BYTES && this.onDrain) {
        const drain = this.onDrain;
        this.onDrain = undefined;
        drain();
      }
    });
  }

  private requeueAfter(batch: Buffer[], written: number): void {
    const rest: Buffer[] = [];
    let skip = written;
    for (const chunk of batch) {
      if (skip >= chunk.length) skip -= chunk.length;
      else {
        rest.push(skip > 0 ? chunk.subarray(skip) : chunk);
        skip = 0;
      }
    }
    this.queuedBytes += rest.reduce((sum, chunk) => sum + chunk.length, 0);
    this.queue = [...rest, ...this.queue];
  }

  private closeFd(callback: (error: Error | null) => void): void {
    if (this.closed) return callback(null);
    this.closed = true;
    close(this.fd, callback);
  }
}
